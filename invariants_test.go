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
	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/modelstest"
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
	return dumpTableWhere(t, db, name, nil)
}

// dumpTableWhere is dumpTable of the rows matching where (nil: all).
func dumpTableWhere(t testing.TB, db *gorm.DB, name string, where clause.Expression) []string {
	t.Helper()
	q := db.Table(name)
	if where != nil {
		q = q.Where(where)
	}
	rows, err := q.Rows()
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
		if d.Plan == nil {
			t.Errorf("deletion %s has no plan", d.ID)
			continue
		}
		if d.PurgedAt != nil {
			checkPurged(t, db, d)
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
		if d.PurgeStartedAt != nil {
			// A purge began and has not finished (stopped, or held by a
			// foreign key): part of it may be gone, never more than it
			// took, and nothing of it came back since (restore refuses it).
			if left+d.RestoredRows > d.Rows {
				t.Errorf("deletion %s (%s) being purged: %d rows in the trash + %d restored > %d recorded", d.ID, d.Table, left, d.RestoredRows, d.Rows)
			}
			continue
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

// checkPurged: nothing of a purged deletion is left. No row carries its
// stamp, the ledger holds none of its rows (so no flag-mode or unix-second
// row is still counted as its), it restored no more than it took, and it
// was marked started before anything of it went. (That the rows it took
// are gone, children and join rows included, and no live row with them,
// is what checkPurge sees in the dumps around a purge.)
func checkPurged(t testing.TB, db *gorm.DB, d softcascade.Deletion) {
	t.Helper()
	if d.PurgeStartedAt == nil {
		t.Errorf("deletion %s purged but never marked started", d.ID)
	}
	if d.RestoredRows > d.Rows {
		t.Errorf("purged deletion %s: %d rows restored of %d", d.ID, d.RestoredRows, d.Rows)
	}
	mark := cascade.Mark{ID: d.ID, Stamp: d.StampTime()}
	for _, tb := range d.Plan.Tables {
		if tb.Marker == nil {
			continue
		}
		if c := memberCount(t, db, tb, mark); c > 0 {
			t.Errorf("purged deletion %s: %d rows of %s are still its", d.ID, c, tb.Name)
		}
	}
	var ledger int64
	if err := db.Model(&deletionlog.LedgerRow{}).Where("deletion_id = ?", d.ID).Count(&ledger).Error; err != nil {
		t.Fatalf("ledger: %v", err)
	}
	if ledger > 0 {
		t.Errorf("purged deletion %s: %d ledger rows left", d.ID, ledger)
	}
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
	joins  []plan.Join // many-to-many join tables holding keys of the tables
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
		p, err := g.Plan(db, stmt.Schema)
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
		for _, j := range p.Joins {
			key := "join:" + j.Table + ":" + j.Owner + ":" + strings.Join(j.JoinKeys, ",")
			if !seen[key] {
				seen[key] = true
				es.joins = append(es.joins, j)
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
			cascade.ParentIn(e, pt.Marker.IsDeleted(cascade.ParentAlias)))
		var n int64
		if err := db.Table(ct.Name).Clauses(clause.Where{Exprs: where}).Count(&n).Error; err != nil {
			t.Fatalf("orphans %s: %v", e.Name, err)
		}
		if n > 0 {
			t.Errorf("%d live rows of %s have a soft-deleted parent through %s", n, ct.Name, e.Name)
		}
	}
}

// snapshot is the content checkPurge compares a purge's outcome with:
// every row (the plugin's own tables aside), and the live ones among the
// rows of soft-deletable tables.
type snapshot struct {
	all  map[string][]string
	live map[string]map[string]bool
}

func takeSnapshot(t testing.TB, db *gorm.DB, es edgeSet) snapshot {
	t.Helper()
	s := snapshot{all: dumpDB(t, db, false), live: map[string]map[string]bool{}}
	for name, tb := range es.tables {
		if tb.Marker == nil {
			continue
		}
		s.live[name] = map[string]bool{}
		for _, l := range dumpTableWhere(t, db, name, tb.Marker.IsAlive(name)) {
			s.live[name][l] = true
		}
	}
	return s
}

// checkPurge checks what a purge did between before and after (dumps
// without the plugin's tables), and returns the rows it removed: it
// changed no row, only removed some; it removed no live row of a
// soft-deletable table; a row of a table that is not soft-deletable (time
// entries, many-to-many join rows) went only with a parent (or owner) in
// the trash. That parent is gone too, or, when the purge stopped or was
// held before it, stays in the trash of a deletion marked started, which
// no restore brings back (checkLog).
func checkPurge(t testing.TB, es edgeSet, before snapshot, after map[string][]string) map[string][]string {
	t.Helper()
	removed := map[string][]string{}
	for table, lines := range before.all {
		now := map[string]bool{}
		for _, l := range after[table] {
			now[l] = true
		}
		was := map[string]bool{}
		for _, l := range lines {
			was[l] = true
			if !now[l] {
				removed[table] = append(removed[table], l)
			}
		}
		for _, l := range after[table] {
			if !was[l] {
				t.Errorf("purge changed or added a row of %s: %s", table, l)
			}
		}
	}
	// trashed: the row of table with cols = vals is gone, or was not live.
	trashed := func(table string, cols []string, vals []string) bool {
		for _, l := range after[table] {
			f := fields(l)
			same := true
			for i, c := range cols {
				same = same && f[c] == vals[i]
			}
			if same {
				return !before.live[table][l]
			}
		}
		return true
	}
	for table, lines := range removed {
		tb, soft := es.tables[table]
		for _, l := range lines {
			if soft && tb.Marker != nil {
				if before.live[table][l] {
					t.Errorf("purge removed a live row of %s: %s", table, l)
				}
				continue
			}
			f := fields(l)
			withParent := false
			for _, e := range es.edges {
				if e.Child != table || (e.TypeColumn != "" && f[e.TypeColumn] != fmt.Sprintf("%q", e.TypeValue)) {
					continue
				}
				var vals []string
				for _, k := range e.ChildKeys {
					vals = append(vals, f[k])
				}
				withParent = withParent || trashed(e.Parent, e.ParentKeys, vals)
			}
			for _, j := range es.joins {
				if j.Table != table {
					continue
				}
				var vals []string
				for _, k := range j.JoinKeys {
					vals = append(vals, f[k])
				}
				withParent = withParent || trashed(j.Owner, j.OwnerKeys, vals)
			}
			if !withParent {
				t.Errorf("purge removed a row of %s whose parent is live: %s", table, l)
			}
		}
	}
	return removed
}

// fields splits a dump line into its columns' values.
func fields(line string) map[string]string {
	out := map[string]string{}
	for _, f := range strings.Split(line, " | ") {
		if k, v, ok := strings.Cut(f, "="); ok {
			out[k] = v
		}
	}
	return out
}

// rootParents is, per table of the test models, the columns that lead to
// a row's parents (parent table, or "" when the column holds the type of a
// polymorphic owner, as owner_type does for owner_id). A row of a table
// without an entry is a root of its own.
func rootParents() map[string][][2]string {
	return map[string][][2]string{
		"projects":          {{"client_id", "clients"}},
		"tasks":             {{"project_id", "projects"}},
		"comments":          {{"task_id", "tasks"}},
		"reactions":         {{"comment_id", "comments"}},
		"attachments":       {{"owner_id", ""}},
		"time_entries":      {{"task_id", "tasks"}},
		"documents":         {{"project_id", "projects"}},
		"document_versions": {{"document_id", "documents"}},
		"project_members":   {{"project_id", "projects"}, {"user_id", "users"}},
		"notes":             {{"folder_id", "folders"}},
		"pages":             {{"note_id", "notes"}},
		"lines":             {{"page_id", "pages"}},
		"marks":             {{"line_id", "lines"}},
		"stamps":            {{"line_id", "lines"}},
	}
}

// rootsOf maps every row of a dump (table, then the row's key as rowKey
// gives it) to the roots of the trees it is in: "projects:1", "folders:2",
// and for a project its client, for a join row both its owners. A row
// whose parent is not in the dump is a root of its own.
func rootsOf(dump map[string][]string) map[string]map[string][]string {
	byID := map[string]map[string]map[string]string{} // table -> id -> fields
	for table, lines := range dump {
		byID[table] = map[string]map[string]string{}
		for _, l := range lines {
			byID[table][rowKey(l)] = fields(l)
		}
	}
	parents := rootParents()
	out := map[string]map[string][]string{}
	var of func(table, key string, depth int) []string
	of = func(table, key string, depth int) []string {
		if r, ok := out[table][key]; ok {
			return r
		}
		f := byID[table][key]
		var roots []string
		for _, p := range parents[table] {
			v := f[p[0]]
			if v == "" || v == "NULL" {
				continue
			}
			pt := p[1]
			if pt == "" {
				pt = strings.Trim(f["owner_type"], `"`)
			}
			if _, ok := byID[pt][v]; ok && depth < 64 {
				roots = append(roots, of(pt, v, depth+1)...)
			}
		}
		if len(roots) == 0 || table == "projects" {
			roots = append(roots, table+":"+key)
		}
		if out[table] == nil {
			out[table] = map[string][]string{}
		}
		out[table][key] = roots
		return roots
	}
	for table, rows := range byID {
		for key := range rows {
			of(table, key, 0)
		}
	}
	return out
}

// touchedRoots are the roots of the given rows of table.
func touchedRoots(roots map[string]map[string][]string, table string, keys []string) map[string]bool {
	out := map[string]bool{}
	for _, k := range keys {
		for _, r := range roots[table][k] {
			// A project is in its client's tree for the client's sake (a
			// client's delete or purge may reach its projects), not the
			// other way round.
			if table != "clients" && strings.HasPrefix(r, "clients:") {
				continue
			}
			out[r] = true
		}
	}
	return out
}

// checkOtherRoots: an operation on the trees of the touched roots left
// every row of every other tree as it was (none changed, none gone).
func checkOtherRoots(t testing.TB, what string, before, after map[string][]string, touched map[string]bool) {
	t.Helper()
	roots := rootsOf(before)
	for table, lines := range before {
		if strings.HasPrefix(table, "softcascade_") {
			continue // the log is checked by checkLog
		}
		now := map[string]string{}
		for _, l := range after[table] {
			now[rowKey(l)] = l
		}
	rows:
		for _, l := range lines {
			for _, r := range roots[table][rowKey(l)] {
				if touched[r] {
					continue rows
				}
			}
			if now[rowKey(l)] != l {
				t.Errorf("%s changed a row of another tree (roots %v, touched %v) in %s:\n  before %s\n  after  %s",
					what, roots[table][rowKey(l)], touched, table, l, now[rowKey(l)])
			}
		}
	}
}
