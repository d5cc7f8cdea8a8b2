package cascade

import (
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/dialect"
)

// Aliases of the sub-queries the plugin writes; unusual enough not to
// clash with application tables.
const (
	// ParentAlias is the alias under which ParentIn's condition sees the
	// parent.
	ParentAlias  = "sc_p"
	ledgerAlias  = "sc_l"
	derivedAlias = "sc_d"
)

// Mark identifies one deletion's rows: by Stamp in stamped tables, by ID in
// the ledger for the others.
type Mark struct {
	ID    string
	Stamp time.Time
}

// Member is the condition "the row of t named alias belongs to mark".
func Member(t plan.Table, alias string, m Mark) clause.Expression {
	if t.Marker.Stamped() {
		return t.Marker.StampedWith(alias, m.Stamp)
	}
	return clause.And(t.Marker.IsDeleted(alias), InLedger(t, alias, m.ID))
}

// MemberSelect is Member as the selection of an UPDATE of t: conditions,
// and the ledger join for ledger tables (see Update).
func MemberSelect(t plan.Table, m Mark) ([]clause.Expression, *Via) {
	if t.Marker.Stamped() {
		return []clause.Expression{t.Marker.StampedWith(t.Name, m.Stamp)}, nil
	}
	return []clause.Expression{t.Marker.IsDeleted(t.Name)}, LedgerVia(t, m.ID)
}

// LedgerKey is the ledger column that holds t's keys.
func LedgerKey(t plan.Table) string {
	if t.IntKey {
		return "key_int"
	}
	return "key_text"
}

// InLedger is "the ledger records this row of t for deletion id".
func InLedger(t plan.Table, alias, id string) clause.Expression {
	return LedgerVia(t, id).In(alias)
}

// Exists is EXISTS (SELECT 1 FROM table WHERE where...).
func Exists(table clause.Table, where ...clause.Expression) clause.Expression {
	return exists{table: table, where: where}
}

type exists struct {
	table clause.Table
	where []clause.Expression
}

// Build writes the expression.
func (e exists) Build(b clause.Builder) {
	b.WriteString("EXISTS (SELECT 1 FROM ")
	b.WriteQuoted(e.table)
	b.WriteString(" WHERE ")
	clause.And(e.where...).Build(b)
	b.WriteString(")")
}

// ParentIn is "the child row's parent through edge satisfies parent", where
// parent is written for the alias ParentAlias.
func ParentIn(e plan.Edge, parent clause.Expression) clause.Expression {
	return ParentVia(e, parent).In(e.Child)
}

func writeColumns(b clause.Builder, table string, cols []string) {
	if len(cols) > 1 {
		b.WriteByte('(')
	}
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteQuoted(clause.Column{Table: table, Name: c})
	}
	if len(cols) > 1 {
		b.WriteByte(')')
	}
}

// TypeIs is the polymorphic condition of an edge, nil when it has none.
func TypeIs(e plan.Edge) clause.Expression {
	if e.TypeColumn == "" {
		return nil
	}
	return clause.Eq{Column: clause.Column{Table: e.Child, Name: e.TypeColumn}, Value: e.TypeValue}
}

// LedgerInsert is INSERT INTO the ledger (deletion_id, table_name, key)
// SELECT id, t, t.pk FROM t WHERE where. With lock the SELECT locks the
// rows it records (FOR UPDATE; PostgreSQL and MySQL). A delete records
// rows before it updates them: without the lock, PostgreSQL (and MySQL
// under READ COMMITTED) read a row another deletion is taking as still
// alive, and the ledger would give this deletion a row it then does not
// update.
func LedgerInsert(t plan.Table, id string, where []clause.Expression, lock bool) clause.Expression {
	return ledgerInsert{table: t, id: id, where: where, lock: lock}
}

type ledgerInsert struct {
	table plan.Table
	id    string
	where []clause.Expression
	lock  bool
}

func (l ledgerInsert) Build(b clause.Builder) {
	b.WriteString("INSERT INTO ")
	b.WriteQuoted(clause.Table{Name: deletionlog.LedgerTable})
	b.WriteString(" (")
	for i, c := range []string{"deletion_id", "table_name", LedgerKey(l.table)} {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteQuoted(c)
	}
	b.WriteString(") SELECT ")
	b.AddVar(b, l.id)
	b.WriteByte(',')
	b.AddVar(b, l.table.Name)
	b.WriteByte(',')
	b.WriteQuoted(clause.Column{Table: l.table.Name, Name: l.table.PrimaryKeys[0]})
	b.WriteString(" FROM ")
	b.WriteQuoted(clause.Table{Name: l.table.Name})
	b.WriteString(" WHERE ")
	clause.And(l.where...).Build(b)
	if l.lock {
		b.WriteString(" FOR UPDATE")
	}
}

// Assignments turns a SET into the map GORM's UpdateColumns takes.
func Assignments(set clause.Set) map[string]any {
	m := make(map[string]any, len(set))
	for _, a := range set {
		m[a.Column.Name] = a.Value
	}
	return m
}

// Not is the negation of e as a whole: NOT (e). GORM's clause.Not
// negates each condition of an AND on its own (NOT a AND NOT b), which is
// not the negation of a AND b.
func Not(e clause.Expression) clause.Expression { return not{e: e} }

type not struct{ e clause.Expression }

func (n not) Build(b clause.Builder) {
	b.WriteString("NOT (")
	n.e.Build(b)
	b.WriteString(")")
}

// NonNil drops nil expressions.
func NonNil(exprs ...clause.Expression) []clause.Expression {
	out := exprs[:0]
	for _, e := range exprs {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}

// Locks reports whether the database takes row locks with SELECT ... FOR
// UPDATE (SQLite has no such clause: it runs one writer at a time).
func Locks(db *gorm.DB) bool { return dialect.For(db).RowLocks() }
