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
	// Erased: Erase (or ForceDelete) purged a deletion on request; the
	// event carries the deletion, as logged, and the rows removed.
	Erased Op = "erased"
)

// Event reports a committed deletion or restore, so that an application
// can invalidate caches.
type Event struct {
	Op Op
	// Deletion is the deletion that was recorded (Op Deleted) or erased
	// (Op Erased).
	Deletion *Deletion
	// Report counts the rows restored (Op Restored) or erased (Op
	// Erased) per table.
	Report Report
}

// OnCommit registers fn to be told after a deletion or a restore commits.
// It is called only once the transaction has committed: an operation run
// inside the caller's own db.Transaction is not reported, since GORM does
// not say when that commits.
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
