package unique

import (
	"errors"
	"fmt"
	"github.com/softcascade/softcascade/internal/dialect"
	"github.com/softcascade/softcascade/internal/errs"
	"maps"
	"slices"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade/plan"
)

// ErrConflict is what every *ConflictError wraps:
// errors.Is(err, ErrConflict) tells a unique conflict from other errors.
var ErrConflict = errors.New("softcascade: unique value held by a live row")

// ConflictError is returned when a row cannot be restored because a live
// row holds the same values in a unique-while-live index. Rename (or
// delete) the live row, then restore again.
type ConflictError struct {
	Table   string         // the table of both rows
	Index   string         // the unique index
	Columns []string       // the index's columns, in order
	Key     map[string]any // the values both rows hold, by column
	Live    map[string]any // the live row's primary key, by column
	Deleted map[string]any // the primary key of the row that cannot come back
	Err     error          // ErrConflict
}

// Error names the table, the values, both rows and the index.
func (e *ConflictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "softcascade: cannot restore %s %s: ", e.Table, pairs(slices.Sorted(maps.Keys(e.Deleted)), e.Deleted))
	fmt.Fprintf(&b, "%s is held by live row %s (unique index %s); rename the live row first",
		pairs(e.Columns, e.Key), pairs(slices.Sorted(maps.Keys(e.Live)), e.Live), e.Index)
	return b.String()
}

// Unwrap returns Err.
func (e *ConflictError) Unwrap() error { return e.Err }

func pairs(cols []string, m map[string]any) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		v := m[c]
		if s, ok := v.(string); ok {
			parts[i] = fmt.Sprintf("%s=%q", c, s)
		} else {
			parts[i] = fmt.Sprintf("%s=%v", c, v)
		}
	}
	return strings.Join(parts, ",")
}

// liveAlias names the live side of Check's self-join.
const liveAlias = "sc_u"

// Check returns a *ConflictError for the first row of t selected by
// rowsToRestore whose values in one of indexes are held by a live row, and
// nil when restoring them all breaks none of the indexes. Call it inside the
// restore's transaction, before the UPDATE. rowsToRestore selects deleted
// rows and is written for the table's own name (columns qualified with
// t.Name, not an alias). One SELECT ... LIMIT 1 per index, whatever the
// number of rows; the live side is found through the index itself (on
// MySQL through its generated columns once Migrate has made them, through
// the plain columns before). Rows restored together are not checked against
// each other: they were unique among themselves when they were alive.
//
// A restore calls it per table of its plan, before changing anything:
//
//	rows := cascade.Member(t, t.Name, mark)
//	if err := unique.Check(tx, t, rows, t.Unique); err != nil {
//		return err // *ConflictError: roll back
//	}
func Check(tx *gorm.DB, t plan.Table, rowsToRestore clause.Expression, indexes []Index) error {
	if t.Marker == nil {
		return nil
	}
	for _, ix := range indexes {
		if err := check(tx, t, rowsToRestore, ix); err != nil {
			return err
		}
	}
	return nil
}

func check(tx *gorm.DB, t plan.Table, rows clause.Expression, ix Index) error {
	tx = tx.Session(&gorm.Session{NewDB: true})
	// The live side is looked up through the unique index: on MySQL that
	// index is over the generated columns, so join on them when they exist
	// (a join on the plain columns would scan the table for every row).
	liveCols := ix.Columns
	if kind, _ := dialect.For(tx).UniqueWhileLive(); kind == dialect.LiveColumns && hasLiveColumns(tx, t.Name, ix.Columns) {
		liveCols = make([]string, len(ix.Columns))
		for i, c := range ix.Columns {
			liveCols[i] = LiveColumn(c)
		}
	}
	on := make([]clause.Expression, len(ix.Columns))
	var sel []clause.Column
	for i, c := range ix.Columns {
		on[i] = clause.Eq{Column: clause.Column{Table: liveAlias, Name: liveCols[i]}, Value: clause.Column{Table: t.Name, Name: c}}
		sel = append(sel, clause.Column{Table: liveAlias, Name: c, Alias: alias("k", i)})
	}
	other := make([]clause.Expression, len(t.PrimaryKeys)) // never the row itself
	for i, pk := range t.PrimaryKeys {
		other[i] = clause.Neq{Column: clause.Column{Table: liveAlias, Name: pk}, Value: clause.Column{Table: t.Name, Name: pk}}
		sel = append(sel,
			clause.Column{Table: liveAlias, Name: pk, Alias: alias("l", i)},
			clause.Column{Table: t.Name, Name: pk, Alias: alias("r", i)})
	}
	var found []map[string]any
	err := tx.Table("?", clause.Table{Name: t.Name}).Clauses(
		clause.Select{Columns: sel},
		clause.From{
			Tables: []clause.Table{{Name: t.Name}},
			Joins:  []clause.Join{{Type: clause.InnerJoin, Table: clause.Table{Name: t.Name, Alias: liveAlias}, ON: clause.Where{Exprs: on}}},
		},
		clause.Where{Exprs: []clause.Expression{clause.And(rows), t.Marker.AliveLiteral(liveAlias), anyOf(other)}},
	).Limit(1).Find(&found).Error
	if err != nil {
		return errs.Wrap(err, "unique check %s.%s", t.Name, ix.Name)
	}
	if len(found) == 0 {
		return nil
	}
	e := &ConflictError{Table: t.Name, Index: ix.Name, Columns: slices.Clone(ix.Columns), Err: ErrConflict,
		Key: map[string]any{}, Live: map[string]any{}, Deleted: map[string]any{}}
	for i, c := range ix.Columns {
		e.Key[c] = found[0][alias("k", i)]
	}
	for i, pk := range t.PrimaryKeys {
		e.Live[pk] = found[0][alias("l", i)]
		e.Deleted[pk] = found[0][alias("r", i)]
	}
	return e
}

// hasLiveColumns reports whether table has the generated column of every
// one of columns (MySQL, once Migrate has run).
func hasLiveColumns(tx *gorm.DB, table string, columns []string) bool {
	m := tx.Migrator()
	for _, c := range columns {
		if !m.HasColumn(table, LiveColumn(c)) {
			return false
		}
	}
	return true
}

// anyOf is "one of exprs holds", parenthesised; never a bare OrConditions
// of one expression, which a WHERE would join with OR.
func anyOf(exprs []clause.Expression) clause.Expression {
	if len(exprs) == 1 {
		return exprs[0]
	}
	return clause.Or(exprs...)
}

func alias(prefix string, i int) string { return fmt.Sprintf("sc_%s%d", prefix, i) }
