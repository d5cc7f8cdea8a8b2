package purge

import (
	"reflect"
	"time"

	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/deletionlog"
)

// sharedPlan returns how many deletions at the head of ds can be purged
// together: consecutive deletions with the same plan and no ledger table
// (whose rows a stamp alone tells apart). At least one.
func sharedPlan(ds []deletionlog.Deletion) int {
	first := ds[0].Plan
	if first == nil || usesLedger(first) {
		return 1
	}
	n := 1
	for n < len(ds) && ds[n].Plan != nil && reflect.DeepEqual(ds[n].Plan, first) {
		n++
	}
	return n
}

// deletions purges deletions of one plan (see sharedPlan) as one unit, so
// that a batch takes up to BatchSize rows across them: a backlog of many
// small deletions then goes in as few statements as one large deletion.
// When some rows could not go, each deletion is finished on its own (what
// could go is gone already), which tells which of them to keep.
func (r *runner) deletions(ds []deletionlog.Deletion) error {
	var todo []*deletionlog.Deletion
	for i := range ds {
		if ds[i].HeldAt != nil {
			r.onHold(&ds[i])
			continue
		}
		if ds[i].Plan == nil {
			if r.unreadable[ds[i].ID] {
				continue // kept, and reported at the end of the run
			}
			r.opts.Logger.WarnContext(r.ctx, "softcascade: purge: deletion without a plan left alone", "deletion", ds[i].ID)
			continue
		}
		if err := r.checkPlan(&ds[i]); err != nil {
			continue // kept, and reported at the end of the run
		}
		todo = append(todo, &ds[i])
	}
	if len(todo) == 0 {
		return nil
	}
	if r.opts.DryRun {
		r.res.Purged += len(todo)
	} else {
		var err error
		if todo, err = r.archived(todo); err != nil || len(todo) == 0 {
			return err
		}
		if todo, err = r.start(todo); err != nil || len(todo) == 0 {
			return err
		}
	}
	if len(todo) == 1 {
		return r.finish(todo[0])
	}
	held, err := r.unit(groupUnit(todo))
	if err != nil || r.opts.DryRun {
		return err
	}
	if held == nil {
		return r.markPurged(todo...)
	}
	for _, d := range todo { // each counts the rows of its own that stay
		if err := r.finish(d); err != nil {
			return err
		}
	}
	return nil
}

// groupUnit is the rows of deletions of one plan without ledger tables:
// every row that carries one of their stamps.
func groupUnit(ds []*deletionlog.Deletion) *unit {
	stamps := make([]time.Time, len(ds))
	for i, d := range ds {
		stamps[i] = d.StampTime()
	}
	p := ds[0].Plan
	return &unit{
		deletion: ds[0].ID,
		plan:     p,
		order:    childrenFirst(p),
		member: func(t plan.Table, alias string) clause.Expression {
			return t.Marker.StampedIn(alias, stamps)
		},
	}
}

// onHold counts and logs a due deletion that a legal hold keeps.
func (r *runner) onHold(d *deletionlog.Deletion) {
	r.res.OnHold++
	r.opts.Logger.InfoContext(r.ctx, "softcascade: purge: deletion kept: under legal hold",
		"deletion", d.ID, "table", d.Table, "held_at", d.HeldAt, "held_by", d.HeldBy)
}
