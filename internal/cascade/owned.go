package cascade

import (
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade/plan"
)

// OwnerAlias is the alias under which OwnedBy's member condition sees the
// owner row of a join row.
const OwnerAlias = "sc_o"

// OwnedBy is "this row of join table j references a row of its owner that
// satisfies member (written for OwnerAlias)": how purge finds a
// deletion's join rows, and how a restore from an archive checks them.
func OwnedBy(j plan.Join, member clause.Expression) clause.Expression {
	where := make([]clause.Expression, 0, len(j.OwnerKeys)+1)
	for i, k := range j.OwnerKeys {
		where = append(where, clause.Eq{Column: clause.Column{Table: OwnerAlias, Name: k}, Value: clause.Column{Table: j.Table, Name: j.JoinKeys[i]}})
	}
	where = append(where, member)
	own := Exists(clause.Table{Name: j.Owner, Alias: OwnerAlias}, where...)
	if j.TypeColumn == "" {
		return own
	}
	return clause.And(clause.Eq{Column: clause.Column{Table: j.Table, Name: j.TypeColumn}, Value: j.TypeValue}, own)
}

// ChildOf lists, for every cascading edge into table from a soft-deletable
// parent, "this row of table is a child, through that edge, of a parent
// row that satisfies member(parent)" (member written for ParentAlias; an
// edge whose member is nil is left out). Or-ed, they are "a child of a
// member row".
func ChildOf(p *plan.Plan, table string, member func(parent plan.Table) clause.Expression) []clause.Expression {
	var alts []clause.Expression
	for _, e := range p.Edges {
		pt, ok := p.Table(e.Parent)
		if e.Child != table || !ok || pt.Marker == nil {
			continue
		}
		m := member(pt)
		if m == nil {
			continue
		}
		child := ParentIn(e, m)
		if typ := TypeIs(e); typ != nil {
			child = clause.And(typ, child)
		}
		alts = append(alts, child)
	}
	return alts
}
