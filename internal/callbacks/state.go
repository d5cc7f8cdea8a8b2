package callbacks

import (
	"context"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/deletionlog"
)

// stateKey is the one instance key under which a statement's state
// travels between the callbacks.
const stateKey = "softcascade:state"

// state is one Delete call (or guarded Create) in flight: what each
// callback learns and a later one needs.
type state struct {
	// plan is the Delete's cascade plan (begin); nil for a Create.
	plan *plan.Plan
	// started: begin (or guardBegin) started the transaction, and finish
	// commits or rolls it back.
	started bool
	// callerTx: the statement runs in the caller's transaction, whose
	// commit GORM does not report, so no Committed event is sent.
	callerTx bool
	// savepoint is where finish rolls a failed Delete back to inside the
	// caller's transaction; "" when none was set.
	savepoint string
	// context is the statement's own context, which resume gives back
	// after GORM's association delete ran under plainGORM; nil when it
	// was not replaced.
	context context.Context
	// deletion is the deletion prepare recorded; nil when none is (no
	// live row matched, or nothing was claimed yet).
	deletion *deletionlog.Deletion
	// byValue: the Delete names its roots only by the keys of the value
	// passed to it (see describeRoots).
	byValue bool
	// parents are the cascading parents a guarded Create checks.
	parents []cascade.Parent
}

// newState stores a fresh state for db's statement and returns it.
func newState(db *gorm.DB) *state {
	st := &state{}
	db.InstanceSet(stateKey, st)
	return st
}

// stateOf returns the state of db's statement; nil when the plugin does
// not handle it.
func stateOf(db *gorm.DB) *state {
	v, _ := db.InstanceGet(stateKey)
	st, _ := v.(*state)
	return st
}
