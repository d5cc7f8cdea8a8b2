package cascade

import (
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/dialect"
	"github.com/softcascade/softcascade/internal/errs"
)

// Live checks stored plans against the database's schema before any of
// their names reaches a statement: every table a plan names exists, and
// has every column the plan names in it (primary keys, soft-delete
// columns, unique-index columns, edge keys, polymorphic type columns, join
// keys). One statement that reads no row checks them all (an EXISTS per
// table of a SELECT of every such column, quoted, WHERE 1 = 0, see
// probeSQL); only when it fails
// are the tables read one at a time, to name the table or column at
// fault. A Live keeps what it saw, so one serves one call of Restore,
// RestoreDeletion or Purge, not longer: a later call sees a changed
// schema.
type Live struct {
	tx      *gorm.DB
	columns map[string]map[string]bool // table -> its columns; nil: missing
	errs    map[string]error           // table -> why it could not be read
	seen    map[string]map[string]bool // table -> columns a probe found
	once    bool                       // see NewLiveOnce
}

// NewLive returns a Live that reads the schema through tx.
func NewLive(tx *gorm.DB) *Live {
	return &Live{tx: tx, columns: map[string]map[string]bool{}, errs: map[string]error{}, seen: map[string]map[string]bool{}}
}

// Check validates p's shape (plan.Validate), then its tables and columns
// against the database. A mismatch is errs.ErrInvalidPlan naming the table
// or column; a table that cannot be read is a *MissingTable.
func (l *Live) Check(p *plan.Plan) error {
	if err := p.Validate(); err != nil {
		return err
	}
	order, need := needs(p)
	if l.verified(order, need) {
		return nil
	}
	perr := l.probe(order, need)
	if perr == nil {
		return nil
	}
	if l.once {
		return &NotLive{Plan: p, Err: perr}
	}
	return l.name(order, need, perr)
}

// name reads the tables of a failed probe one at a time and returns the
// error that names the table or column at fault (perr, the probe's, when
// none is).
func (l *Live) name(order []string, need map[string][]string, perr error) error {
	for _, table := range order {
		have, err := l.read(table)
		if err != nil {
			return err
		}
		for _, c := range need[table] {
			if !l.has(have, c) {
				return fmt.Errorf("%w: table %q has no column %q", errs.ErrInvalidPlan, table, c)
			}
		}
	}
	return errs.Wrap(perr, "check stored plan")
}

// needs lists the tables p names, in plan order, and the columns it names
// in each.
func needs(p *plan.Plan) ([]string, map[string][]string) {
	need := map[string][]string{}
	order := []string{}
	add := func(table string, cols ...string) {
		if _, ok := need[table]; !ok {
			order = append(order, table)
		}
		need[table] = append(need[table], cols...)
	}
	for _, ts := range [][]plan.Table{p.Tables, p.Others} {
		for _, t := range ts {
			add(t.Name, t.PrimaryKeys...)
			if t.Marker != nil {
				add(t.Name, t.Marker.Column)
				if t.Marker.AtColumn != "" {
					add(t.Name, t.Marker.AtColumn)
				}
			}
			for _, u := range t.Unique {
				add(t.Name, u.Columns...)
			}
		}
	}
	for _, es := range [][]plan.Edge{p.Edges, p.Restricts, p.Incoming} {
		for _, e := range es {
			add(e.Parent, e.ParentKeys...)
			add(e.Child, e.ChildKeys...)
			if e.TypeColumn != "" {
				add(e.Child, e.TypeColumn)
			}
		}
	}
	for _, j := range p.Joins {
		add(j.Owner, j.OwnerKeys...)
		add(j.Table, j.JoinKeys...)
		if j.TypeColumn != "" {
			add(j.Table, j.TypeColumn)
		}
	}
	return order, need
}

// verified reports whether an earlier probe of this Live saw every table
// and column of need.
func (l *Live) verified(order []string, need map[string][]string) bool {
	for _, t := range order {
		for _, c := range need[t] {
			if !l.seen[t][c] {
				return false
			}
		}
	}
	return true
}

// probe selects every needed column of every table in one statement that
// reads no row (SELECT probeSQL), and records
// them as seen when it succeeds. On PostgreSQL in a transaction it runs
// under a savepoint, so that a failed probe does not abort the
// transaction the per-table reads then need.
func (l *Live) probe(order []string, need map[string][]string) error {
	q := probeOf(order, need)
	tx := l.tx.Session(&gorm.Session{NewDB: true})
	savepoint := ""
	if _, inTx := tx.Statement.ConnPool.(gorm.TxCommitter); inTx && !l.once && dialect.For(tx).AbortsOnError() {
		savepoint = fmt.Sprintf("sc_live_%p", l)
		if err := tx.SavePoint(savepoint).Error; err != nil {
			return err
		}
	}
	rows, err := tx.Raw("SELECT ?", q).Rows()
	if err == nil {
		err = rows.Close()
	}
	if err != nil {
		if savepoint != "" {
			_ = tx.RollbackTo(savepoint).Error
		}
		return err
	}
	l.saw(order, need)
	return nil
}

// saw records the tables and columns of need as seen by a probe.
func (l *Live) saw(order []string, need map[string][]string) {
	for _, t := range order {
		if l.seen[t] == nil {
			l.seen[t] = map[string]bool{}
		}
		for _, c := range need[t] {
			l.seen[t][c] = true
		}
	}
}

// probeOf is the probe's check for need.
func probeOf(order []string, need map[string][]string) probeSQL {
	var q probeSQL
	for i, t := range order {
		alias := fmt.Sprintf("sc_t%d", i)
		pt := probeTable{table: clause.Table{Name: t, Alias: alias}}
		seen := map[string]bool{}
		for _, c := range need[t] {
			if !seen[c] {
				seen[c] = true
				pt.cols = append(pt.cols, clause.Column{Table: alias, Name: c})
			}
		}
		q.tables = append(q.tables, pt)
	}
	return q
}

// probeSQL is the probe's check, an expression that reads no row and
// fails when a table or column is missing:
//
//	CASE WHEN EXISTS (SELECT a.c, ... FROM t AS a WHERE 1 = 0) OR EXISTS (...) ... THEN 0 ELSE 0 END
//
// One EXISTS per table, each planned on its own: a join of every table
// (SELECT ... FROM t1, t2, ... WHERE 1 = 0) costs PostgreSQL's planner
// about 10 ms for the nine tables of the seed's project.
type probeSQL struct{ tables []probeTable }

// probeTable is one table of a probe and the columns it names there.
type probeTable struct {
	table clause.Table
	cols  []clause.Column
}

func (p probeSQL) Build(b clause.Builder) {
	_, _ = b.WriteString("CASE WHEN ")
	for i, t := range p.tables {
		if i > 0 {
			_, _ = b.WriteString(" OR ")
		}
		_, _ = b.WriteString("EXISTS (SELECT ")
		for j, c := range t.cols {
			if j > 0 {
				_ = b.WriteByte(',')
			}
			b.WriteQuoted(c)
		}
		_, _ = b.WriteString(" FROM ")
		b.WriteQuoted(t.table)
		_, _ = b.WriteString(" WHERE 1 = 0)")
	}
	_, _ = b.WriteString(" THEN 0 ELSE 0 END")
}

// Readable reads table's columns, as Check does, and returns a
// *MissingTable when it cannot.
func (l *Live) Readable(table string) error {
	_, err := l.read(table)
	return err
}

// MissingTable is the error of a table the plan names that the database
// does not have (or that could not be read).
type MissingTable struct {
	Table string
	Err   error // the database's error
}

func (e *MissingTable) Error() string {
	return fmt.Sprintf("%s: table %q does not exist or cannot be read: %v", errs.ErrInvalidPlan, e.Table, e.Err)
}

// Unwrap makes errors.Is match errs.ErrInvalidPlan and the database's error.
func (e *MissingTable) Unwrap() []error { return []error{errs.ErrInvalidPlan, e.Err} }

// read returns table's columns, reading them on first use.
func (l *Live) read(table string) (map[string]bool, error) {
	if err, ok := l.errs[table]; ok {
		return nil, err
	}
	if cols, ok := l.columns[table]; ok {
		return cols, nil
	}
	rows, err := l.tx.Session(&gorm.Session{NewDB: true}).Table("?", clause.Table{Name: table}).Where("1 = 0").Rows()
	var names []string
	if err == nil {
		names, err = rows.Columns()
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		l.errs[table] = &MissingTable{Table: table, Err: err}
		return nil, l.errs[table]
	}
	cols := make(map[string]bool, len(names))
	for _, n := range names {
		cols[n] = true
	}
	l.columns[table] = cols
	return cols, nil
}

// has reports whether column c is among have: exactly on PostgreSQL,
// whose quoted names are case-sensitive; regardless of case on MySQL and
// SQLite, whose column names are not.
func (l *Live) has(have map[string]bool, c string) bool {
	if have[c] {
		return true
	}
	if dialect.For(l.tx).CaseSensitiveColumns() {
		return false
	}
	for h := range have {
		if strings.EqualFold(h, c) {
			return true
		}
	}
	return false
}
