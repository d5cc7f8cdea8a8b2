package softcascade

import (
	"context"

	"gorm.io/gorm"
)

// Op is what an Event reports.
type Op string

// The operations events report.
const (
	Deleted  Op = "deleted"
	Restored Op = "restored"
	// Purged: a deletion's rows were permanently deleted by Purge.
	Purged Op = "purged"
	// Erased: a deletion was purged on request before its time (Erase).
	Erased Op = "erased"
)

// Event reports a committed change to one deletion, so that an
// application can invalidate caches or keep an audit trail:
//
//   - Deleted: one event per Delete call that recorded a deletion;
//     Deletion is the deletion as recorded.
//   - Restored: one event per deletion a Restore or RestoreDeletion
//     brought rows back from, with Report counting that deletion's
//     rows; a Restore that touches three deletions sends three events.
//     Rows soft-deleted outside the plugin (no deletion) come back in
//     one event with an empty DeletionID.
//   - Purged: one event per deletion Purge marked purged (none in a dry
//     run); Deletion is its log row as the purge read it, with PurgedAt
//     set. Consecutive deletions are purged together, so Report is
//     empty: Purge's own Report counts the run's rows. On SQLite, where
//     concurrent purgers share the work, a deletion two purgers finish
//     together may be reported by both.
//   - Erased: one event per deletion erased before its time.
//
// DeletionID is set on every event but the restore of rows outside any
// deletion.
type Event struct {
	Op Op
	// DeletionID is the ID of the deletion the event is about.
	DeletionID string
	// Deletion is the deletion (Op Deleted, Purged, Erased).
	Deletion *Deletion
	// Report counts the rows restored (Op Restored) or erased (Op
	// Erased) per table.
	Report Report
}

// OnCommit registers fn to be told after a deletion, a restore or a purge
// commits (see Event). It is called only once the transaction has
// committed: an operation run inside the caller's own db.Transaction is
// not reported, since GORM does not say when that commits.
func OnCommit(fn func(ctx context.Context, e Event)) Option {
	return func(p *Plugin) { p.onCommit = fn }
}

// notify reports e when db is not inside the caller's transaction.
func (p *Plugin) notify(db *gorm.DB, e Event) {
	if p.onCommit == nil {
		return
	}
	if _, inTx := db.Statement.ConnPool.(gorm.TxCommitter); inTx {
		return
	}
	p.onCommit(db.Statement.Context, e)
}
