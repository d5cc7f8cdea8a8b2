package cascade

import (
	"database/sql"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/dialect"
	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/softdelete"
)

// stampDigits is the number of fractional-second digits a deletion's stamp
// needs: it is a whole millisecond.
const stampDigits = 3

// column is what the database says about a table's soft-delete time
// column, and what that means for the plan.
type column struct {
	// coarse: the column cannot hold the millisecond stamp exactly.
	coarse bool
	// typ describes the column for messages: "datetime, 0 fractional digits".
	typ string
	// err: neither path can record deletions in this column.
	err error
}

// columnRow is one row of information_schema.columns.
type columnRow struct {
	DataType          string        `gorm:"column:data_type"`
	DatetimePrecision sql.NullInt64 `gorm:"column:datetime_precision"`
	NumericPrecision  sql.NullInt64 `gorm:"column:numeric_precision"`
	NumericScale      sql.NullInt64 `gorm:"column:numeric_scale"`
}

// readColumn asks the database for the type of t's soft-delete time
// column (one statement); a table name "s.t" is table t of schema
// (database) s, bound, never pasted. found is false when the table or column is not
// there (yet). SQLite is not asked: it stores a time as text with all its
// digits and an integer in 64 bits, whatever the declared type; nor is any
// other database this package does not know (the cascade's own check
// still catches a column that loses the stamp).
func readColumn(db *gorm.DB, t plan.Table) (row columnRow, found bool, err error) {
	query := dialect.For(db).ColumnTypeQuery()
	if query == "" {
		return row, true, nil
	}
	var schemaName any
	table := t.Name
	if i := strings.LastIndexByte(table, '.'); i >= 0 {
		schemaName, table = table[:i], table[i+1:]
	}
	name, _, _ := t.Marker.TimeColumn()
	var rows []columnRow
	err = db.Session(&gorm.Session{NewDB: true, SkipHooks: true}).Raw(query, schemaName, table, name).Scan(&rows).Error
	if err != nil {
		return row, false, errs.Wrap(err, "read the type of %s.%s", t.Name, name)
	}
	if len(rows) == 0 {
		return row, false, nil
	}
	return rows[0], true, nil
}

// judge decides how deletions of t are recorded given its live time
// column: with the stamp when the column holds it exactly, else in the
// ledger (coarse); an error when neither can work.
func judge(t plan.Table, row columnRow) column {
	c := column{typ: row.DataType}
	dataType := strings.ToLower(row.DataType)
	name, kind, unit := t.Marker.TimeColumn()
	switch {
	case dataType == "":
		return c // not asked
	case kind == softdelete.Time && isDateTime(dataType):
		digits := int64(0)
		if row.DatetimePrecision.Valid {
			digits = row.DatetimePrecision.Int64
		}
		c.typ = fmt.Sprintf("%s, %d fractional-second digits", row.DataType, digits)
		c.coarse = digits < stampDigits
	case kind == softdelete.Unix && unit != softdelete.Second:
		need := int64(13) // digits of a unix time in milliseconds
		if unit == softdelete.Nano {
			need = 19
		}
		switch {
		case isNarrowInt(dataType):
			c.err = fmt.Errorf("%w: table %s: column %s is %s, too small for a unix time in %s (it needs a 64-bit integer such as bigint)",
				errs.ErrUnsupportedColumn, t.Name, name, row.DataType, unitName(unit))
		case (dataType == "numeric" || dataType == "decimal") && row.NumericPrecision.Valid &&
			row.NumericPrecision.Int64-row.NumericScale.Int64 < need:
			c.err = fmt.Errorf("%w: table %s: column %s is %s(%d,%d), too small for a unix time in %s (it needs %d integer digits)",
				errs.ErrUnsupportedColumn, t.Name, name, row.DataType, row.NumericPrecision.Int64, row.NumericScale.Int64, unitName(unit), need)
		}
	}
	return c
}

func isDateTime(dataType string) bool {
	return dataType == "date" || dataType == "datetime" || strings.HasPrefix(dataType, "timestamp")
}

func isNarrowInt(dataType string) bool {
	switch dataType {
	case "tinyint", "smallint", "mediumint", "int", "integer":
		return true
	}
	return false
}

func unitName(u softdelete.Unit) string {
	if u == softdelete.Nano {
		return "nanoseconds"
	}
	return "milliseconds"
}

// ledgerKey fails with ErrUnsupportedKey when t records its deletions in
// the ledger, which holds a single-column key, but has another key.
func ledgerKey(t plan.Table, c column) error {
	if t.Marker == nil || t.Marker.Stamped() || len(t.PrimaryKeys) == 1 {
		return nil
	}
	if t.Marker.Coarse {
		name, _, _ := t.Marker.TimeColumn()
		return fmt.Errorf("%w: table %s: column %s (%s) cannot hold a deletion's millisecond stamp, so its deletions are recorded in the ledger, which needs a single-column primary key (give the column 3 or more fractional-second digits, or the table a single-column key)",
			errs.ErrUnsupportedKey, t.Name, name, c.typ)
	}
	return fmt.Errorf("%w: table %s: a %s soft-delete column records deletions in the ledger, which needs a single-column primary key", errs.ErrUnsupportedKey, t.Name, t.Marker.Kind)
}

// live judges the soft-delete time column of each table of p that the
// schemas say holds the stamp, reading its type from db once per table
// and column, and marks Coarse the ones that cannot hold it exactly. It
// reports whether every such column was judged: not so without a database
// to ask (nil or dry run) or while a table is missing. An error of a
// column (or of its key, for the ledger) is final; an error reading the
// database is not.
func (g *Graph) live(db *gorm.DB, p *plan.Plan) (bool, error) {
	judged := true
	for _, ts := range [][]plan.Table{p.Tables, p.Others} {
		for i := range ts {
			t := &ts[i]
			if t.Marker == nil || !t.Marker.Stamped() {
				continue
			}
			c, ok, err := g.column(db, *t)
			if err != nil || !ok {
				judged = false
				if err != nil {
					return false, err
				}
				continue
			}
			if c.err != nil {
				return true, c.err
			}
			t.Marker.Coarse = c.coarse
			if err := ledgerKey(*t, c); err != nil {
				return true, err
			}
		}
	}
	return judged, nil
}

// column returns the judged time column of t, read from db the first time.
func (g *Graph) column(db *gorm.DB, t plan.Table) (column, bool, error) {
	name, _, _ := t.Marker.TimeColumn()
	key := columnKey{table: t.Name, column: name}
	g.mu.RLock()
	c, ok := g.columns[key]
	g.mu.RUnlock()
	if ok {
		return c, true, nil
	}
	if db == nil || db.DryRun {
		return c, false, nil
	}
	row, found, err := readColumn(db, t)
	if err != nil || !found {
		return c, false, err
	}
	c = judge(t, row)
	g.mu.Lock()
	g.columns[key] = c
	g.mu.Unlock()
	return c, true, nil
}
