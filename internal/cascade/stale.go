package cascade

import (
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/deletionlog"
)

// staleAlias names the derived table of DropStaleLedger's sub-query.
const staleAlias = "sc_x"

// DropStaleLedger deletes the ledger rows that deletions other than id
// hold for the rows of ledger table t that deletion id has just recorded.
// Those rows were live when id took them, so any older entry is stale: the
// row was brought back outside the plugin. Left there, it would let the
// older deletion — another tenant's, perhaps — restore or purge a row that
// is now id's.
//
// DELETE FROM ledger WHERE table_name = t AND deletion_id <> id AND key IN
// (SELECT k FROM (SELECT DISTINCT key AS k FROM ledger WHERE deletion_id =
// id AND table_name = t) AS sc_x): the derived table is materialised, which
// MySQL needs to read the table a DELETE changes.
func DropStaleLedger(t plan.Table, id string) clause.Expression {
	return staleLedger{table: t, id: id}
}

type staleLedger struct {
	table plan.Table
	id    string
}

func (s staleLedger) Build(b clause.Builder) {
	key := LedgerKey(s.table)
	ledger := clause.Table{Name: deletionlog.LedgerTable}
	b.WriteString("DELETE FROM ")
	b.WriteQuoted(ledger)
	b.WriteString(" WHERE ")
	clause.And(
		clause.Eq{Column: clause.Column{Name: "table_name"}, Value: s.table.Name},
		clause.Neq{Column: clause.Column{Name: "deletion_id"}, Value: s.id},
	).Build(b)
	b.WriteString(" AND ")
	b.WriteQuoted(clause.Column{Name: key})
	b.WriteString(" IN (SELECT ")
	b.WriteQuoted(clause.Column{Table: staleAlias, Name: "k"})
	b.WriteString(" FROM (SELECT DISTINCT ")
	b.WriteQuoted(clause.Column{Name: key})
	b.WriteString(" AS ")
	b.WriteQuoted("k")
	b.WriteString(" FROM ")
	b.WriteQuoted(ledger)
	b.WriteString(" WHERE ")
	clause.And(
		clause.Eq{Column: clause.Column{Name: "deletion_id"}, Value: s.id},
		clause.Eq{Column: clause.Column{Name: "table_name"}, Value: s.table.Name},
	).Build(b)
	b.WriteString(") ")
	b.WriteQuoted(staleAlias)
	b.WriteString(")")
}
