package purge

import (
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/dialect"
	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/softdelete"
)

// unit is a set of rows that go together: the rows of one deletion, or the
// rows of one model that were soft-deleted outside the plugin.
type unit struct {
	deletion string // the deletion's ID; "" for a model's rows
	plan     *plan.Plan
	order    []plan.Table // children before parents
	// member is "the row of soft-deletable table t, named alias, goes
	// with the unit"; nil when no row of t does.
	member func(t plan.Table, alias string) clause.Expression
}

// deletionUnit is the rows of deletion d: cascade.Member of its plan's
// tables, and the non-soft-deletable children of those rows.
func deletionUnit(d *deletionlog.Deletion) *unit {
	mark := cascade.Mark{ID: d.ID, Stamp: d.StampTime()}
	return &unit{
		deletion: d.ID,
		plan:     d.Plan,
		order:    childrenFirst(d.Plan),
		member: func(t plan.Table, alias string) clause.Expression {
			if t.Marker.Stamped() {
				return cascade.Member(t, alias, mark)
			}
			return clause.And(cascade.Member(t, alias, mark), notRetaken(t, alias, d.ID))
		},
	}
}

// modelUnit is the rows of p's root table soft-deleted before cutoff that
// no unpurged deletion covers, and their non-soft-deletable children.
func modelUnit(p *plan.Plan, cutoff time.Time, dia dialect.Purge) *unit {
	root, _ := p.Table(p.Root)
	u := &unit{
		plan: p,
		member: func(t plan.Table, alias string) clause.Expression {
			if t.Name != p.Root {
				return nil
			}
			return clause.And(t.Marker.IsDeleted(alias), agedBefore(t, alias, cutoff, dia), notInDeletion(t, alias, dia))
		},
	}
	for _, e := range p.From(p.Root) {
		if ct, ok := p.Table(e.Child); ok && ct.Marker == nil && !hasTable(u.order, ct.Name) {
			u.order = append(u.order, ct)
		}
	}
	u.order = append(u.order, root)
	return u
}

// rows is the condition "this row of t goes", on t's own name: a member,
// or for a non-soft-deletable table a child of a member. Nil: none goes.
func (u *unit) rows(t plan.Table) clause.Expression {
	if t.Marker != nil {
		return u.member(t, t.Name)
	}
	alts := cascade.ChildOf(u.plan, t.Name, func(pt plan.Table) clause.Expression { return u.member(pt, cascade.ParentAlias) })
	switch len(alts) {
	case 0:
		return nil
	case 1:
		return alts[0]
	}
	return clause.Or(alts...)
}

// joinsOf returns the many-to-many join tables holding keys of t.
func (u *unit) joinsOf(t plan.Table) []plan.Join {
	var out []plan.Join
	for _, j := range u.plan.Joins {
		if j.Owner == t.Name {
			out = append(out, j)
		}
	}
	return out
}

// childEdges returns the cascading and restricting edges out of t: a row
// of t with a child left through one of them must stay.
func (u *unit) childEdges(t plan.Table) []plan.Edge {
	var out []plan.Edge
	for _, es := range [][]plan.Edge{u.plan.Edges, u.plan.Restricts} {
		for _, e := range es {
			if e.Parent == t.Name {
				out = append(out, e)
			}
		}
	}
	return out
}

// childrenFirst orders a plan's tables so that every table comes before
// the tables it is a cascading child of (depth first, post-order from the
// root; self-references are handled row by row, leaves first).
func childrenFirst(p *plan.Plan) []plan.Table {
	seen := map[string]bool{}
	var out []plan.Table
	var visit func(name string)
	visit = func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		for _, e := range p.From(name) {
			visit(e.Child)
		}
		if t, ok := p.Table(name); ok {
			out = append(out, t)
		}
	}
	visit(p.Root)
	for _, t := range p.Tables {
		visit(t.Name)
	}
	return out
}

// orderModels puts the plan of a model before the plans whose tables reach
// it, so that children soft-deleted outside the plugin go before their
// parents.
func orderModels(ps []*plan.Plan) []*plan.Plan {
	seen := make([]bool, len(ps))
	var out []*plan.Plan
	var visit func(i int)
	visit = func(i int) {
		if seen[i] {
			return
		}
		seen[i] = true
		for j, q := range ps {
			if _, reaches := ps[i].Table(q.Root); reaches && j != i {
				visit(j)
			}
		}
		out = append(out, ps[i])
	}
	for i := range ps {
		visit(i)
	}
	return out
}

// checkModel refuses a model whose rows cannot be aged.
func checkModel(p *plan.Plan) error {
	if p == nil {
		return fmt.Errorf("%w: nil model plan", errs.ErrInvalidValue)
	}
	t, ok := p.Table(p.Root)
	if !ok || t.Marker == nil {
		return fmt.Errorf("%w: purge model table %s", errs.ErrNotSoftDeletable, p.Root)
	}
	if _, kind, _ := t.Marker.TimeColumn(); kind == softdelete.Flag {
		return fmt.Errorf("%w: purge model table %s: a flag-only soft-delete column records no deletion time, so its rows cannot be aged (add a DeletedAtField)", errs.ErrInvalidValue, p.Root)
	}
	return nil
}

func hasTable(ts []plan.Table, name string) bool {
	for _, t := range ts {
		if t.Name == name {
			return true
		}
	}
	return false
}
