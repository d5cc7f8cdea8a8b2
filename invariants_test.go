package softcascade_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/cascade"
	"github.com/softcascade/softcascade/cascade/plan"
	"github.com/softcascade/softcascade/deletionlog"
	modelstest "github.com/softcascade/softcascade/models_test"
)

// Invariants the reliability tests check after faults, races and every
// step of the random walk. They read the database only; none of them uses
// the plugin's own restore or delete code.

// dumpDB returns every row of every table, each row one line with every
// column (soft-delete columns included), sorted; the plugin's own tables
// are left out unless withLog.
func dumpDB(t testing.TB, db *gorm.DB, withLog bool) map[string][]string {
	t.Helper()
	tables, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	out := map[string][]string{}
	for _, name := range tables {
		if strings.HasPrefix(name, "sqlite_") || (!withLog && strings.HasPrefix(name, "softcascade_")) {
			continue
		}
		out[name] = dumpTable(t, db, name)
	}
	return out
}

func dumpTable(t testing.TB, db *gorm.DB, name string) []string {
	t.Helper()
	rows, err := db.Table(name).Rows()
	if err != nil {
		t.Fatalf("dump %s: %v", name, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("dump %s: %v", name, err)
		}
		var b strings.Builder
		for i, v := range vals {
			if i > 0 {
				b.WriteString(" | ")
			}
			fmt.Fprintf(&b, "%s=%s", cols[i], formatValue(v))
		}
		lines = append(lines, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("dump %s: %v", name, err)
	}
	sort.Strings(lines)
	return lines
}

func formatValue(v any) string {
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

// sameDump reports the first difference between two dumps, "" when equal.
func sameDump(want, got map[string][]string) string {
	var names []string
	for n := range want {
		names = append(names, n)
	}
	for n := range got {
		if _, ok := want[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		w, g := want[n], got[n]
		if strings.Join(w, "\n") == strings.Join(g, "\n") {
			continue
		}
		for i := 0; i < len(w) || i < len(g); i++ {
			var wl, gl string
			if i < len(w) {
				wl = w[i]
			}
			if i < len(g) {
				gl = g[i]
			}
			if wl != gl {
				return fmt.Sprintf("table %s (%d rows, want %d): row %d\n  got  %s\n  want %s", n, len(g), len(w), i, gl, wl)
			}
		}
	}
	return ""
}

// requireUnchanged fails when the database differs from before.
func requireUnchanged(t testing.TB, what string, db *gorm.DB, before map[string][]string) {
	t.Helper()
	if diff := sameDump(before, dumpDB(t, db, true)); diff != "" {
		t.Fatalf("%s changed the database:\n%s", what, diff)
	}
}

// checkLog verifies that the deletion log agrees with the rows: for every
// deletion, the rows still carrying its mark (stamp or ledger) plus the
// rows restored from it make its recorded count, no table holds more of
// its rows than recorded, and it is marked restored exactly when nothing
// of it is left in the trash. The ledger holds no row of a live row and
// none of a deletion that does not exist.
func checkLog(t testing.TB, db *gorm.DB) {
	t.Helper()
	checkLogSkipping(t, db, nil)
}

// checkLogSkipping is checkLog for the deletions not in skip.
func checkLogSkipping(t testing.TB, db *gorm.DB, skip map[string]bool) {
	t.Helper()
	var ds []softcascade.Deletion
	if err := db.Order("stamp").Find(&ds).Error; err != nil {
		t.Fatalf("read log: %v", err)
	}
	for _, d := range ds {
		if skip[d.ID] {
			continue
		}
		if d.PurgedAt != nil {
			continue // TODO(purge): check that nothing of a purged deletion is left.
		}
		if d.Plan == nil {
			t.Errorf("deletion %s has no plan", d.ID)
			continue
		}
		var total, left int64
		for _, n := range d.Tables {
			total += n
		}
		if total != d.Rows {
			t.Errorf("deletion %s: Rows %d != sum of Tables %d (%v)", d.ID, d.Rows, total, d.Tables)
		}
		mark := cascade.Mark{ID: d.ID, Stamp: d.StampTime()}
		for name, n := range d.Tables {
			tb, ok := d.Plan.Table(name)
			if !ok || tb.Marker == nil {
				t.Errorf("deletion %s counts %d rows of %s, which its plan cannot hold", d.ID, n, name)
				continue
			}
			c := memberCount(t, db, tb, mark)
			if c > n {
				t.Errorf("deletion %s: %d rows of %s carry its mark, %d recorded", d.ID, c, name, n)
			}
			left += c
		}
		if left+d.RestoredRows != d.Rows {
			t.Errorf("deletion %s (%s): %d rows in the trash + %d restored != %d recorded (%v)", d.ID, d.Table, left, d.RestoredRows, d.Rows, d.Tables)
		}
		if (d.RestoredAt != nil) != (left == 0) {
			t.Errorf("deletion %s: RestoredAt %v with %d rows left in the trash", d.ID, d.RestoredAt, left)
		}
	}
	checkLedger(t, db)
}

func memberCount(t testing.TB, db *gorm.DB, tb plan.Table, mark cascade.Mark) int64 {
	t.Helper()
	var c int64
	if err := db.Table(tb.Name).Where(cascade.Member(tb, tb.Name, mark)).Count(&c).Error; err != nil {
		t.Fatalf("count %s: %v", tb.Name, err)
	}
	return c
}

// checkLedger: no ledger row names a deletion that does not exist.
func checkLedger(t testing.TB, db *gorm.DB) {
	t.Helper()
	var orphans int64
	err := db.Model(&deletionlog.LedgerRow{}).
		Where("NOT EXISTS (SELECT 1 FROM softcascade_deletions d WHERE d.id = softcascade_ledger.deletion_id)").
		Count(&orphans).Error
	if err != nil {
		t.Fatalf("ledger: %v", err)
	}
	if orphans > 0 {
		t.Errorf("ledger: %d rows of deletions that do not exist", orphans)
	}
}

// edgeSet is every cascading edge between soft-deletable tables of the
// test models, with the tables' descriptions.
type edgeSet struct {
	edges  []plan.Edge
	tables map[string]plan.Table
}

// testEdges derives the cascade graph of models the way the plugin does,
// through the exported cascade package.
func testEdges(t testing.TB, db *gorm.DB, models ...any) edgeSet {
	t.Helper()
	g := cascade.NewGraph(false)
	var schemas []*gorm.Statement
	for _, m := range models {
		stmt := &gorm.Statement{DB: db}
		if err := stmt.Parse(m); err != nil {
			t.Fatal(err)
		}
		g.Learn(stmt.Schema)
		schemas = append(schemas, stmt)
	}
	es := edgeSet{tables: map[string]plan.Table{}}
	seen := map[string]bool{}
	for _, stmt := range schemas {
		p, err := g.Plan(stmt.Schema)
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range append(append([]plan.Table{}, p.Tables...), p.Others...) {
			es.tables[tb.Name] = tb
		}
		for _, e := range p.Edges {
			key := e.Name + ":" + e.Parent + ":" + e.Child
			if !seen[key] {
				seen[key] = true
				es.edges = append(es.edges, e)
			}
		}
	}
	return es
}

func seedEdges(t testing.TB, db *gorm.DB) edgeSet {
	return testEdges(t, db, append(modelstest.SeedModels(), modelstest.KindModels()...)...)
}

// checkNoOrphans: no live row has a soft-deleted cascading parent.
func checkNoOrphans(t testing.TB, db *gorm.DB, es edgeSet) {
	t.Helper()
	for _, e := range es.edges {
		pt, ct := es.tables[e.Parent], es.tables[e.Child]
		if pt.Marker == nil || ct.Marker == nil {
			continue
		}
		where := cascade.NonNil(ct.Marker.IsAlive(ct.Name), cascade.TypeIs(e),
			cascade.ParentIn(e, pt.Marker.IsDeleted(cascade.ParentAlias), false))
		var n int64
		if err := db.Table(ct.Name).Clauses(clause.Where{Exprs: where}).Count(&n).Error; err != nil {
			t.Fatalf("orphans %s: %v", e.Name, err)
		}
		if n > 0 {
			t.Errorf("%d live rows of %s have a soft-deleted parent through %s", n, ct.Name, e.Name)
		}
	}
}
