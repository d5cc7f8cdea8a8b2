package softcascade_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// A purge interrupted by a fault (the context's deadline, the connection
// killed, a table whose deletes fail) leaves the database consistent, and
// the next run finishes it with the same end state as a purge that was
// never interrupted.
//
// A purge runs in many short statements, each batch one statement (or,
// past the bound parameters of one statement, one transaction), which the
// database makes whole or absent. What the test checks after the faulted
// run is what follows from that: no row changed, no live row removed, no
// child row left without its parent (checkPurge, checkNoOrphans), and the
// log agrees with the rows (checkLog: a deletion with rows gone is marked
// started, so that no restore brings back the rest; a deletion marked
// purged has nothing left).

// purgeScene is a database with expired deletions (a subtask subtree, then
// its project; a folder of the ledger kinds), a recent one and live rows,
// on a fixed clock: two scenes are alike byte for byte.
func purgeScene(t *testing.T, d modelstest.Dialect) *gorm.DB {
	t.Helper()
	clk := &clock{now: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
	db := open(t, d, &gorm.Config{NowFunc: clk.Now})
	installHooks(t, db)
	a := modelstest.SeedProject(t, db, "a", modelstest.Small)
	recent := modelstest.SeedProject(t, db, "recent", leanShape)
	modelstest.SeedProject(t, db, "live", leanShape)
	f := seedKinds(t, db, "f")
	var sub modelstest.Task
	must(t, db.Where("project_id = ? AND parent_id IS NOT NULL", a.ID).Order("id").First(&sub).Error)
	deleteAt(t, db, clk, 41*day, &sub)
	deleteAt(t, db, clk, 40*day, &a)
	deleteAt(t, db, clk, 40*day, &f)
	deleteAt(t, db, clk, 29*day, &recent)
	return db
}

// endState is every row, and the log and ledger with deletions named by
// their stamps (their IDs differ from scene to scene).
func endState(t *testing.T, db *gorm.DB) map[string][]string {
	t.Helper()
	out := dumpDB(t, db, false)
	stamps := map[string]int64{}
	for _, d := range deletions(t, db) {
		stamps[d.ID] = d.Stamp
		out["log"] = append(out["log"], fmt.Sprintf("stamp=%d table=%s rows=%d restored=%d started=%v purged=%v",
			d.Stamp, d.Table, d.Rows, d.RestoredRows, d.PurgeStartedAt != nil, d.PurgedAt != nil))
	}
	var ledger []deletionlog.LedgerRow
	must(t, db.Find(&ledger).Error)
	for _, l := range ledger {
		var key any = l.KeyText
		if l.KeyInt != nil {
			key = *l.KeyInt
		}
		out["ledger"] = append(out["ledger"], fmt.Sprint(stamps[l.DeletionID], " ", l.Table, " ", key))
	}
	sort.Strings(out["log"])
	sort.Strings(out["ledger"])
	return out
}

// faultPoints are the statements to fault, of total: the given ones
// (negative: counted from the end, -1 the last), and every step-th.
func faultPoints(total, step int, at ...int) []int {
	seen := map[int]bool{}
	var out []int
	add := func(n int) {
		if n >= 1 && n <= total && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, n := range at {
		if n < 0 {
			n += total + 1
		}
		add(n)
	}
	for n := step; step > 0 && n <= total; n += step {
		add(n)
	}
	sort.Ints(out)
	return out
}

func TestFaultPurgeInterruptedFinishesOnTheNextRun(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		opts := softcascade.PurgeOptions{BatchSize: 4}
		ref := purgeScene(t, d)
		total := 0
		rep, err := softcascade.Purge(ref.WithContext(withHooks(context.Background(), nth(0, &total, nil))), opts)
		must(t, err)
		want := endState(t, ref)
		t.Logf("an uninterrupted purge: %d statements, %d rows", total, rep.Rows)

		// finish runs Purge again and compares the end state.
		finish := func(what string, db *gorm.DB) {
			t.Helper()
			if _, err := softcascade.Purge(db, opts); err != nil {
				t.Fatalf("%s, then a second run: %v", what, err)
			}
			if diff := sameDump(want, endState(t, db)); diff != "" {
				t.Errorf("%s, then a second run: not the end state of an uninterrupted purge: %s", what, diff)
			}
		}
		// faulted runs Purge with a fault before its n-th statement and
		// checks what it left.
		faulted := func(what string, n int, fault func(db *gorm.DB) (context.Context, func(*gorm.DB))) {
			t.Helper()
			db := purgeScene(t, d)
			es := seedEdges(t, db)
			before := takeSnapshot(t, db, es)
			seen := 0
			ctx, fire := fault(db)
			_, err := softcascade.Purge(db.WithContext(withHooks(ctx, nth(n, &seen, fire))), opts)
			what = fmt.Sprintf("%s before statement %d of %d (%v)", what, n, total, err)
			checkPurge(t, es, before, dumpDB(t, db, false))
			checkNoOrphans(t, db, es)
			checkLog(t, db)
			if t.Failed() {
				t.Fatalf("after a purge with %s", what)
			}
			finish(what, db)
		}

		// Statement 1 takes the purge lock, 3 marks the first deletion
		// started, the last two mark the last deletion purged and
		// release the lock. SQLite is cheap enough to fault every tenth
		// statement besides.
		points := faultPoints(total, 0, 1, 3, total/3, 2*total/3, -2, -1)
		if d.IsSQLite() {
			points = faultPoints(total, 10, 1, 2, 3, -3, -2, -1)
		}
		for _, n := range points {
			faulted("the deadline passing", n, func(*gorm.DB) (context.Context, func(*gorm.DB)) {
				return deadlineFault(context.Background())
			})
		}
		if !d.IsSQLite() {
			for _, n := range faultPoints(total, 0, total/2) {
				faulted("the connection killed", n, func(db *gorm.DB) (context.Context, func(*gorm.DB)) {
					return context.Background(), killer(t, d, db)
				})
			}
		}
		t.Logf("faulted statements %v", points)

		// The database refuses to delete pages: the run stops half-way
		// through the folder's deletion, with the project's purged.
		db := purgeScene(t, d)
		es := seedEdges(t, db)
		before := takeSnapshot(t, db, es)
		refuseDeletes(t, d, db, "pages")
		_, err = softcascade.Purge(db, opts)
		if err == nil {
			t.Fatal("purge succeeded though pages refuse")
		}
		t.Logf("pages refuse: %v", err)
		unrefuseDeletes(t, d, db, "pages")
		checkPurge(t, es, before, dumpDB(t, db, false))
		checkLog(t, db)
		ds := deletions(t, db)
		if ds[1].PurgedAt == nil || ds[2].PurgedAt != nil || ds[2].PurgeStartedAt == nil {
			t.Errorf("project purged %v, folder purged %v, started %v; want set, nil, set", ds[1].PurgedAt, ds[2].PurgedAt, ds[2].PurgeStartedAt)
		}
		finish("pages refusing", db)
	})
}

// refuseDeletes makes the database fail any DELETE of a row of table.
func refuseDeletes(t *testing.T, d modelstest.Dialect, db *gorm.DB, table string) {
	t.Helper()
	var stmts []string
	switch {
	case d.IsSQLite():
		stmts = []string{"CREATE TRIGGER sc_refuse_delete BEFORE DELETE ON " + table + " BEGIN SELECT RAISE(ABORT, 'refused'); END"}
	case d.IsPostgres():
		stmts = []string{
			"CREATE FUNCTION sc_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$",
			"CREATE TRIGGER sc_refuse_delete BEFORE DELETE ON " + table + " FOR EACH ROW EXECUTE FUNCTION sc_refuse_delete()",
		}
	default:
		stmts = []string{"CREATE TRIGGER sc_refuse_delete BEFORE DELETE ON " + table + " FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused'"}
	}
	for _, s := range stmts {
		must(t, db.Exec(s).Error)
	}
}

func unrefuseDeletes(t *testing.T, d modelstest.Dialect, db *gorm.DB, table string) {
	t.Helper()
	if d.IsPostgres() {
		must(t, db.Exec("DROP TRIGGER sc_refuse_delete ON "+table).Error)
		must(t, db.Exec("DROP FUNCTION sc_refuse_delete()").Error)
		return
	}
	must(t, db.Exec("DROP TRIGGER sc_refuse_delete").Error)
}
