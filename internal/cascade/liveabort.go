package cascade

import (
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/dialect"
)

// NewLiveOnce returns a Live for a transaction that fails as a whole when
// a plan is not live (a restore): on a database where a failed statement
// aborts the transaction (PostgreSQL), its probe runs without a savepoint
// and a failed probe is a *NotLive, whose Name, once the transaction has
// rolled back, reads the tables one at a time to name the one at fault.
// Elsewhere it is NewLive.
func NewLiveOnce(tx *gorm.DB) *Live {
	l := NewLive(tx)
	l.once = dialect.For(tx).AbortsOnError()
	return l
}

// NotLive is the error of a failed probe of a NewLiveOnce on PostgreSQL:
// the plan names a table or column the database lacks (or the probe could
// not run), and the transaction is aborted, so nothing else can be read in
// it. Once named (NameNotLive), it says and unwraps to the error that names
// the table or column at fault.
//
// A NotLive is returned as it is, not wrapped (its message changes when
// it is named): Context says what it is about.
type NotLive struct {
	Plan    *plan.Plan
	Err     error  // the probe's error
	Context string // "softcascade: deletion <id>"
	named   error
	// live: Err is the error of a statement that carried the probe with
	// other work (Probe); when the plan proves live once named, Err was
	// not the plan's and the NotLive says and unwraps to Err alone.
	live    bool
	checked bool // named, and the plan is live
}

func (e *NotLive) Error() string {
	if e.checked && e.live {
		return e.Err.Error()
	}
	msg := fmt.Sprintf("softcascade: check stored plan: %v", e.Err)
	if e.named != nil {
		msg = e.named.Error()
	}
	if e.Context != "" {
		msg = e.Context + ": " + msg
	}
	return msg
}

// Unwrap returns the error that names the fault, or the probe's error.
func (e *NotLive) Unwrap() error {
	if e.named != nil {
		return e.named
	}
	return e.Err
}

// NameNotLive finds a *NotLive in err's chain and checks its plan again
// through db, outside the aborted transaction (the caller's, rolled back
// to its savepoint, or the pool), so that err names the table or column at
// fault, as Live.Check does in one transaction; err is returned.
func NameNotLive(db *gorm.DB, err error) error {
	var nl *NotLive
	if errors.As(err, &nl) && nl.named == nil && !nl.checked {
		nl.named = NewLive(db).Check(nl.Plan)
		nl.checked = nl.named == nil
	}
	return err
}
