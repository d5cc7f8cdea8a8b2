// Package realworld_test runs softcascade on model sets shaped like the
// GORM models of real applications (admin panels, GORM's own test models,
// schemas made by other migration tools), on SQLite, PostgreSQL and MySQL,
// with and without CascadeAll. See docs/realworld.md.
package realworld_test

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// set is one corpus entry: models, how their tables are made, how rows are
// seeded, and what deleting the first root soft-deletes.
type set struct {
	name string
	// models are migrated with AutoMigrate (after prepare; not with
	// ddlOnly) and named to the plugin with WithModels.
	models []any
	// prepare, when set, runs before AutoMigrate: raw DDL, as other
	// migration tools create tables, or SetupJoinTable.
	prepare func(t *testing.T, db *gorm.DB, d modelstest.Dialect)
	// naming, when set, is the gorm.Config's NamingStrategy.
	naming func(d modelstest.Dialect) schema.Namer
	// views are models of tables some model of models already makes (two
	// models on one table): named to the plugin, not migrated (AutoMigrate
	// keeps one model per table).
	views []any
	// ddlOnly: prepare makes every table; AutoMigrate is not run.
	ddlOnly bool
	// noForeignKeys sets DisableForeignKeyConstraintWhenMigrating, as
	// many applications do.
	noForeignKeys bool
	// only, when set, limits the set to the dialects it accepts.
	only func(d modelstest.Dialect) bool
	// seed creates the rows: shared ones with s.shared, each root's with
	// s.root. The first root is the one deleted.
	seed func(t *testing.T, db *gorm.DB, s *seeder)
	// deleteBy, when set, deletes the first root instead of
	// db.Delete(root): by a condition, by a slice of IDs, as applications do.
	deleteBy func(db *gorm.DB) *gorm.DB
	// trashed is the number of rows per table that deleting the first root
	// soft-deletes, with CascadeAll (all) or without.
	trashed func(all bool) map[string]int
	// held, when set, is the number of rows per table of that deletion
	// that Purge must keep (Report.Skipped): a foreign key from a live row
	// outside the cascade still references them.
	held func(all bool) map[string]int
	// goes, when set, is the number of rows per table that the delete
	// leaves unchanged and Purge removes: join rows and
	// non-soft-deletable children of the deletion's rows.
	goes func(all bool) map[string]int
	// known, when set, returns the known issue ("12.N") and what fails
	// for a dialect and mode, or "" when the set is expected to pass. An
	// issue "new" is a bug this corpus found that is not fixed yet.
	known func(d modelstest.Dialect, all bool) (issue, what string)
	// tables names tables the snapshot must also read (tables outside the
	// connection's schema, which Migrator().GetTables does not list): the
	// name in snapshots and expectations -> the table.
	tables func(db *gorm.DB) map[string]string
}

// knownIssue skips a subtest that fails only because of a known problem of
// issue 12 (being fixed). Delete this function once the fixes are merged
// to see what still fails; or set SOFTCASCADE_REALWORLD_KNOWN=run to run
// those subtests anyway.
func knownIssue(t *testing.T, issue, what string) {
	t.Helper()
	if os.Getenv("SOFTCASCADE_REALWORLD_KNOWN") == "run" {
		t.Logf("known issue %s, run anyway: %s", issue, what)
		return
	}
	t.Skipf("known issue %s: %s", issue, what)
}

// newBug skips a subtest that fails because of a bug found by this corpus
// and not fixed yet (see docs/realworld.md). Like knownIssue, it runs
// anyway with SOFTCASCADE_REALWORLD_KNOWN=run.
func newBug(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("SOFTCASCADE_REALWORLD_KNOWN") == "run" {
		t.Logf("unfixed bug, run anyway: %s", what)
		return
	}
	t.Skipf("unfixed bug: %s", what)
}

// mode is one plugin configuration of the scenario.
type mode struct {
	name string
	all  bool
}

var modes = []mode{{"tagged", false}, {"cascadeAll", true}}

// runSets runs the scenario on every set, dialect and mode, in parallel.
func runSets(t *testing.T, sets ...set) {
	for _, s := range sets {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
				t.Parallel()
				if s.only != nil && !s.only(d) {
					t.Skipf("%s does not apply to %s", s.name, d.Name)
				}
				for _, m := range modes {
					t.Run(m.name, func(t *testing.T) {
						t.Parallel()
						if s.known != nil {
							switch issue, what := s.known(d, m.all); issue {
							case "":
							case "new":
								newBug(t, what)
							default:
								knownIssue(t, issue, what)
							}
						}
						scenario(t, d, s, m.all)
					})
				}
			})
		})
	}
}

// clock is a settable gorm.Config.NowFunc.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is one open database of a scenario.
type env struct {
	db    *gorm.DB
	clk   *clock
	d     modelstest.Dialect
	extra map[string]string
	pks   map[string][]string // primary keys by table, read once
}

// openSet opens a fresh database for s with the plugin installed.
func openSet(t *testing.T, d modelstest.Dialect, s set, all bool) *env {
	t.Helper()
	// Not a whole second: deletion stamps carry milliseconds, as in real use.
	clk := &clock{now: time.Date(2026, 3, 1, 9, 30, 0, 123456789, time.UTC)}
	cfg := &gorm.Config{NowFunc: clk.Now, DisableForeignKeyConstraintWhenMigrating: s.noForeignKeys}
	if s.naming != nil {
		cfg.NamingStrategy = s.naming(d)
	}
	db := d.Open(t, cfg)
	if s.prepare != nil {
		s.prepare(t, db, d)
	}
	if !s.ddlOnly {
		if err := db.AutoMigrate(s.models...); err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	opts := []softcascade.Option{softcascade.WithModels(append(s.models, s.views...)...)}
	if all {
		opts = append(opts, softcascade.CascadeAll())
	}
	if err := db.Use(softcascade.New(opts...)); err != nil {
		t.Fatalf("use: %v", err)
	}
	e := &env{db: db, clk: clk, d: d, pks: map[string][]string{}}
	if s.tables != nil {
		e.extra = s.tables(db)
	}
	return e
}

// seeder records which rows each seeding step created.
type seeder struct {
	t     *testing.T
	e     *env
	roots []root
}

// root is a row whose deletion the scenario tests, with the rows its
// seeding step created (table -> row keys).
type root struct {
	name  string
	value any // pointer to the root row, primary key set
	owned map[string]map[string]bool
}

// shared creates rows that no root owns (a later root may reference them).
func (s *seeder) shared(fn func()) { fn() }

// root creates a root with fn and records the rows fn created as its own.
// value must point to the root row once fn has run.
func (s *seeder) root(name string, value any, fn func()) {
	r := root{name: name, value: value, owned: map[string]map[string]bool{}}
	s.own(r.owned, fn)
	s.roots = append(s.roots, r)
}

// link runs fn, made after root i, and counts the rows it creates as root
// i's own: join rows from another root to it, which go when it is purged.
func (s *seeder) link(i int, fn func()) { s.own(s.roots[i].owned, fn) }

// own runs fn and adds the keys of the rows it created to owned.
func (s *seeder) own(owned map[string]map[string]bool, fn func()) {
	before := snapshot(s.t, s.e)
	fn()
	for table, rows := range snapshot(s.t, s.e) {
		for key := range rows.lines {
			if _, ok := before[table].lines[key]; !ok {
				if owned[table] == nil {
					owned[table] = map[string]bool{}
				}
				owned[table][key] = true
			}
		}
	}
}

// create is db.Create that fails the test on error.
func create(t *testing.T, db *gorm.DB, value any) {
	t.Helper()
	if err := db.Create(value).Error; err != nil {
		t.Fatalf("create %T: %v", value, err)
	}
}

// scenario: delete the first root, check the other rows, restore (by row,
// then by deletion ID), check the database is as before, delete again,
// purge after retention, check nothing of the root and no live row went
// missing.
func scenario(t *testing.T, d modelstest.Dialect, s set, all bool) {
	e := openSet(t, d, s, all)
	sd := &seeder{t: t, e: e}
	s.seed(t, e.db, sd)
	if len(sd.roots) < 2 {
		t.Fatalf("set %s seeds %d roots, want at least 2", s.name, len(sd.roots))
	}
	victim := sd.roots[0]
	before := snapshot(t, e)
	want := s.trashed(all)

	// Delete, and restore by row.
	id := deleteRoot(t, e, s, victim, before, want)
	e.clk.Advance(time.Minute)
	if _, err := softcascade.Restore(e.db, victim.value); err != nil {
		t.Fatalf("Restore(%s): %v", victim.name, err)
	}
	requireSame(t, "Restore", before, snapshot(t, e))
	checkDeletion(t, e, id, func(del softcascade.Deletion) error {
		if del.RestoredAt == nil {
			return errors.New("not marked restored")
		}
		return nil
	})

	// Delete, and restore by deletion ID.
	e.clk.Advance(time.Minute)
	id = deleteRoot(t, e, s, victim, before, want)
	e.clk.Advance(time.Minute)
	if _, err := softcascade.RestoreDeletion(e.db, id); err != nil {
		t.Fatalf("RestoreDeletion(%s): %v", id, err)
	}
	requireSame(t, "RestoreDeletion", before, snapshot(t, e))

	// Delete, and purge after retention.
	e.clk.Advance(time.Minute)
	id = deleteRoot(t, e, s, victim, before, want)
	deleted := snapshot(t, e)
	e.clk.Advance(softcascade.DefaultRetention + time.Hour)
	rep, err := softcascade.Purge(e.db, softcascade.PurgeOptions{})
	if err != nil {
		t.Fatalf("Purge: %v", err)
	}
	var held map[string]int
	if s.held != nil {
		held = s.held(all)
	}
	skipped := map[string]int{}
	for table, n := range rep.Skipped {
		skipped[table] = int(n)
	}
	if diff := diffCounts(held, skipped); diff != "" {
		t.Errorf("Purge skipped rows per table differ (table: got, want):\n%s", diff)
	}
	var goes map[string]int
	if s.goes != nil {
		goes = s.goes(all)
	}
	checkPurged(t, victim, before, deleted, snapshot(t, e), held, goes)
	checkDeletion(t, e, id, func(del softcascade.Deletion) error {
		if purged := del.PurgedAt != nil; purged != (len(held) == 0) {
			return fmt.Errorf("purged %v, want %v (rows held: %v)", purged, !purged, held)
		}
		return nil
	})
}

// deleteRoot deletes the root through the plugin and checks that exactly
// want's rows changed, all of them the root's own, and that the deletion
// log has an entry for it. It returns the deletion's ID.
func deleteRoot(t *testing.T, e *env, s set, r root, before tableSnapshots, want map[string]int) string {
	t.Helper()
	var res *gorm.DB
	if s.deleteBy != nil {
		res = s.deleteBy(e.db)
	} else {
		res = e.db.Delete(r.value)
	}
	if res.Error != nil {
		t.Fatalf("Delete(%s): %v", r.name, res.Error)
	}
	after := snapshot(t, e)
	got := map[string]int{}
	for table, rows := range before {
		for key, line := range rows.lines {
			now, ok := after[table].lines[key]
			if ok && now == line {
				continue
			}
			if !r.owned[table][key] {
				t.Errorf("Delete(%s) changed a row it does not own: %s %s\n  was %s\n  now %s", r.name, table, key, line, orGone(now, ok))
				continue
			}
			if !ok {
				t.Errorf("Delete(%s) removed a row: %s %s", r.name, table, line)
				continue
			}
			got[table]++
		}
	}
	for table, rows := range after {
		for key, line := range rows.lines {
			if _, ok := before[table].lines[key]; !ok {
				t.Errorf("Delete(%s) added a row to %s: %s", r.name, table, line)
			}
		}
	}
	if diff := diffCounts(want, got); diff != "" {
		t.Errorf("Delete(%s): soft-deleted rows per table differ (table: got, want):\n%s", r.name, diff)
	}
	if t.Failed() {
		t.FailNow()
	}
	ds, n, err := softcascade.Trash(e.db, softcascade.TrashFilter{})
	if err != nil {
		t.Fatalf("Trash: %v", err)
	}
	if n != 1 {
		t.Fatalf("Delete(%s): %d deletions in the trash, want 1", r.name, n)
	}
	return ds[0].ID
}

func orGone(line string, ok bool) string {
	if !ok {
		return "(gone)"
	}
	return line
}

func diffCounts(want, got map[string]int) string {
	var out string
	for table, n := range want {
		if got[table] != n {
			out += fmt.Sprintf("  %s: %d, want %d\n", table, got[table], n)
		}
	}
	for table, n := range got {
		if _, ok := want[table]; !ok {
			out += fmt.Sprintf("  %s: %d, want 0\n", table, n)
		}
	}
	return out
}

// checkPurged checks the database after the purge of the root's deletion:
// every row the deletion soft-deleted is gone, but for held's; every row
// the root does not own is there and unchanged; of the root's rows the
// delete left unchanged, exactly goes's are gone (join rows and
// non-soft-deletable children go with their parent) and the others are
// there and unchanged.
func checkPurged(t *testing.T, r root, before, deleted, after tableSnapshots, held, goes map[string]int) {
	t.Helper()
	left, gone := map[string]int{}, map[string]int{}
	for table, rows := range before {
		for _, key := range rows.keys {
			line := rows.lines[key]
			now, ok := after[table].lines[key]
			trashed := deleted[table].lines[key] != line
			switch {
			case !r.owned[table][key]:
				if !ok || now != line {
					t.Errorf("Purge touched a row %s does not own: %s %s\n  was %s\n  now %s", r.name, table, key, line, orGone(now, ok))
				}
			case trashed && ok && now != deleted[table].lines[key]:
				t.Errorf("Purge changed a row it kept: %s %s\n  was %s\n  now %s", table, key, deleted[table].lines[key], now)
			case trashed && ok:
				left[table]++
				if left[table] > held[table] {
					t.Errorf("Purge left a row of %s's deletion: %s %s", r.name, table, now)
				}
			case !trashed && !ok:
				gone[table]++
				if gone[table] > goes[table] {
					t.Errorf("Purge removed a row the deletion did not take: %s %s", table, line)
				}
			case !trashed && now != line:
				t.Errorf("Purge changed a row: %s %s\n  was %s\n  now %s", table, key, line, now)
			}
		}
	}
	for table, n := range held {
		if left[table] != n {
			t.Errorf("Purge kept %d rows of %s, want %d (held by live rows)", left[table], table, n)
		}
	}
	for table, n := range goes {
		if gone[table] != n {
			t.Errorf("Purge removed %d rows of %s the delete left unchanged, want %d (join rows, non-soft-deletable children)", gone[table], table, n)
		}
	}
}

// checkDeletion reads deletion id from the log and applies check.
func checkDeletion(t *testing.T, e *env, id string, check func(softcascade.Deletion) error) {
	t.Helper()
	del, err := softcascade.FindDeletion(e.db, id)
	if err != nil {
		t.Fatalf("FindDeletion(%s): %v", id, err)
	}
	if err := check(del); err != nil {
		t.Errorf("deletion %s: %v", id, err)
	}
}
