package cascade

import (
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/dialect"
)

// Via selects the rows of a target table whose Keys match the ViaKeys of
// the rows of Table (seen as Alias) that satisfy Where: a parent table for
// a cascade edge, the ledger for a ledger table.
type Via struct {
	Table   string
	Alias   string
	ViaKeys []string
	Keys    []string
	Where   []clause.Expression
}

// ParentVia selects the children, through e, of the parent rows matching
// cond (written for ParentAlias).
func ParentVia(e plan.Edge, cond clause.Expression) *Via {
	return &Via{Table: e.Parent, Alias: ParentAlias, ViaKeys: e.ParentKeys, Keys: e.ChildKeys, Where: []clause.Expression{cond}}
}

// LedgerVia selects the rows of t that the ledger records for deletion id.
func LedgerVia(t plan.Table, id string) *Via {
	return &Via{Table: deletionlog.LedgerTable, Alias: ledgerAlias, ViaKeys: []string{LedgerKey(t)}, Keys: t.PrimaryKeys[:1],
		Where: []clause.Expression{
			clause.Eq{Column: clause.Column{Table: ledgerAlias, Name: "deletion_id"}, Value: id},
			clause.Eq{Column: clause.Column{Table: ledgerAlias, Name: "table_name"}, Value: t.Name},
		}}
}

// In is the condition "target's Keys IN (SELECT ViaKeys FROM Table WHERE
// Where)".
func (v *Via) In(target string) clause.Expression {
	return viaIn{via: v, target: target}
}

type viaIn struct {
	via    *Via
	target string
}

func (c viaIn) Build(b clause.Builder) {
	v := c.via
	writeColumns(b, c.target, v.Keys)
	b.WriteString(" IN (SELECT ")
	for i, k := range v.ViaKeys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteQuoted(clause.Column{Table: v.Alias, Name: k})
	}
	b.WriteString(" FROM ")
	b.WriteQuoted(clause.Table{Name: v.Table, Alias: v.Alias})
	b.WriteString(" WHERE ")
	clause.And(v.Where...).Build(b)
	b.WriteString(")")
}

// Update sets set on the rows of table matching where and, when via is not
// nil, selected by via. On MySQL a via is written as a multi-table
// UPDATE ... JOIN, which MySQL and MariaDB drive from the joined table's
// index; elsewhere as an IN sub-query, which PostgreSQL and SQLite plan as
// a semi-join. It returns the rows changed.
func Update(tx *gorm.DB, table string, set clause.Set, where []clause.Expression, via *Via) (int64, error) {
	if via != nil {
		if dialect.For(tx).JoinUpdate() {
			r := On(tx, table).Exec("?", joinUpdate{table: table, set: set, where: where, via: via})
			return r.RowsAffected, r.Error
		}
		where = append(append([]clause.Expression{}, where...), via.In(table))
	}
	r := On(tx, table).Clauses(clause.Where{Exprs: where}).UpdateColumns(Assignments(set))
	return r.RowsAffected, r.Error
}

// joinUpdate is MySQL's UPDATE via STRAIGHT_JOIN t ON keys SET t.c = v
// WHERE ...: the selecting rows are read first, by their own index, and t
// through its key index, so that only the rows it changes are locked.
type joinUpdate struct {
	table string
	set   clause.Set
	where []clause.Expression
	via   *Via
}

func (u joinUpdate) Build(b clause.Builder) {
	v := u.via
	b.WriteString("UPDATE ")
	b.WriteQuoted(clause.Table{Name: v.Table, Alias: v.Alias})
	b.WriteString(" STRAIGHT_JOIN ")
	b.WriteQuoted(clause.Table{Name: u.table})
	b.WriteString(" ON ")
	on := make([]clause.Expression, 0, len(v.Keys)+len(v.Where))
	for i, k := range v.Keys {
		on = append(on, clause.Eq{Column: clause.Column{Table: v.Alias, Name: v.ViaKeys[i]}, Value: clause.Column{Table: u.table, Name: k}})
	}
	clause.And(append(on, v.Where...)...).Build(b)
	b.WriteString(" SET ")
	for i, a := range u.set {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteQuoted(clause.Column{Table: u.table, Name: a.Column.Name})
		b.WriteByte('=')
		b.AddVar(b, a.Value)
	}
	if len(u.where) > 0 {
		b.WriteString(" WHERE ")
		clause.And(u.where...).Build(b)
	}
}
