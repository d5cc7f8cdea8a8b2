package softcascade

import (
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/purge"
)

// EraseOption configures Erase and ForceDelete.
type EraseOption func(*eraseOptions)

type eraseOptions struct {
	scrub     bool
	batchSize int
}

// Scrub makes Erase also clear what the deletion's log row may hold of a
// person: the actor and reason of the deletion and the keys and labels of
// its roots (see scrubbed). The facts
// stay: when, which tables, how many rows, who erased it and why.
func Scrub() EraseOption { return func(o *eraseOptions) { o.scrub = true } }

// EraseBatchSize sets the rows per DELETE statement and transaction of an
// Erase, as PurgeOptions.BatchSize does for Purge (zero: 1,000).
func EraseBatchSize(n int) EraseOption { return func(o *eraseOptions) { o.batchSize = n } }

// scrubbed lists the log's columns that Scrub clears, with the value each
// is cleared to: the columns that may hold personal data.
func scrubbed() map[string]any {
	return map[string]any{
		"actor":        "",
		"reason":       "",
		"root_keys":    "[]",
		"labels":       "[]",
		"label_search": "",
	}
}

// Erase permanently deletes the rows deletion id still has in the trash,
// now, whatever its age: the right to erasure. It is a Purge of that one
// deletion, with the same machinery: children before parents, join rows
// and non-soft-deletable children included, in short batches, never a
// live row or a row restored meanwhile.
//
// The log keeps the fact: ErasedAt, ErasedBy (the context's actor) and
// EraseReason (the context's reason) are set, PurgedAt once the rows are
// gone, and the rows per table stay. With Scrub the deletion's actor,
// reason, root keys and labels are cleared too. A rerun records its own time, actor and reason.
//
// Erase marks the deletion, in one statement, before any row goes: from
// then on it cannot be restored or held. Like Purge it is not one
// transaction: interrupted (context cancelled, connection lost), it
// returns what was done and an error, the deletion stays in the trash
// marked as being purged, and running Erase again finishes it (a Purge
// does too, but only once the deletion's retention has passed). On
// PostgreSQL and MySQL it waits for a Purge running in another process to
// finish (the context bounds the wait).
//
// Errors (errors.Is): ErrHeld (under a legal hold: Release it first),
// gorm.ErrRecordNotFound (no such deletion, another tenant's, or purged
// already), ErrNotDeleted (restored: nothing of it is in the trash),
// ErrReferenced (live rows still reference some of its rows: those are in
// Report.Skipped, the rest is gone; the deletion stays unpurged until they
// can go), ErrInvalidPlan, ErrInvalidValue (inside a transaction, a bad
// option or tenant).
func Erase(db *gorm.DB, id string, opts ...EraseOption) (Report, error) {
	p, o, err := eraseSetup(db, opts)
	if err != nil {
		return Report{}, err
	}
	if id, err = deletionlog.ParseID(id); err != nil {
		return Report{}, err
	}
	if err := markErased(db, id, o.scrub); err != nil {
		return Report{}, err
	}
	res, runErr := purge.Run(db, purge.Options{
		Deletion:   id,
		Wait:       true,
		BatchSize:  o.batchSize,
		References: p.graph.WithReferences,
	})
	rep := Report{Rows: res.Rows, Tables: res.Tables, Skipped: res.Skipped}
	d, err := readDeletion(db, id)
	switch {
	case err != nil:
		return rep, err
	case d.PurgedAt != nil:
		p.notify(db, Event{Op: Erased, DeletionID: d.ID, Deletion: &d, Report: rep})
		return rep, nil
	case runErr != nil:
		return rep, runErr
	case len(rep.Skipped) > 0:
		return rep, fmt.Errorf("softcascade: erase deletion %s: %w: rows kept (see Report.Skipped); remove the references and run Erase again", id, errs.ErrReferenced)
	}
	return rep, fmt.Errorf("softcascade: erase deletion %s: %w: its stored plan cannot be read; nothing was removed", id, errs.ErrInvalidPlan)
}

// eraseSetup checks what Erase and ForceDelete are given: the plugin, no
// caller's transaction, a usable tenant and options.
func eraseSetup(db *gorm.DB, opts []EraseOption) (*Plugin, eraseOptions, error) {
	var o eraseOptions
	p, err := installed(db)
	if err != nil {
		return nil, o, err
	}
	if _, inTx := db.Statement.ConnPool.(gorm.TxCommitter); inTx {
		return nil, o, fmt.Errorf("%w: erase runs its own short transactions, like Purge: call it outside a transaction", errs.ErrInvalidValue)
	}
	if _, _, err := deletionlog.Tenant(db.Statement.Context); err != nil {
		return nil, o, errs.Wrap(err, "erase")
	}
	for i, opt := range opts {
		if opt == nil {
			return nil, o, fmt.Errorf("%w: erase option %d is nil", errs.ErrInvalidValue, i)
		}
		opt(&o)
	}
	if o.batchSize < 0 {
		return nil, o, fmt.Errorf("%w: erase batch size %d is negative", errs.ErrInvalidValue, o.batchSize)
	}
	return p, o, nil
}

// markErased records the erasure and marks deletion id as being purged,
// in one statement that only a deletion in the trash and not held
// matches (of the context's tenant, when it has one). A Hold sets held_at
// only while purge_started_at is NULL: whichever commits first wins.
func markErased(db *gorm.DB, id string, scrub bool) error {
	ctx := db.Statement.Context
	now := db.NowFunc()
	set := map[string]any{
		"erased_at":        now,
		"erased_by":        deletionlog.Actor(ctx),
		"erase_reason":     deletionlog.Reason(ctx),
		"purge_started_at": clause.Expr{SQL: "COALESCE(?, ?)", Vars: []any{clause.Column{Name: "purge_started_at"}, now}},
	}
	if scrub {
		for col, v := range scrubbed() {
			set[col] = v
		}
	}
	where, err := deletionWhere(db, id,
		clause.Eq{Column: clause.Column{Name: "purged_at"}, Value: nil},
		clause.Eq{Column: clause.Column{Name: "restored_at"}, Value: nil},
		clause.Eq{Column: clause.Column{Name: "held_at"}, Value: nil})
	if err != nil {
		return err
	}
	res := logSession(db).Model(&deletionlog.Deletion{}).Clauses(where).UpdateColumns(set)
	if res.Error != nil {
		return fmt.Errorf("softcascade: erase deletion %s: %w", id, res.Error)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	return whyNot(db, id, "erase")
}

// whyNot explains why an UPDATE of deletion id for verb matched nothing.
func whyNot(db *gorm.DB, id, verb string) error {
	d, err := readDeletion(db, id)
	switch {
	case err != nil:
		return err
	case d.PurgedAt != nil:
		return fmt.Errorf("softcascade: %s deletion %s: purged %s: %w", verb, id, d.PurgedAt.UTC().Format("2006-01-02 15:04:05"), gorm.ErrRecordNotFound)
	case d.HeldAt != nil:
		return fmt.Errorf("softcascade: %s deletion %s: %w since %s by %q (%q); release it first", verb, id, errs.ErrHeld,
			d.HeldAt.UTC().Format("2006-01-02 15:04:05"), d.HeldBy, d.HoldReason)
	case d.PurgeStartedAt != nil:
		return fmt.Errorf("softcascade: %s deletion %s: is being purged (part of its rows may be gone): %w", verb, id, gorm.ErrRecordNotFound)
	case d.RestoredAt != nil:
		return fmt.Errorf("softcascade: %s deletion %s: %w: it was restored, nothing of it is in the trash", verb, id, errs.ErrNotDeleted)
	}
	return fmt.Errorf("softcascade: %s deletion %s: changed meanwhile; try again", verb, id)
}

// readDeletion reads deletion id without its plan, of the context's
// tenant when it has one: another tenant's is gorm.ErrRecordNotFound.
func readDeletion(db *gorm.DB, id string) (Deletion, error) {
	var d Deletion
	where, err := deletionWhere(db, id)
	if err != nil {
		return d, err
	}
	if err := logSession(db).Omit("plan").Clauses(where).Take(&d).Error; err != nil {
		return d, fmt.Errorf("softcascade: deletion %s: %w", id, err)
	}
	return d, nil
}

// deletionWhere is "the deletion is id, of the context's tenant when it
// has one", and more.
func deletionWhere(db *gorm.DB, id string, more ...clause.Expression) (clause.Where, error) {
	exprs := append([]clause.Expression{clause.Eq{Column: clause.Column{Name: "id"}, Value: id}}, more...)
	tenant, ok, err := deletionlog.Tenant(db.Statement.Context)
	if err != nil {
		return clause.Where{}, err
	}
	if ok {
		exprs = append(exprs, clause.Eq{Column: clause.Column{Name: "tenant"}, Value: tenant})
	}
	return clause.Where{Exprs: exprs}, nil
}

// logSession is a fresh statement on db for the deletion log: its own
// statement, no hooks, no default transaction.
func logSession(db *gorm.DB) *gorm.DB {
	return db.Session(&gorm.Session{NewDB: true, SkipHooks: true, SkipDefaultTransaction: true})
}
