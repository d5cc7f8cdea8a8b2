package purge

import (
	"slices"

	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade/plan"
)

// refAlias names a live row that still references a row being purged.
const refAlias = "sc_r"

// references returns the relations into t, from the plan's References,
// that t's child edges do not already guard: belongs-to relations, shared
// references, and has-one/has-many relations that do not cascade.
func (u *unit) references(t plan.Table) []plan.Edge {
	var out []plan.Edge
	for _, e := range u.plan.ReferencesTo(t.Name) {
		if !slices.ContainsFunc(u.childEdges(t), func(c plan.Edge) bool {
			return c.Child == e.Child && slices.Equal(c.ChildKeys, e.ChildKeys) &&
				slices.Equal(c.ParentKeys, e.ParentKeys) && c.TypeValue == e.TypeValue
		}) {
			out = append(out, e)
		}
	}
	return out
}

// notReferenced is the guard of t's rows that purge keeps because a live
// row still references them, whether or not a foreign key in the database
// says so: no live row of each reference's table (any row, for a table
// without a soft-delete column) references the row. The rows kept are
// counted and reported like the rows a foreign key refuses. A foreign
// key in the database that no model declares counts too when its ON
// DELETE action would change the referencing rows (foreignKeys).
func (r *runner) notReferenced(u *unit, t plan.Table) ([]clause.Expression, error) {
	var out []clause.Expression
	refs := u.references(t)
	fks, err := r.foreignKeys(t)
	if err != nil {
		return nil, err
	}
	refs = append(refs, undeclared(fks, append(u.childEdges(t), refs...))...)
	for _, e := range refs {
		ok, err := r.tableExists(e.Child)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, unreferenced(u.plan, e, t.Name))
		}
	}
	return out, nil
}

// unreferenced is "no live row of e.Child references this row of
// e.Parent (named parent) through e".
func unreferenced(p *plan.Plan, e plan.Edge, parent string) clause.Expression {
	where := make([]clause.Expression, 0, len(e.ChildKeys)+2)
	for i, k := range e.ChildKeys {
		where = append(where, clause.Eq{Column: col(refAlias, k), Value: col(parent, e.ParentKeys[i])})
	}
	if e.TypeColumn != "" {
		where = append(where, clause.Eq{Column: col(refAlias, e.TypeColumn), Value: e.TypeValue})
	}
	if ct, ok := p.Table(e.Child); ok && ct.Marker != nil {
		where = append(where, ct.Marker.IsAlive(refAlias))
	}
	return notExists(clause.Table{Name: e.Child, Alias: refAlias}, where...)
}
