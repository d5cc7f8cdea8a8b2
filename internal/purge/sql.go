package purge

import (
	"time"

	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/dialect"
	"github.com/softcascade/softcascade/internal/softdelete"
)

// Aliases of the sub-queries purge writes; distinct from cascade's.
const (
	childAlias = "sc_c" // a child row that keeps its parent
	laterAlias = "sc_n" // a later ledger row of the same row
	logAlias   = "sc_x" // a deletion (or ledger row) covering a row
)

// notExists is NOT EXISTS (SELECT 1 FROM table WHERE where...).
func notExists(table clause.Table, where ...clause.Expression) clause.Expression {
	return clause.Not(cascade.Exists(table, where...))
}

func col(table, name string) clause.Column { return clause.Column{Table: table, Name: name} }

// noChild is "no row of e.Child references this row of e.Parent (named
// parent) through e".
func noChild(e plan.Edge, parent string) clause.Expression {
	where := make([]clause.Expression, 0, len(e.ChildKeys)+1)
	for i, k := range e.ChildKeys {
		where = append(where, clause.Eq{Column: col(childAlias, k), Value: col(parent, e.ParentKeys[i])})
	}
	if e.TypeColumn != "" {
		where = append(where, clause.Eq{Column: col(childAlias, e.TypeColumn), Value: e.TypeValue})
	}
	return notExists(clause.Table{Name: e.Child, Alias: childAlias}, where...)
}

// notRetaken is "no later deletion than id took this row of ledger table t
// too". A row that was restored and deleted again belongs to the later
// deletion only, even if the earlier one's ledger row is still there.
// Deletion IDs are UUIDv7 text, so they sort by creation time.
func notRetaken(t plan.Table, alias, id string) clause.Expression {
	return notExists(clause.Table{Name: deletionlog.LedgerTable, Alias: laterAlias},
		clause.Eq{Column: col(laterAlias, "table_name"), Value: t.Name},
		clause.Eq{Column: col(laterAlias, cascade.LedgerKey(t)), Value: col(alias, t.PrimaryKeys[0])},
		clause.Gt{Column: col(laterAlias, "deletion_id"), Value: id},
	)
}

// agedBefore is "this deleted row of t (named alias) was deleted before
// cutoff". Unix columns compare numerically in their unit, rounded so that
// a row counts only when its whole second (or millisecond) is before the
// cutoff; timestamps compare in SQL (on SQLite through julianday, as they
// are stored as text).
func agedBefore(t plan.Table, alias string, cutoff time.Time, dia dialect.Purge) clause.Expression {
	name, kind, unit := t.Marker.TimeColumn()
	c := col(alias, name)
	if kind == softdelete.Time {
		return dia.TimeBefore(c, cutoff)
	}
	var v int64
	switch unit {
	case softdelete.Milli:
		v = cutoff.UnixMilli()
	case softdelete.Nano:
		v = cutoff.UnixNano()
	default:
		v = cutoff.Unix()
	}
	return clause.Lt{Column: c, Value: v}
}

// notInDeletion is "no unpurged deletion of the plugin covers this row of
// t": for stamped tables no such deletion has the row's stamp, for the
// others no ledger row names it (ledger rows go when their deletion is
// purged).
func notInDeletion(t plan.Table, alias string, dia dialect.Purge) clause.Expression {
	if !t.Marker.Stamped() {
		return notExists(clause.Table{Name: deletionlog.LedgerTable, Alias: logAlias},
			clause.Eq{Column: col(logAlias, "table_name"), Value: t.Name},
			clause.Eq{Column: col(logAlias, cascade.LedgerKey(t)), Value: col(alias, t.PrimaryKeys[0])},
		)
	}
	name, kind, unit := t.Marker.TimeColumn()
	var same clause.Expression
	switch {
	case kind == softdelete.Time:
		same = clause.Eq{Column: col(logAlias, "deleted_at"), Value: col(alias, name)}
	case unit == softdelete.Nano:
		same = clause.Eq{Column: col(logAlias, "stamp"), Value: dia.NanosToMillis(col(alias, name))}
	default:
		same = clause.Eq{Column: col(logAlias, "stamp"), Value: col(alias, name)}
	}
	return notExists(clause.Table{Name: deletionlog.Deletion{}.TableName(), Alias: logAlias},
		clause.Eq{Column: col(logAlias, "purged_at"), Value: nil},
		same,
	)
}

// tuple writes columns (or values) as one value or a parenthesised row.
func tuple(b clause.Builder, n int, item func(i int)) {
	if n > 1 {
		b.WriteByte('(')
	}
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		item(i)
	}
	if n > 1 {
		b.WriteByte(')')
	}
}

// keysIn is "the row's key columns are [not] one of keys".
type keysIn struct {
	not   bool
	table string
	cols  []string
	keys  [][]any
}

// Build writes (cols) [NOT] IN ((k...),...).
func (k keysIn) Build(b clause.Builder) {
	tuple(b, len(k.cols), func(i int) { b.WriteQuoted(col(k.table, k.cols[i])) })
	if k.not {
		b.WriteString(" NOT")
	}
	b.WriteString(" IN (")
	for j, key := range k.keys {
		if j > 0 {
			b.WriteByte(',')
		}
		tuple(b, len(key), func(i int) { b.AddVar(b, key[i]) })
	}
	b.WriteByte(')')
}
