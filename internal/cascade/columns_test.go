package cascade

import (
	"database/sql"
	"errors"
	"testing"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/softdelete"
)

// judge: which column types keep the millisecond stamp, which take the
// ledger, which are refused.
func TestJudgeColumn(t *testing.T) {
	timeT := plan.Table{Name: "t", PrimaryKeys: []string{"id"}, Marker: &softdelete.Marker{Column: "deleted_at", Kind: softdelete.Time, AliveNull: true}}
	milli := plan.Table{Name: "t", PrimaryKeys: []string{"id"}, Marker: &softdelete.Marker{Column: "deleted_at", Kind: softdelete.Unix, Unit: softdelete.Milli}}
	nano := plan.Table{Name: "t", PrimaryKeys: []string{"id"}, Marker: &softdelete.Marker{Column: "deleted_at", Kind: softdelete.Unix, Unit: softdelete.Nano}}
	mixed := plan.Table{Name: "t", PrimaryKeys: []string{"id"}, Marker: &softdelete.Marker{Column: "is_del", Kind: softdelete.Flag, AtColumn: "deleted_at", AtKind: softdelete.Time}}
	n := func(v int64) sql.NullInt64 { return sql.NullInt64{Int64: v, Valid: true} }
	for _, c := range []struct {
		name   string
		table  plan.Table
		row    columnRow
		coarse bool
		err    error
	}{
		{"sqlite (not asked)", timeT, columnRow{}, false, nil},
		{"timestamp(0)", timeT, columnRow{DataType: "timestamp without time zone", DatetimePrecision: n(0)}, true, nil},
		{"timestamptz(2)", timeT, columnRow{DataType: "timestamp with time zone", DatetimePrecision: n(2)}, true, nil},
		{"timestamptz(3)", timeT, columnRow{DataType: "timestamp with time zone", DatetimePrecision: n(3)}, false, nil},
		{"timestamp", timeT, columnRow{DataType: "timestamp without time zone", DatetimePrecision: n(6)}, false, nil},
		{"date (postgres)", timeT, columnRow{DataType: "date", DatetimePrecision: n(0)}, true, nil},
		{"DATE (mysql)", timeT, columnRow{DataType: "date"}, true, nil},
		{"DATETIME", timeT, columnRow{DataType: "datetime", DatetimePrecision: n(0)}, true, nil},
		{"DATETIME, no precision reported", timeT, columnRow{DataType: "datetime"}, true, nil},
		{"DATETIME(3)", timeT, columnRow{DataType: "datetime", DatetimePrecision: n(3)}, false, nil},
		{"TIMESTAMP(1)", timeT, columnRow{DataType: "timestamp", DatetimePrecision: n(1)}, true, nil},
		{"text", timeT, columnRow{DataType: "text"}, false, nil},
		{"mixed, DATETIME at-column", mixed, columnRow{DataType: "datetime", DatetimePrecision: n(0)}, true, nil},
		{"milli bigint", milli, columnRow{DataType: "bigint", NumericPrecision: n(64)}, false, nil},
		{"milli int", milli, columnRow{DataType: "int", NumericPrecision: n(10)}, false, errs.ErrUnsupportedColumn},
		{"milli integer", milli, columnRow{DataType: "integer", NumericPrecision: n(32)}, false, errs.ErrUnsupportedColumn},
		{"milli numeric(13)", milli, columnRow{DataType: "numeric", NumericPrecision: n(13), NumericScale: n(0)}, false, nil},
		{"milli numeric(12)", milli, columnRow{DataType: "numeric", NumericPrecision: n(12), NumericScale: n(0)}, false, errs.ErrUnsupportedColumn},
		{"nano decimal(18)", nano, columnRow{DataType: "decimal", NumericPrecision: n(18), NumericScale: n(0)}, false, errs.ErrUnsupportedColumn},
		{"nano numeric", nano, columnRow{DataType: "numeric"}, false, nil},
	} {
		got := judge(c.table, c.row)
		if got.coarse != c.coarse || !errors.Is(got.err, c.err) || (c.err == nil) != (got.err == nil) {
			t.Errorf("%s: coarse %v, err %v; want coarse %v, err %v", c.name, got.coarse, got.err, c.coarse, c.err)
		}
	}
}
