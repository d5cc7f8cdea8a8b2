package softcascade

import (
	"fmt"
	"log/slog"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/errs"
)

// Hold places deletion id under a legal hold, for reason: until Release,
// no Purge (PurgeEvery, the command-line tool) removes it and Erase
// refuses it with ErrHeld. Restoring it stays possible: a hold prevents
// destruction, not restoration. The log records who (the context's actor),
// when and why (HeldAt, HeldBy, HoldReason); Hold also logs an info line.
//
// A hold and a purge exclude each other: Hold only takes a deletion whose
// purge has not started, and a purge (or Erase) only starts a deletion
// that is not held, each in one UPDATE of the log row, so whichever
// commits first wins. A deletion whose purge has started is
// gorm.ErrRecordNotFound ("is being purged"), as for a restore.
//
// Errors (errors.Is): ErrInvalidValue (empty reason, bad tenant),
// gorm.ErrRecordNotFound (no such deletion, another tenant's, purged or
// being purged), ErrHeld (held already: Release it to hold it anew),
// ErrNotDeleted (restored: nothing of it is in the trash).
func Hold(db *gorm.DB, id, reason string) error {
	if _, err := installed(db); err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" {
		return fmt.Errorf("%w: a legal hold needs a reason", errs.ErrInvalidValue)
	}
	id, err := deletionlog.ParseID(id)
	if err != nil {
		return err
	}
	where, err := deletionWhere(db, id,
		clause.Eq{Column: clause.Column{Name: "purged_at"}, Value: nil},
		clause.Eq{Column: clause.Column{Name: "purge_started_at"}, Value: nil},
		clause.Eq{Column: clause.Column{Name: "restored_at"}, Value: nil},
		clause.Eq{Column: clause.Column{Name: "held_at"}, Value: nil})
	if err != nil {
		return errs.Wrap(err, "hold")
	}
	ctx := db.Statement.Context
	actor := deletionlog.Actor(ctx)
	res := logSession(db).Model(&deletionlog.Deletion{}).Clauses(where).UpdateColumns(map[string]any{
		"held_at": db.NowFunc(), "held_by": actor, "hold_reason": deletionlog.Stored(reason),
	})
	if res.Error != nil {
		return fmt.Errorf("softcascade: hold deletion %s: %w", id, res.Error)
	}
	if res.RowsAffected != 1 {
		return whyNot(db, id, "hold")
	}
	slog.Default().InfoContext(ctx, "softcascade: deletion held", "deletion", id, "by", actor, "reason", reason)
	return nil
}

// Release ends the legal hold on deletion id: from then on it is purged
// and erased as any other. The log records who released it and when
// (ReleasedAt, ReleasedBy) and keeps HeldBy and HoldReason as the record
// of the hold; HeldAt is cleared. Release also logs an info line.
//
// Errors (errors.Is): gorm.ErrRecordNotFound (no such deletion, another
// tenant's), ErrInvalidValue (not held, bad tenant).
func Release(db *gorm.DB, id string) error {
	if _, err := installed(db); err != nil {
		return err
	}
	id, err := deletionlog.ParseID(id)
	if err != nil {
		return err
	}
	where, err := deletionWhere(db, id, clause.Neq{Column: clause.Column{Name: "held_at"}, Value: nil})
	if err != nil {
		return errs.Wrap(err, "release")
	}
	ctx := db.Statement.Context
	actor := deletionlog.Actor(ctx)
	res := logSession(db).Model(&deletionlog.Deletion{}).Clauses(where).UpdateColumns(map[string]any{
		"held_at": nil, "released_at": db.NowFunc(), "released_by": actor,
	})
	if res.Error != nil {
		return fmt.Errorf("softcascade: release deletion %s: %w", id, res.Error)
	}
	if res.RowsAffected != 1 {
		if _, err := readDeletion(db, id); err != nil {
			return err
		}
		return fmt.Errorf("%w: release deletion %s: it is not held", errs.ErrInvalidValue, id)
	}
	slog.Default().InfoContext(ctx, "softcascade: deletion released", "deletion", id, "by", actor)
	return nil
}
