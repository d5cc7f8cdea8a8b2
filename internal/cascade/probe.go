package cascade

import (
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/dialect"
	"github.com/softcascade/softcascade/internal/errs"
)

// A Probe is Live.Check of one plan, deferred into the first statement
// that names the plan's tables anyway (a restore's parent check): Expr is
// carried as one more column of it, so the check costs no round trip of
// its own. Settle then takes that statement's error. A nil Probe has
// nothing left to check.
type Probe struct {
	live  *Live
	plan  *plan.Plan
	order []string
	need  map[string][]string
	done  bool // settled without an error
	// Context says what the plan is for ("softcascade: deletion <id>"),
	// for the error of a plan that is not live.
	Context string
}

// Defer validates p's shape (plan.Validate) and returns its check as a
// Probe, or nil when an earlier probe of l saw every table and column of
// p. Where a failed statement would abort a transaction that is not the
// check's own (PostgreSQL, inside the caller's), nothing can be deferred:
// Defer runs Check and returns nil.
func (l *Live) Defer(p *plan.Plan) (*Probe, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	order, need := needs(p)
	if l.verified(order, need) {
		return nil, nil
	}
	if !l.once && dialect.For(l.tx).AbortsOnError() {
		return nil, l.Check(p)
	}
	return &Probe{live: l, plan: p, order: order, need: need}, nil
}

// Expr is the check as an integer expression that reads no row and fails
// when a table or column is missing (see probeSQL); nil for a nil or
// settled Probe.
func (p *Probe) Expr() clause.Expression {
	if p == nil || p.done {
		return nil
	}
	return probeOf(p.order, p.need)
}

// Run checks the plan with a statement of its own, for a caller that
// has no statement to carry it.
func (p *Probe) Run(tx *gorm.DB) error {
	if p == nil || p.done {
		return nil
	}
	var got int
	err := tx.Session(&gorm.Session{NewDB: true}).Raw("SELECT ?", p.Expr()).Row().Scan(&got)
	return p.Settle(errs.Wrap(err, "check stored plan"))
}

// Settle takes the error of the statement that carried Expr. Without one
// the plan's tables and columns are recorded as seen. With one, when the
// plan is at fault, it returns the error that says so: a *NotLive
// (return it as it is, not wrapped; it is named after the rollback, see
// NameNotLive) on PostgreSQL, where the transaction is aborted; elsewhere
// the error that names the table or column. Otherwise err is returned (on
// PostgreSQL inside a *NotLive that says and unwraps to err alone once the
// plan has been found live). A nil or settled Probe returns err.
func (p *Probe) Settle(err error) error {
	switch {
	case p == nil || p.done:
		return err
	case err == nil:
		p.live.saw(p.order, p.need)
		p.done = true
		return nil
	case errors.Is(err, gorm.ErrInvalidTransaction), p.live.tx.Statement.Context.Err() != nil:
		return err // the statement did not run
	case p.live.once:
		return &NotLive{Plan: p.plan, Err: err, Context: p.Context, live: true}
	}
	if perr := p.live.probe(p.order, p.need); perr != nil {
		return p.live.name(p.order, p.need, perr)
	}
	return err
}
