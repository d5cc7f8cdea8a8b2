package softcascade_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// events collects OnCommit's events.
type events struct {
	mu  sync.Mutex
	all []softcascade.Event
}

func (e *events) add(_ context.Context, ev softcascade.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ev)
}

// take returns the events of op collected so far and forgets all.
func (e *events) take(op softcascade.Op) []softcascade.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []softcascade.Event
	for _, ev := range e.all {
		if ev.Op == op {
			out = append(out, ev)
		}
	}
	e.all = nil
	return out
}

// reopen opens dsn, the database of a test, as another process would,
// with its own plugin.
func reopen(t *testing.T, d modelstest.Dialect, dsn string, clk *clock, opts ...softcascade.Option) *gorm.DB {
	t.Helper()
	var dial gorm.Dialector
	switch {
	case d.IsSQLite():
		dial = sqlite.Open(dsn)
	case d.IsPostgres():
		dial = postgres.Open(dsn)
	default:
		dial = mysql.Open(dsn)
	}
	db, err := gorm.Open(dial, &gorm.Config{NowFunc: clk.Now, Logger: logger.Discard})
	must(t, err)
	sqlDB, err := db.DB()
	must(t, err)
	t.Cleanup(func() { _ = sqlDB.Close() })
	must(t, db.Use(softcascade.New(opts...)))
	return db
}

// firstTask is a root task of project p.
func firstTask(t *testing.T, db *gorm.DB, p modelstest.Project) modelstest.Task {
	t.Helper()
	var task modelstest.Task
	must(t, db.Where("project_id = ? AND parent_id IS NULL", p.ID).Order("id").First(&task).Error)
	return task
}

// lastDeletion is the newest deletion of the log.
func lastDeletion(t *testing.T, db *gorm.DB) softcascade.Deletion {
	t.Helper()
	ds := deletions(t, db)
	if len(ds) == 0 {
		t.Fatal("no deletion logged")
	}
	return ds[len(ds)-1]
}

// Each deletion stores when it may be purged, from the retention of its
// root model; every purger honours it, whatever its own retention, and
// only an explicit override purges earlier.
func TestPurgeAfterIsStoredAndHonoured(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		clk := &clock{now: time.Now().UTC().Truncate(time.Second)}
		var ev events
		db, dsn := d.OpenDSN(t, &gorm.Config{NowFunc: clk.Now})
		models := modelstest.SeedModels()
		must(t, db.AutoMigrate(models...))
		must(t, db.Use(softcascade.New(softcascade.WithModels(models...), softcascade.WithRetention(10*day),
			softcascade.WithRetentionFor(&modelstest.Task{}, 2*day), softcascade.OnCommit(ev.add))))

		if !db.Migrator().HasIndex(&softcascade.Deletion{}, "idx_softcascade_deletions_purge_due") {
			t.Error("no index idx_softcascade_deletions_purge_due (purged_at, purge_after)")
		}
		p1 := modelstest.SeedProject(t, db, "p1", modelstest.Small)
		p2 := modelstest.SeedProject(t, db, "p2", modelstest.Small)
		must(t, db.Delete(&p1).Error)
		project := lastDeletion(t, db)
		task := firstTask(t, db, p2)
		must(t, db.Delete(&task).Error)
		taskDel := lastDeletion(t, db)

		// Stored when made, from the retention of the root model.
		eq(t, "project PurgeAfter", project.PurgeAfter.UTC(), project.DeletedAt.Add(10*day).UTC())
		eq(t, "task PurgeAfter", taskDel.PurgeAfter.UTC(), taskDel.DeletedAt.Add(2*day).UTC())
		eq(t, "PurgeDue", softcascade.PurgeDue(db, taskDel).UTC(), taskDel.PurgeAfter.UTC())
		deleted := ev.take(softcascade.Deleted)
		if len(deleted) != 2 || deleted[0].DeletionID != project.ID || deleted[1].DeletionID != taskDel.ID {
			t.Fatalf("Deleted events = %+v", deleted)
		}

		// Another purger with a much shorter retention purges nothing
		// early, with or without a Before.
		other := reopen(t, d, dsn, clk, softcascade.WithRetention(time.Hour))
		clk.Advance(day)
		for _, opts := range []softcascade.PurgeOptions{{}, {Before: clk.Now()}} {
			rep, err := softcascade.Purge(other, opts)
			must(t, err)
			eq(t, "rows purged early", rep.Rows, 0)
			eq(t, "deletions purged early", rep.Deletions, 0)
		}
		due, err := softcascade.DuePurge(other, softcascade.PurgeOptions{})
		must(t, err)
		eq(t, "due after a day", len(due), 0)

		// The task's deletion is due after two days; the project's is not.
		clk.Advance(2 * day)
		due, err = softcascade.DuePurge(other, softcascade.PurgeOptions{})
		must(t, err)
		if len(due) != 1 || due[0].ID != taskDel.ID || due[0].InTrash() != taskDel.Rows || due[0].Plan != nil {
			t.Fatalf("DuePurge = %+v", due)
		}
		rep, err := softcascade.Purge(db, softcascade.PurgeOptions{})
		must(t, err)
		eq(t, "deletions purged", rep.Deletions, 1)
		if rep.Rows < taskDel.Rows { // and rows that are not soft-deletable
			t.Errorf("rows purged = %d, want at least %d", rep.Rows, taskDel.Rows)
		}
		purged := ev.take(softcascade.Purged)
		if len(purged) != 1 || purged[0].DeletionID != taskDel.ID || purged[0].Deletion == nil || purged[0].Deletion.PurgedAt == nil {
			t.Fatalf("Purged events = %+v", purged)
		}

		// Overriding takes the explicit option, and a Before.
		_, err = softcascade.Purge(other, softcascade.PurgeOptions{OverrideRetention: true})
		if !errors.Is(err, softcascade.ErrInvalidValue) {
			t.Fatalf("OverrideRetention without Before: %v", err)
		}
		rep, err = softcascade.Purge(other, softcascade.PurgeOptions{Before: clk.Now(), OverrideRetention: true, DryRun: true})
		must(t, err)
		eq(t, "override dry run deletions", rep.Deletions, 1)
		rep, err = softcascade.Purge(other, softcascade.PurgeOptions{Before: clk.Now(), OverrideRetention: true})
		must(t, err)
		eq(t, "override deletions", rep.Deletions, 1)
		eq(t, "override rows", rep.Rows, sum(smallTree))
		got, err := softcascade.FindDeletion(db, project.ID)
		must(t, err)
		if got.PurgedAt == nil || got.PurgeAfter.After(clk.Now()) {
			t.Errorf("overridden deletion: PurgedAt %v, PurgeAfter %v (now %v)", got.PurgedAt, got.PurgeAfter, clk.Now())
		}
	})
}

// Deletions logged before the purge-after was stored (NULL) fall back to
// their time plus the purger's retention.
func TestPurgeOldLogRowsWithoutPurgeAfter(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		db, clk := openClocked(t, d)
		old := modelstest.SeedProject(t, db, "old", modelstest.Small)
		young := modelstest.SeedProject(t, db, "young", modelstest.Small)
		deleteAt(t, db, clk, 40*day, &old)
		deleteAt(t, db, clk, 10*day, &young)
		must(t, db.Model(&softcascade.Deletion{}).Where("1 = 1").Update("purge_after", nil).Error)
		ds := deletions(t, db)
		if len(ds) != 2 || !ds[0].PurgeAfter.IsZero() {
			t.Fatalf("log = %+v", ds)
		}
		eq(t, "PurgeDue of an old row", softcascade.PurgeDue(db, ds[1]).UTC(), ds[1].DeletedAt.Add(softcascade.DefaultRetention).UTC())

		// A Before later than the fallback does not purge the young one.
		rep, err := softcascade.Purge(db, softcascade.PurgeOptions{Before: clk.Now().Add(-5 * day)})
		must(t, err)
		eq(t, "deletions purged", rep.Deletions, 1)
		ds = deletions(t, db)
		if ds[0].PurgedAt == nil || ds[1].PurgedAt != nil {
			t.Fatalf("purged: old %v, young %v", ds[0].PurgedAt, ds[1].PurgedAt)
		}
	})
}

// WithRetentionFor's mistakes fail db.Use with ErrInvalidValue.
func TestWithRetentionForInvalid(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		for name, opt := range map[string]softcascade.Option{
			"nil model":     softcascade.WithRetentionFor(nil, day),
			"zero":          softcascade.WithRetentionFor(&modelstest.Task{}, 0),
			"negative":      softcascade.WithRetentionFor(&modelstest.Task{}, -day),
			"not parseable": softcascade.WithRetentionFor(42, day),
		} {
			err := d.Open(t, nil).Use(softcascade.New(opt))
			if !errors.Is(err, softcascade.ErrInvalidValue) {
				t.Errorf("%s: err = %v, want ErrInvalidValue", name, err)
			}
		}
	})
}

// A restore that brings rows back from several deletions reports one
// event per deletion, with that deletion's part.
func TestRestoreEventsPerDeletion(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		var ev events
		db := open(t, d, nil, softcascade.OnCommit(ev.add))
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		var tasks []modelstest.Task
		must(t, db.Where("project_id = ? AND parent_id IS NULL", p.ID).Order("id").Limit(2).Find(&tasks).Error)
		must(t, db.Delete(&tasks[0]).Error)
		first := lastDeletion(t, db)
		must(t, db.Delete(&tasks[1]).Error)
		second := lastDeletion(t, db)
		ev.take(softcascade.Deleted)

		rep, err := softcascade.Restore(db, &[]modelstest.Task{{ID: tasks[0].ID}, {ID: tasks[1].ID}})
		must(t, err)
		restored := ev.take(softcascade.Restored)
		if len(restored) != 2 {
			t.Fatalf("Restored events = %+v", restored)
		}
		byID := map[string]softcascade.Report{}
		for _, e := range restored {
			byID[e.DeletionID] = e.Report
		}
		eq(t, "first's rows", byID[first.ID].Rows, first.Rows)
		eq(t, "second's rows", byID[second.ID].Rows, second.Rows)
		eq(t, "rows", rep.Rows, first.Rows+second.Rows)
		eqMap(t, "first's tables", byID[first.ID].Tables, first.Tables)

		must(t, db.Delete(&p).Error)
		whole := lastDeletion(t, db)
		ev.take(softcascade.Deleted)
		_, err = softcascade.RestoreDeletion(db, whole.ID)
		must(t, err)
		restored = ev.take(softcascade.Restored)
		if len(restored) != 1 || restored[0].DeletionID != whole.ID || restored[0].Report.Rows != whole.Rows {
			t.Fatalf("RestoreDeletion events = %+v", restored)
		}
	})
}

// Due deletions are read a page (100) at a time in purge-after order; two
// deletions with the same purge-after across a page boundary both go.
func TestPurgePagesByPurgeAfter(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		db, clk := openClocked(t, d, softcascade.WithRetention(10*day), softcascade.WithRetentionFor(&modelstest.Task{}, 2*day))
		start := clk.Now()
		for i := range 99 {
			p, err := modelstest.CreateProject(db, "p", modelstest.Shape{})
			must(t, err)
			deleteAt(t, db, clk, time.Duration(100-i)*time.Second, &p)
		}
		a := modelstest.SeedProject(t, db, "a", modelstest.Shape{})
		must(t, db.Delete(&a).Error) // 100th: purge after start + 10 days
		b := modelstest.SeedProject(t, db, "b", modelstest.Small)
		task := firstTask(t, db, b)
		clk.Advance(8 * day)
		must(t, db.Delete(&task).Error) // 101st: the same purge-after
		ds := deletions(t, db)
		eq(t, "deletions", len(ds), 101)
		eq(t, "same purge-after", ds[100].PurgeAfter.UTC(), ds[99].PurgeAfter.UTC())

		clk.set(start.Add(10*day + time.Second))
		due, err := softcascade.DuePurge(db, softcascade.PurgeOptions{})
		must(t, err)
		eq(t, "due", len(due), 101)
		rep, err := softcascade.Purge(db, softcascade.PurgeOptions{BatchSize: 50})
		must(t, err)
		eq(t, "deletions purged", rep.Deletions, 101)
		for _, d := range deletions(t, db) {
			if d.PurgedAt == nil {
				t.Errorf("deletion %s (%s) not purged", d.ID, d.Table)
			}
		}
	})
}
