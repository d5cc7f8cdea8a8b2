package softcascade

import (
	"fmt"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/errs"
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
// transaction (a savepoint inside the caller's): on any error nothing
// changes.
//
// # Restore by query
//
// When value holds no row to name — a pointer to an empty slice, or to a
// struct whose primary key is zero — it only names the model, and the
// conditions on db choose the rows (Laravel's
// onlyTrashed()->where(...)->restore()):
//
//	softcascade.Restore(db.Where("name LIKE ?", "Web%"), &[]Project{})
//
// Every soft-deleted row of the model that the conditions match comes
// back, with its deletion's part beneath it, by the rules above, in one
// transaction. The conditions (Where, Or, Not, scopes, Joins) are the
// caller's, read as Trashed reads them: they form one group ANDed with "is
// soft-deleted", so an Or cannot reach live rows. Conditions are required
// (ErrInvalidValue without any: to undo a whole deletion use
// RestoreDeletion); Limit, Offset and Table are refused with
// ErrInvalidValue. A query that matches more than MaxRestoreByQuery
// deleted rows fails with ErrInvalidValue and changes nothing. With a
// tenant in the context, rows not held by that tenant's restorable
// deletions are left alone, unseen. A query that matches no row it may
// restore is gorm.ErrRecordNotFound (as a Restore of a row that does not
// exist); a row matched whose deletion is purged or being purged fails the
// whole call with gorm.ErrRecordNotFound, as it does by row.
//
// Rows with primary keys and conditions on db together are ambiguous:
// ErrInvalidValue.
func Restore(db *gorm.DB, value any) (Report, error) {
	if err := usable(db); err != nil {
		return Report{}, err
	}
	if byQuery(db, value) {
		if err := refuseQueryShape(db); err != nil {
			return Report{}, err
		}
		find := queryFinder(db)
		return restoring(db, func(tx *gorm.DB, p *Plugin, req restore.Request) (restore.Result, error) {
			return restore.Query(tx, p.graph, value, find, MaxRestoreByQuery, req)
		})
	}
	if hasConditions(db) {
		return Report{}, fmt.Errorf("%w: Restore of rows by primary key takes no conditions on the *gorm.DB; to restore by query pass an empty slice: Restore(db.Where(...), &[]Model{})", errs.ErrInvalidValue)
	}
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
	// The caller's conditions (a Restore by query's) stay off the
	// restore's own statements.
	err = db.Session(&gorm.Session{NewDB: true}).Transaction(func(tx *gorm.DB) error {
		var err error
		res, err = fn(tx, p, req)
		return err
	})
	err = cascade.NameNotLive(db, err) // a stored plan's missing table or column, named after the rollback
	rep := Report{Rows: res.Rows, Tables: res.Tables}
	if err != nil {
		return Report{}, publicError(err)
	}
	p.notifyRestored(db, res)
	return rep, nil
}

// notifyRestored sends one Restored event per deletion res brought rows
// back from, and one without a deletion for the rows soft-deleted outside
// the plugin.
func (p *Plugin) notifyRestored(db *gorm.DB, res restore.Result) {
	outside := Report{Rows: res.Rows, Tables: map[string]int64{}}
	for t, n := range res.Tables {
		outside.Tables[t] = n
	}
	for _, part := range res.Parts {
		p.notify(db, Event{Op: Restored, DeletionID: part.Deletion, Report: Report{Rows: part.Rows, Tables: part.Tables}})
		outside.Rows -= part.Rows
		for t, n := range part.Tables {
			if outside.Tables[t] -= n; outside.Tables[t] == 0 {
				delete(outside.Tables, t)
			}
		}
	}
	if outside.Rows > 0 {
		p.notify(db, Event{Op: Restored, Report: outside})
	}
}
