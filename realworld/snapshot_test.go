package realworld_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// tableSnapshot is every row of one table, each row one line of text with
// every column, keyed by its primary key (the whole line when the table
// has none), in primary-key order.
type tableSnapshot struct {
	keys  []string
	lines map[string]string
}

// tableSnapshots is a snapshot of every table but the plugin's own.
type tableSnapshots map[string]tableSnapshot

// snapshot reads every row of every application table, Unscoped.
func snapshot(t *testing.T, e *env) tableSnapshots {
	t.Helper()
	names, err := e.db.Migrator().GetTables()
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	out := tableSnapshots{}
	for alias, name := range e.extra {
		out[alias] = snapshotTable(t, e, name)
	}
	for _, name := range names {
		if strings.HasPrefix(name, "sqlite_") || strings.Contains(strings.ToLower(name), "softcascade_") {
			continue
		}
		out[name] = snapshotTable(t, e, name)
	}
	return out
}

// primaryKey returns the primary-key columns of table, read from the
// catalog: GORM's Migrator parses a table name with a space as SQL.
func primaryKey(t *testing.T, e *env, table string) []string {
	t.Helper()
	if pk, ok := e.pks[table]; ok {
		return pk
	}
	var q string
	var args []any
	switch {
	case e.d.IsSQLite():
		q, args = "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", []any{table}
	case e.d.IsPostgres():
		// the quoted, possibly schema-qualified name, as regclass reads it
		stmt := &gorm.Statement{DB: e.db}
		quoted := stmt.Quote(clause.Table{Name: table})
		q = "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) " +
			"WHERE i.indrelid = CAST(? AS regclass) AND i.indisprimary ORDER BY a.attnum"
		args = []any{quoted}
	default:
		q = "SELECT column_name FROM information_schema.key_column_usage " +
			"WHERE table_schema = DATABASE() AND table_name = ? AND constraint_name = 'PRIMARY' ORDER BY ordinal_position"
		args = []any{table}
	}
	var pk []string
	if err := e.db.Raw(q, args...).Scan(&pk).Error; err != nil {
		t.Fatalf("primary key of %s: %v", table, err)
	}
	e.pks[table] = pk
	return pk
}

func snapshotTable(t *testing.T, e *env, table string) tableSnapshot {
	t.Helper()
	pk := primaryKey(t, e, table)
	q := e.db.Session(&gorm.Session{NewDB: true}).Table("?", clause.Table{Name: table})
	for _, c := range pk {
		q = q.Order(clause.OrderByColumn{Column: clause.Column{Name: c}})
	}
	rows, err := q.Rows()
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	isKey := map[string]bool{}
	for _, c := range pk {
		isKey[c] = true
	}
	s := tableSnapshot{lines: map[string]string{}}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		var line, key strings.Builder
		for i, v := range vals {
			if i > 0 {
				line.WriteString(" | ")
			}
			fmt.Fprintf(&line, "%s=%s", cols[i], text(v))
			if isKey[cols[i]] {
				fmt.Fprintf(&key, "%s=%s;", cols[i], text(v))
			}
		}
		k := key.String()
		if len(pk) == 0 {
			k = line.String()
		}
		if _, dup := s.lines[k]; dup {
			t.Fatalf("read %s: two rows with key %s", table, k)
		}
		s.keys = append(s.keys, k)
		s.lines[k] = line.String()
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	if len(pk) == 0 {
		sort.Strings(s.keys)
	}
	return s
}

// text normalises a scanned value to text.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return fmt.Sprintf("%q", x)
	case string:
		return fmt.Sprintf("%q", x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	default:
		return fmt.Sprint(x)
	}
}

// requireSame fails the test when got differs from want, naming the first
// differing row of each table.
func requireSame(t *testing.T, what string, want, got tableSnapshots) {
	t.Helper()
	var diffs []string
	for table, w := range want {
		g, ok := got[table]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("table %s is gone", table))
			continue
		}
		a, b := strings.Join(orderedLines(w), "\n"), strings.Join(orderedLines(g), "\n")
		if a == b {
			continue
		}
		diffs = append(diffs, fmt.Sprintf("table %s (%d rows, want %d):\n%s", table, len(g.keys), len(w.keys), firstDiff(w, g)))
	}
	for table := range got {
		if _, ok := want[table]; !ok {
			diffs = append(diffs, fmt.Sprintf("new table %s", table))
		}
	}
	if len(diffs) > 0 {
		sort.Strings(diffs)
		t.Fatalf("after %s the database differs from before the deletion:\n%s", what, strings.Join(diffs, "\n"))
	}
}

func orderedLines(s tableSnapshot) []string {
	out := make([]string, len(s.keys))
	for i, k := range s.keys {
		out[i] = s.lines[k]
	}
	return out
}

func firstDiff(want, got tableSnapshot) string {
	for _, k := range want.keys {
		g, ok := got.lines[k]
		if !ok {
			return fmt.Sprintf("  missing %s", want.lines[k])
		}
		if g != want.lines[k] {
			return fmt.Sprintf("  got  %s\n  want %s", g, want.lines[k])
		}
	}
	for _, k := range got.keys {
		if _, ok := want.lines[k]; !ok {
			return fmt.Sprintf("  extra %s", got.lines[k])
		}
	}
	return "  same rows, different order"
}
