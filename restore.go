package softcascade

import (
	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/restore"
)

// Restore brings back the rows value points to (a pointer to a struct or a
// slice of structs, with primary keys) and exactly the rows their deletion
// cascaded to beneath them — never a row another deletion removed. Where a
// deletion had several roots, restoring some brings back their part only. A
// row soft-deleted outside the plugin comes back alone, for an operator (no
// tenant in the context). With a tenant, only rows that deletions of that
// tenant have in the trash are restored; any other row is
// gorm.ErrRecordNotFound.
//
// Rows restored in one call count as live parents of each other, so a
// cycle of self-referencing rows comes back whole.
//
// Errors (errors.Is): ErrNotDeleted (a row is live), ErrParentDeleted (a
// row's cascading parent is still in the trash and not restored in this
// call; the message names that parent and its deletion),
// gorm.ErrRecordNotFound (no such row; its deletion is purged or being
// purged; with a tenant, not in a deletion of that tenant, or live),
// ErrNotSoftDeletable, ErrInvalidValue (also: an unusable tenant). One
// transaction: on any error nothing changes.
func Restore(db *gorm.DB, value any) (Report, error) {
	return restoring(db, func(tx *gorm.DB, p *Plugin, req restore.Request) (restore.Result, error) {
		return restore.Rows(tx, p.graph, value, req)
	})
}

// RestoreDeletion undoes one whole deletion by its ID, with no Go model
// types needed: it is what a trash view's Restore button calls. With a
// tenant in the context (WithTenant) it sees only that tenant's deletions;
// another tenant's is gorm.ErrRecordNotFound. A deletion with nothing left
// in the trash gives ErrNotDeleted.
func RestoreDeletion(db *gorm.DB, id string) (Report, error) {
	return restoring(db, func(tx *gorm.DB, _ *Plugin, req restore.Request) (restore.Result, error) {
		return restore.Deletion(tx, id, req)
	})
}

// restoring runs fn in a transaction (a savepoint inside the caller's) and
// reports the restore once it has committed.
func restoring(db *gorm.DB, fn func(*gorm.DB, *Plugin, restore.Request) (restore.Result, error)) (Report, error) {
	p, err := installed(db)
	if err != nil {
		return Report{}, err
	}
	ctx := db.Statement.Context
	req := restore.Request{
		Actor: deletionlog.Actor(ctx),
		Now:   db.NowFunc(),
		Lock:  cascade.Locks(db),
	}
	_, inTx := db.Statement.ConnPool.(gorm.TxCommitter)
	req.Own = !inTx || !db.DisableNestedTransaction // db.Transaction below sets a savepoint
	if req.Tenant, req.HasTenant, err = deletionlog.Tenant(ctx); err != nil {
		return Report{}, err
	}
	var res restore.Result
	err = db.Transaction(func(tx *gorm.DB) error {
		var err error
		res, err = fn(tx, p, req)
		return err
	})
	err = cascade.NameNotLive(db, err) // a stored plan's missing table or column, named after the rollback
	rep := Report{Rows: res.Rows, Tables: res.Tables}
	if err != nil {
		return Report{}, publicError(err)
	}
	p.notify(db, Event{Op: Restored, Report: rep})
	return rep, nil
}
