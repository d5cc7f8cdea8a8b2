package cascade

import (
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/errs"
)

// Found is the check that a deletion's mark finds again the rows it was
// given: for each table of p that took rows (counts) and whose mark served
// as a parent condition (it has cascading or restricting edges out), the
// rows Member finds equal the rows soft-deleted there. A column that does
// not hold the mark (a whole-second column taken for a precise one, a
// trigger that rewrites it) would otherwise leave the children silently
// live. It is written as conditions of a statement the delete runs anyway
// (the deletion log's final UPDATE): one sub-query per such table, no
// statement of its own. Nil when no table needs checking.
func Found(p *plan.Plan, m Mark, counts map[string]int64) []clause.Expression {
	var out []clause.Expression
	for _, t := range checked(p, counts) {
		out = append(out, found{table: t, mark: m, n: counts[t.Name]})
	}
	return out
}

// Lost returns the error of a failed Found: it counts again, table by
// table, and names the first whose mark finds another number of rows than
// were soft-deleted there.
func Lost(tx *gorm.DB, p *plan.Plan, m Mark, counts map[string]int64) error {
	for _, t := range checked(p, counts) {
		var n int64
		err := tx.Table("? AS ?", clause.Table{Name: t.Name}, clause.Table{Name: ParentAlias}).
			Where(Member(t, ParentAlias, m)).Count(&n).Error
		if err != nil {
			return errs.Wrap(err, "check %s", t.Name)
		}
		if n != counts[t.Name] {
			name, _, _ := t.Marker.TimeColumn()
			how := fmt.Sprintf("carry its stamp in column %s", name)
			if !t.Marker.Stamped() {
				how = "are recorded for it in the ledger"
			}
			return fmt.Errorf("%w: table %s: the delete soft-deleted %d rows, but %d %s; their children could not be found, so the delete was rolled back",
				errs.ErrUnsupportedColumn, t.Name, counts[t.Name], n, how)
		}
	}
	return fmt.Errorf("%w: the deletion's rows were not found by their mark; the delete was rolled back", errs.ErrUnsupportedColumn)
}

// checked is the tables Found checks, in plan order.
func checked(p *plan.Plan, counts map[string]int64) []plan.Table {
	parents := map[string]bool{}
	for _, es := range [][]plan.Edge{p.Edges, p.Restricts} {
		for _, e := range es {
			parents[e.Parent] = true
		}
	}
	var out []plan.Table
	for _, t := range p.Tables {
		if parents[t.Name] && t.Marker != nil && counts[t.Name] > 0 {
			out = append(out, t)
		}
	}
	return out
}

// found is (SELECT COUNT(*) FROM t AS sc_p WHERE member) = n.
type found struct {
	table plan.Table
	mark  Mark
	n     int64
}

func (f found) Build(b clause.Builder) {
	b.WriteString("(SELECT COUNT(*) FROM ")
	b.WriteQuoted(clause.Table{Name: f.table.Name, Alias: ParentAlias})
	b.WriteString(" WHERE ")
	Member(f.table, ParentAlias, f.mark).Build(b)
	b.WriteString(") = ")
	b.AddVar(b, f.n)
}
