package restore

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/errs"
)

// Request is who restores, and how.
type Request struct {
	Actor string
	// Tenant limits the restore to that tenant's deletions when HasTenant.
	Tenant    string
	HasTenant bool
	// Now is the restore's time (the *gorm.DB's NowFunc).
	Now time.Time
	// Lock takes row locks: the deletion FOR UPDATE, the parents it checks
	// FOR SHARE. False on SQLite.
	Lock bool
	// Own: the restore runs in a transaction or savepoint of its own, so
	// that a statement that fails (a stored plan's missing table) may
	// abort it; the plan is then checked again after the rollback
	// (cascade.NameNotLive). False: checks run under savepoints.
	Own bool
	// Probe, when set, is the stored plan's check, not run yet: the
	// restore's first statement on the plan's tables carries it.
	Probe *cascade.Probe
}

// load reads a deletion that is still restorable, locking it so that a
// concurrent restore or purge of the same deletion waits.
func load(tx *gorm.DB, id string, req Request) (*deletionlog.Deletion, error) {
	id, err := deletionlog.ParseID(id)
	if err != nil {
		return nil, err
	}
	q := tx.Where(clause.Eq{Column: clause.Column{Name: "id"}, Value: id})
	if req.HasTenant {
		q = q.Where(clause.Eq{Column: clause.Column{Name: "tenant"}, Value: req.Tenant})
	}
	if req.Lock {
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	var d deletionlog.Deletion
	if err := q.Take(&d).Error; err != nil {
		return nil, errs.Wrap(deletionlog.ReadError(err), "deletion %s", id)
	}
	if err := restorable(&d); err != nil {
		return nil, err
	}
	return &d, nil
}

// restorable fails with gorm.ErrRecordNotFound when d was purged, or a
// purge has begun to delete its rows (PurgeStartedAt): part of it may be
// gone, and restoring the rest would bring back a tree with holes. It is
// judged on a locked row, so a purge that has not started yet waits for
// the restore (see purge's start).
func restorable(d *deletionlog.Deletion) error {
	switch {
	case d.PurgedAt != nil || d.Plan == nil:
		return errs.Wrap(gorm.ErrRecordNotFound, "deletion %s was purged", d.ID)
	case d.PurgeStartedAt != nil:
		return errs.Wrap(gorm.ErrRecordNotFound, "deletion %s is being purged", d.ID)
	}
	return nil
}

// tablesOf lists the deletion's tables that took rows, in plan order.
func tablesOf(d *deletionlog.Deletion) []string {
	var out []string
	for _, t := range d.Plan.Tables {
		if d.Tables[t.Name] > 0 {
			out = append(out, t.Name)
		}
	}
	return out
}

// record adds restored rows to the deletion's log row, and marks it
// restored once nothing it took is left in the trash: after a whole
// restore (whole), or when no table has a row of it left.
func record(tx *gorm.DB, d *deletionlog.Deletion, n int64, req Request, whole bool) error {
	d.RestoredRows += n
	left := false
	if !whole {
		var err error
		if left, err = leftInTrash(tx, d); err != nil {
			return err
		}
	}
	cols := []string{"RestoredRows"}
	if !left {
		now := req.Now
		d.RestoredAt, d.RestoredBy = &now, req.Actor
		cols = append(cols, "RestoredAt", "RestoredBy")
	}
	if err := tx.Model(d).Select(cols).Updates(d).Error; err != nil {
		return errs.Wrap(err, "restore: record")
	}
	return nil
}

// leftInTrash reports whether a table still has a row of deletion d.
func leftInTrash(tx *gorm.DB, d *deletionlog.Deletion) (bool, error) {
	mark := cascade.Mark{ID: d.ID, Stamp: d.StampTime()}
	for _, name := range tablesOf(d) {
		t, _ := d.Plan.Table(name)
		if t.Marker == nil {
			continue
		}
		found, err := cascade.AnyRow(tx, t.Name, []clause.Expression{cascade.Member(t, t.Name, mark)})
		if err != nil || found {
			if err != nil {
				err = errs.Wrap(err, "restore")
			}
			return found, err
		}
	}
	return false, nil
}

// wholeDeletion brings back every row a deletion still has in the trash.
// together: the other rows restored in the same call, or nil.
func wholeDeletion(tx *gorm.DB, d *deletionlog.Deletion, together member, req Request, res *Result) error {
	mark := cascade.Mark{ID: d.ID, Stamp: d.StampTime()}
	return restoreMarked(tx, d, tablesOf(d), mark, together, d.Plan.Root, req, res, true)
}

// restoreMarked brings back the rows of tables that carry mark (deletion
// d's own, or the mark a part of d was moved to, beneath rows of table
// root), once the prechecks pass, and records them on d. whole: they are
// all d still had in the trash.
func restoreMarked(tx *gorm.DB, d *deletionlog.Deletion, tables []string, mark cascade.Mark, together member, root string, req Request, res *Result, whole bool) error {
	if err := precheck(tx, d.Plan, tables, markMember(mark), together, req, root); err != nil {
		return err
	}
	var part Result
	if err := apply(tx, d.Plan, tables, markSelector(mark), &part); err != nil {
		return err
	}
	if whole && part.Rows == 0 {
		return nil
	}
	for t, n := range part.Tables {
		res.add(t, n)
	}
	res.addPart(d.ID, part)
	return record(tx, d, part.Rows, req, whole)
}

// Deletion restores one whole deletion by its ID, from its stored plan: no
// Go model types are needed. It must run in a transaction.
func Deletion(tx *gorm.DB, id string, req Request) (Result, error) {
	var res Result
	d, err := load(tx, id, req)
	if err != nil {
		return res, err
	}
	if req.Probe, err = probeOf(tx, d, req); err != nil {
		return res, err
	}
	if err := wholeDeletion(tx, d, nil, req, &res); err != nil {
		return res, err
	}
	if res.Rows == 0 {
		return res, fmt.Errorf("%w: deletion %s has nothing left in the trash", errs.ErrNotDeleted, id)
	}
	return res, nil
}

// partOf restores the part of deletion d beneath the rows of table root
// matching roots: it moves that part to a mark of its own, then restores it.
func partOf(tx *gorm.DB, d *deletionlog.Deletion, root string, roots clause.Expression, together member, req Request, res *Result) error {
	if err := req.Probe.Run(tx); err != nil { // split names the plan's tables first
		return err
	}
	req.Probe = nil
	op := &deletionlog.Deletion{Table: d.Table, Actor: req.Actor}
	if err := deletionlog.Claim(tx, op, req.Now.UnixMilli()); err != nil {
		return err
	}
	to := cascade.Mark{ID: op.ID, Stamp: op.StampTime()}
	from := cascade.Mark{ID: d.ID, Stamp: d.StampTime()}
	tables, err := split(tx, d.Plan, root, roots, from, to)
	if err != nil {
		return err
	}
	if err := restoreMarked(tx, d, tables, to, together, root, req, res, false); err != nil {
		return err
	}
	if err := tx.Delete(op).Error; err != nil {
		return errs.Wrap(err, "restore")
	}
	return nil
}

// planError is the error of a stored plan that does not match the
// database: a *cascade.NotLive as it is, with the deletion as its context
// (it is named after the rollback), any other wrapped.
func planError(d *deletionlog.Deletion, err error) error {
	var nl *cascade.NotLive
	if errors.As(err, &nl) {
		nl.Context = fmt.Sprintf("softcascade: deletion %s", d.ID)
		return nl
	}
	return errs.Wrap(err, "deletion %s", d.ID)
}

// probeOf is the check of d's stored plan, deferred into the restore's
// first statement on its tables (see cascade.Probe); nil when there is
// nothing left to check.
func probeOf(tx *gorm.DB, d *deletionlog.Deletion, req Request) (*cascade.Probe, error) {
	probe, err := liveOf(tx, req).Defer(d.Plan)
	if err != nil {
		return nil, planError(d, err)
	}
	if probe != nil {
		probe.Context = fmt.Sprintf("softcascade: deletion %s", d.ID)
	}
	return probe, nil
}

// liveOf is the Live that checks stored plans for a restore: NewLiveOnce
// when the restore has a transaction or savepoint of its own.
func liveOf(tx *gorm.DB, req Request) *cascade.Live {
	if req.Own {
		return cascade.NewLiveOnce(tx)
	}
	return cascade.NewLive(tx)
}
