package softcascade_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

const day = 24 * time.Hour

// openClocked is open with a clock the test moves.
func openClocked(t *testing.T, d modelstest.Dialect, opts ...softcascade.Option) (*gorm.DB, *clock) {
	t.Helper()
	clk := &clock{now: time.Now().UTC().Truncate(time.Second)}
	return open(t, d, &gorm.Config{NowFunc: clk.Now}, opts...), clk
}

// deleteAt deletes value (through the plugin) as if it happened age ago.
func deleteAt(t *testing.T, db *gorm.DB, clk *clock, age time.Duration, value any) {
	t.Helper()
	now := clk.Now()
	clk.set(now.Add(-age))
	defer clk.set(now)
	must(t, db.Delete(value).Error)
}

// smallTree is what deleting a modelstest.Small project removes at purge.
var smallTree = map[string]int64{
	"projects": 1, "tasks": 9, "comments": 18, "reactions": 18, "attachments": 27,
	"documents": 2, "document_versions": 4, "time_entries": 9, "project_members": 2,
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// scale multiplies every count of m by k.
func scale(m map[string]int64, k int64) map[string]int64 {
	out := map[string]int64{}
	for t, n := range m {
		out[t] = n * k
	}
	return out
}

func eqMap(t *testing.T, what string, got, want map[string]int64) {
	t.Helper()
	for k, v := range want {
		if v != 0 && got[k] != v {
			t.Errorf("%s[%s] = %d, want %d (all: %v)", what, k, got[k], v, got)
		}
	}
	for k, v := range got {
		if v != 0 && want[k] == 0 {
			t.Errorf("%s[%s] = %d, want 0 (all: %v)", what, k, v, got)
		}
	}
}

// state is every row count of the seed tables, join and ledger tables
// included, plus which deletions are purged.
func state(t *testing.T, db *gorm.DB) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for table, c := range counts(t, db) {
		out[table+" live"] = c.Live
		out[table+" deleted"] = c.Deleted
	}
	for _, table := range []string{"project_members", "softcascade_ledger"} {
		var n int64
		must(t, db.Table(table).Count(&n).Error)
		out[table] = n
	}
	for _, del := range deletions(t, db) {
		if del.PurgedAt != nil {
			out["purged "+del.Table]++
		}
	}
	return out
}

// expect is before minus the rows of tree (all in the trash, time entries
// and join rows aside).
func expect(before, tree map[string]int64) map[string]int64 {
	want := maps.Clone(before)
	for table, n := range tree {
		switch table {
		case "time_entries":
			want[table+" live"] -= n
		case "project_members":
			want[table] -= n
		default:
			want[table+" deleted"] -= n
		}
	}
	return want
}

// scene has a project deleted 31 days ago, one deleted 29 days ago and a
// live one.
type scene struct {
	db                *gorm.DB
	clk               *clock
	old, recent, live modelstest.Project
}

func newScene(t *testing.T, d modelstest.Dialect) scene {
	t.Helper()
	db, clk := openClocked(t, d)
	s := scene{db: db, clk: clk,
		old:    modelstest.SeedProject(t, db, "old", modelstest.Small),
		recent: modelstest.SeedProject(t, db, "recent", modelstest.Small),
		live:   modelstest.SeedProject(t, db, "live", modelstest.Small),
	}
	deleteAt(t, db, clk, 31*day, &s.old)
	deleteAt(t, db, clk, 29*day, &s.recent)
	return s
}

func TestPurgeAfterRetention(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		s := newScene(t, d)
		before := state(t, s.db)

		rep, err := softcascade.Purge(s.db, softcascade.PurgeOptions{})
		must(t, err)
		eq(t, "Rows", rep.Rows, sum(smallTree))
		eqMap(t, "Tables", rep.Tables, smallTree)
		eqMap(t, "Skipped", rep.Skipped, nil)

		want := expect(before, smallTree)
		want["purged projects"] = 1
		eqMap(t, "state", state(t, s.db), want)
		var left int64
		must(t, s.db.Unscoped().Model(&modelstest.Task{}).Where("project_id = ?", s.old.ID).Count(&left).Error)
		eq(t, "old tasks left", left, int64(0))
		must(t, s.db.Unscoped().Model(&modelstest.Task{}).Where("project_id = ? AND deleted_at IS NOT NULL", s.recent.ID).Count(&left).Error)
		eq(t, "recent tasks still in the trash", left, int64(9))
		ds := deletions(t, s.db)
		if ds[0].PurgedAt == nil || ds[1].PurgedAt != nil {
			t.Errorf("PurgedAt: old %v, recent %v; want set, nil", ds[0].PurgedAt, ds[1].PurgedAt)
		}

		// Purging again finds nothing; a day later the second one goes too.
		rep, err = softcascade.Purge(s.db, softcascade.PurgeOptions{})
		must(t, err)
		eq(t, "Rows of a second run", rep.Rows, int64(0))
		s.clk.set(s.clk.Now().Add(2 * day))
		rep, err = softcascade.Purge(s.db, softcascade.PurgeOptions{})
		must(t, err)
		eqMap(t, "Tables two days later", rep.Tables, smallTree)
		eq(t, "live tasks", modelstest.CountRows(t, s.db, &modelstest.Task{}), modelstest.Count{Live: 9})
	})
}

func TestPurgeDryRunCountsExactly(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		s := newScene(t, d)
		seedKinds(t, s.db, "kept")
		deleteAt(t, s.db, s.clk, 40*day, ptr(seedKinds(t, s.db, "gone")))
		before := state(t, s.db)

		dry, err := softcascade.Purge(s.db, softcascade.PurgeOptions{DryRun: true})
		must(t, err)
		eqMap(t, "state after a dry run", state(t, s.db), before)
		real, err := softcascade.Purge(s.db, softcascade.PurgeOptions{})
		must(t, err)
		eq(t, "dry Rows", dry.Rows, real.Rows)
		eqMap(t, "dry Tables", dry.Tables, real.Tables)
		eq(t, "Rows", real.Rows, sum(smallTree)+31)
	})
}

func ptr[T any](v T) *T { return &v }

// deepShape has deep subtask chains, so that self-referencing rows span
// many batches and levels.
var deepShape = modelstest.Shape{Tasks: 4, SubtaskDepth: 5, CommentsPerTask: 2, ReactionsPerComment: 1,
	AttachmentsPerTask: 1, AttachmentsPerCmt: 1, TimeEntriesPerTask: 2, Documents: 3, VersionsPerDocument: 3, Members: 3}

func TestPurgeBatchSizeDoesNotChangeTheResult(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		var reps []softcascade.Report
		var states []map[string]int64
		for _, size := range []int{7, 100000} {
			db, clk := openClocked(t, d)
			a := modelstest.SeedProject(t, db, "a", deepShape)
			b := modelstest.SeedProject(t, db, "b", deepShape)
			modelstest.SeedProject(t, db, "live", deepShape)
			var sub modelstest.Task
			must(t, db.Where("project_id = ? AND parent_id IS NOT NULL", b.ID).Order("id").First(&sub).Error)
			deleteAt(t, db, clk, 35*day, &sub) // a subtree first, then its project
			deleteAt(t, db, clk, 34*day, &a)
			deleteAt(t, db, clk, 33*day, &b)
			largest := int64(0)
			rep, err := softcascade.Purge(db, softcascade.PurgeOptions{BatchSize: size, Progress: func(p softcascade.Progress) {
				largest = max(largest, p.Batch)
			}})
			must(t, err)
			if largest > int64(size) {
				t.Errorf("batch size %d: a batch removed %d rows", size, largest)
			}
			reps, states = append(reps, rep), append(states, state(t, db))
		}
		eq(t, "Rows", reps[0].Rows, reps[1].Rows)
		eqMap(t, "Tables", reps[0].Tables, reps[1].Tables)
		eqMap(t, "state", states[0], states[1])
		eq(t, "tasks purged", reps[0].Tables["tasks"], int64(2*4*6))
		eq(t, "tasks left", states[0]["tasks live"]+states[0]["tasks deleted"], int64(4*6))
	})
}

func TestPurgeCancelledThenResumed(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		s := newScene(t, d)
		before := state(t, s.db)

		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		calls := 0
		first, err := softcascade.Purge(s.db.WithContext(ctx), softcascade.PurgeOptions{BatchSize: 4, Progress: func(softcascade.Progress) {
			if calls++; calls == 3 {
				cancel()
			}
		}})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if first.Rows <= 0 || first.Rows >= sum(smallTree) {
			t.Fatalf("cancelled run removed %d rows, want some but not all", first.Rows)
		}
		if ds := deletions(t, s.db); ds[0].PurgedAt != nil {
			t.Error("deletion marked purged by the cancelled run")
		}
		// Part of it is gone: it cannot be restored any more.
		mid := dumpDB(t, s.db, true)
		if _, err := softcascade.RestoreDeletion(s.db, deletions(t, s.db)[0].ID); !errors.Is(err, gorm.ErrRecordNotFound) {
			t.Errorf("restore of a deletion half purged: %v, want gorm.ErrRecordNotFound", err)
		}
		if _, err := softcascade.Restore(s.db, &modelstest.Project{ID: s.old.ID}); !errors.Is(err, gorm.ErrRecordNotFound) {
			t.Errorf("restore of the root of a deletion half purged: %v, want gorm.ErrRecordNotFound", err)
		}
		requireUnchanged(t, "refused restores", s.db, mid)

		second, err := softcascade.Purge(s.db, softcascade.PurgeOptions{BatchSize: 4})
		must(t, err)
		eq(t, "rows of both runs", first.Rows+second.Rows, sum(smallTree))
		both := maps.Clone(first.Tables)
		for table, n := range second.Tables {
			both[table] += n
		}
		eqMap(t, "Tables of both runs", both, smallTree)
		want := expect(before, smallTree)
		want["purged projects"] = 1
		eqMap(t, "state", state(t, s.db), want)
	})
}

func TestPurgeConcurrently(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db, clk := openClocked(t, d)
		for _, name := range []string{"a", "b", "c"} {
			deleteAt(t, db, clk, 40*day, ptr(modelstest.SeedProject(t, db, name, modelstest.Small)))
		}
		modelstest.SeedProject(t, db, "live", modelstest.Small)
		before := state(t, db)

		var wg sync.WaitGroup
		reps := make([]softcascade.Report, 3)
		errs := make([]error, 3)
		for i := range reps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				reps[i], errs[i] = softcascade.Purge(db, softcascade.PurgeOptions{BatchSize: 5})
			}()
		}
		wg.Wait()
		total := map[string]int64{}
		for i, rep := range reps {
			if errs[i] != nil {
				t.Errorf("purger %d: %v", i, errs[i])
			}
			eqMap(t, "Skipped", rep.Skipped, nil)
			for table, n := range rep.Tables {
				total[table] += n
			}
		}
		eqMap(t, "rows removed by the three purgers", total, scale(smallTree, 3))
		want := expect(before, scale(smallTree, 3))
		want["purged projects"] = 3
		eqMap(t, "state", state(t, db), want)
	})
}

// taskLink references a task through a real foreign key that is not part of
// any cascade.
type taskLink struct {
	ID     uint
	TaskID uint
	Task   modelstest.Task
}

func TestPurgeSkipsRowsHeldFromOutside(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		// Batches of 2 also take the held rows' path in the middle of
		// a table, with batches before and after them.
		for _, size := range []int{0, 2} {
			t.Run(fmt.Sprintf("batch size %d", size), func(t *testing.T) { purgeHeldFromOutside(t, d, size) })
		}
	})
}

// purgeHeldFromOutside purges two deletions, one of which has a row that a
// table outside the cascade references, in batches of size.
func purgeHeldFromOutside(t *testing.T, d modelstest.Dialect, size int) {
	db, clk := openClocked(t, d)
	must(t, db.AutoMigrate(&taskLink{}))
	held := modelstest.SeedProject(t, db, "held", modelstest.Small)
	free := modelstest.SeedProject(t, db, "free", modelstest.Small)
	var leaf modelstest.Task // a subtask of a subtask
	must(t, db.Where("project_id = ? AND parent_id IN (?)", held.ID,
		db.Model(&modelstest.Task{}).Select("id").Where("parent_id IS NOT NULL")).First(&leaf).Error)
	link := taskLink{TaskID: leaf.ID}
	must(t, db.Omit(clause.Associations).Create(&link).Error)
	deleteAt(t, db, clk, 40*day, &held)
	deleteAt(t, db, clk, 35*day, &free)

	rep, err := softcascade.Purge(db, softcascade.PurgeOptions{BatchSize: size})
	must(t, err)
	// The leaf, its two ancestors and the project stay; the rest of
	// both trees goes (children go first, before a parent is known to
	// be held).
	kept := map[string]int64{"tasks": 3, "projects": 1}
	eqMap(t, "Skipped", rep.Skipped, map[string]int64{"tasks": 3, "projects": 1})
	eq(t, "Rows", rep.Rows, 2*sum(smallTree)-sum(kept))
	ds := deletions(t, db)
	if ds[0].PurgedAt != nil || ds[1].PurgedAt == nil {
		t.Errorf("PurgedAt: held %v, free %v; want nil, set", ds[0].PurgedAt, ds[1].PurgedAt)
	}
	var n int64
	must(t, db.Unscoped().Model(&modelstest.Task{}).Where("id = ?", leaf.ID).Count(&n).Error)
	eq(t, "held leaf still there", n, int64(1))
	// What is left of the held deletion cannot be restored: its
	// comments, time entries and other tasks are gone.
	if _, err := softcascade.RestoreDeletion(db, ds[0].ID); !errors.Is(err, gorm.ErrRecordNotFound) {
		t.Errorf("restore of the held deletion: %v, want gorm.ErrRecordNotFound", err)
	}
	if _, err := softcascade.Restore(db, &modelstest.Project{ID: held.ID}); !errors.Is(err, gorm.ErrRecordNotFound) {
		t.Errorf("restore of the held project: %v, want gorm.ErrRecordNotFound", err)
	}

	// Once the link is gone, the next run finishes the deletion.
	must(t, db.Delete(&link).Error)
	rep, err = softcascade.Purge(db, softcascade.PurgeOptions{BatchSize: size})
	must(t, err)
	eqMap(t, "Tables of the second run", rep.Tables, kept)
	eqMap(t, "Skipped of the second run", rep.Skipped, nil)
	if ds := deletions(t, db); ds[0].PurgedAt == nil {
		t.Error("held deletion not purged by the second run")
	}
}

func TestPurgeLeavesLiveRowsAlone(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		s := newScene(t, d)
		// A document of the expired deletion came back meanwhile, with
		// its versions (restored by hand here).
		var doc modelstest.Document
		must(t, s.db.Unscoped().Where("project_id = ?", s.old.ID).Order("id").First(&doc).Error)
		must(t, s.db.Unscoped().Model(&modelstest.Document{}).Where("id = ?", doc.ID).UpdateColumn("deleted_at", nil).Error)
		must(t, s.db.Unscoped().Model(&modelstest.DocumentVersion{}).Where("document_id = ?", doc.ID).UpdateColumn("deleted_at", nil).Error)

		rep, err := softcascade.Purge(s.db, softcascade.PurgeOptions{})
		must(t, err)
		eqMap(t, "Skipped", rep.Skipped, map[string]int64{"projects": 1})
		var n int64
		must(t, s.db.Model(&modelstest.DocumentVersion{}).Where("document_id = ?", doc.ID).Count(&n).Error)
		eq(t, "live versions", n, int64(2))
		must(t, s.db.Model(&modelstest.Document{}).Where("id = ?", doc.ID).Count(&n).Error)
		eq(t, "live document", n, int64(1))
		eq(t, "documents removed", rep.Tables["documents"], int64(1))
		eq(t, "tasks removed", rep.Tables["tasks"], int64(9))
	})
}

func TestPurgeEverySoftDeleteKind(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db, clk := openClocked(t, d)
		gone := seedKinds(t, db, "gone")
		kept := seedKinds(t, db, "kept")
		deleteAt(t, db, clk, 31*day, &gone)
		deleteAt(t, db, clk, 29*day, &kept)
		var ledger int64
		must(t, db.Table("softcascade_ledger").Count(&ledger).Error)

		rep, err := softcascade.Purge(db, softcascade.PurgeOptions{BatchSize: 3})
		must(t, err)
		tree := map[string]int64{"folders": 1, "notes": 2, "pages": 4, "lines": 8, "marks": 8, "stamps": 8}
		eqMap(t, "Tables", rep.Tables, tree)
		c := counts(t, db)
		for table, n := range tree {
			eq(t, table, c[table], modelstest.Count{Deleted: n})
		}
		var left int64
		must(t, db.Table("softcascade_ledger").Count(&left).Error)
		eq(t, "ledger rows left (the kept deletion's)", left, ledger/2)
	})
}

func TestPurgeModelsSoftDeletedOutsideThePlugin(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db, clk := openClocked(t, d)
		now := clk.Now()
		p := modelstest.SeedProject(t, db, "p", modelstest.Shape{Tasks: 5, TimeEntriesPerTask: 1})
		var tasks []modelstest.Task
		must(t, db.Where("project_id = ?", p.ID).Order("id").Find(&tasks).Error)
		must(t, db.Create(&modelstest.Comment{TaskID: tasks[2].ID, Body: "still here"}).Error)
		outside := func(model any, id uint, set map[string]any) {
			t.Helper()
			must(t, db.Model(model).Where("id = ?", id).UpdateColumns(set).Error)
		}
		// Times that no deletion of the plugin has (their rows would be
		// that deletion's).
		old := now.Add(-40*day - time.Hour)
		east := time.FixedZone("east", 5*3600) // SQLite stores the offset in the text
		outside(&modelstest.Task{}, tasks[0].ID, map[string]any{"deleted_at": old.In(east)})
		outside(&modelstest.Task{}, tasks[1].ID, map[string]any{"deleted_at": now.Add(-10*day - time.Hour).In(east)})
		outside(&modelstest.Task{}, tasks[2].ID, map[string]any{"deleted_at": old}) // has a live comment
		deleteAt(t, db, clk, 10*day, &tasks[3])                                     // the plugin's, not expired
		deleteAt(t, db, clk, 40*day, &tasks[4])                                     // the plugin's, expired

		f := modelstest.Folder{Name: "f"}
		must(t, db.Create(&f).Error)
		bare := modelstest.Folder{Name: "bare"}
		must(t, db.Create(&bare).Error)
		notes := []modelstest.Note{{FolderID: f.ID}, {FolderID: f.ID}}
		must(t, db.Create(&notes).Error)
		page := modelstest.Page{NoteID: notes[1].ID}
		must(t, db.Create(&page).Error)
		line := modelstest.Line{PageID: page.ID}
		must(t, db.Create(&line).Error)
		mark := modelstest.Mark{LineID: line.ID}
		must(t, db.Create(&mark).Error)
		outside(&modelstest.Folder{}, bare.ID, map[string]any{"deleted_at": old.Unix()})
		outside(&modelstest.Note{}, notes[0].ID, map[string]any{"deleted_at": old.UnixMilli()})
		outside(&modelstest.Page{}, page.ID, map[string]any{"deleted_at": now.Add(-10*day - time.Hour).UnixNano()})
		outside(&modelstest.Mark{}, mark.ID, map[string]any{"is_del": 1, "deleted_at": old})

		models := []any{&modelstest.Task{}, &modelstest.Folder{}, &modelstest.Note{}, &modelstest.Page{}, &modelstest.Mark{}}
		dry, err := softcascade.Purge(db, softcascade.PurgeOptions{Models: models, DryRun: true})
		must(t, err)
		rep, err := softcascade.Purge(db, softcascade.PurgeOptions{Models: models})
		must(t, err)
		// tasks: 0 (outside, expired) and 4 (the plugin's); time entries of
		// those and of task 2, which is held by its live comment.
		want := map[string]int64{"tasks": 2, "time_entries": 3, "folders": 1, "notes": 1, "marks": 1}
		eqMap(t, "Tables", rep.Tables, want)
		eqMap(t, "Skipped", rep.Skipped, map[string]int64{"tasks": 1})
		eq(t, "dry Rows", dry.Rows, rep.Rows+1) // the dry run cannot see that task 2 is held
		var ids []uint
		must(t, db.Unscoped().Model(&modelstest.Task{}).Order("id").Pluck("id", &ids).Error)
		eq(t, "tasks left", len(ids), 3)
		eq(t, "pages", modelstest.CountRows(t, db, &modelstest.Page{}), modelstest.Count{Deleted: 1})

		for _, bad := range []any{&modelstest.Line{}, &modelstest.TimeEntry{}} {
			if _, err := softcascade.Purge(db, softcascade.PurgeOptions{Models: []any{bad}}); err == nil {
				t.Errorf("Models %T: no error", bad)
			}
		}
	})
}

func TestPurgeRefusesBadOptions(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db, clk := openClocked(t, d)
		for name, opts := range map[string]softcascade.PurgeOptions{
			"future":         {Before: clk.Now().Add(time.Hour)},
			"negative batch": {BatchSize: -1},
		} {
			if _, err := softcascade.Purge(db, opts); !errors.Is(err, softcascade.ErrInvalidValue) {
				t.Errorf("%s: err = %v, want ErrInvalidValue", name, err)
			}
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			_, err := softcascade.Purge(tx, softcascade.PurgeOptions{})
			return err
		})
		if !errors.Is(err, softcascade.ErrInvalidValue) {
			t.Errorf("in a transaction: err = %v, want ErrInvalidValue", err)
		}
		if _, err := softcascade.Purge(d.Open(t, nil), softcascade.PurgeOptions{}); !errors.Is(err, softcascade.ErrNotInstalled) {
			t.Errorf("without the plugin: err = %v, want ErrNotInstalled", err)
		}
	})
}

func TestPurgeEvery(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		s := newScene(t, d)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- softcascade.PurgeEvery(ctx, s.db, 20*time.Millisecond, softcascade.PurgeOptions{}) }()
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			if ds := deletions(t, s.db); ds[0].PurgedAt != nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("PurgeEvery returned %v, want context.Canceled", err)
		}
		if ds := deletions(t, s.db); ds[0].PurgedAt == nil || ds[1].PurgedAt != nil {
			t.Error("PurgeEvery did not purge the expired deletion alone")
		}
	})
}

func TestPurgeLeavesARowToItsLatestDeletion(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db, clk := openClocked(t, d)
		f := modelstest.Folder{Name: "twice"} // unix seconds: its deletions are in the ledger
		must(t, db.Create(&f).Error)
		deleteAt(t, db, clk, 40*day, &f)
		// Brought back by hand, leaving the first deletion's ledger row,
		// then deleted again, recently.
		must(t, db.Unscoped().Model(&modelstest.Folder{}).Where("id = ?", f.ID).UpdateColumn("deleted_at", 0).Error)
		deleteAt(t, db, clk, 10*day, &modelstest.Folder{ID: f.ID})

		rep, err := softcascade.Purge(db, softcascade.PurgeOptions{})
		must(t, err)
		eq(t, "Rows", rep.Rows, int64(0))
		eq(t, "folder", modelstest.CountRows(t, db, &modelstest.Folder{}), modelstest.Count{Deleted: 1})
		ds := deletions(t, db)
		if ds[0].PurgedAt == nil || ds[1].PurgedAt != nil {
			t.Errorf("PurgedAt: first %v, second %v; want set, nil", ds[0].PurgedAt, ds[1].PurgedAt)
		}
		var ledger []string
		must(t, db.Table("softcascade_ledger").Pluck("deletion_id", &ledger).Error)
		if len(ledger) != 1 || ledger[0] != ds[1].ID {
			t.Errorf("ledger holds %v, want only the second deletion %s", ledger, ds[1].ID)
		}
	})
}

// album and photo: a cascade whose child has a composite, partly textual
// primary key.
type album struct {
	ID        uint
	Photos    []photo `gorm:"constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt
}

type photo struct {
	AlbumID   uint   `gorm:"primaryKey;autoIncrement:false"`
	Name      string `gorm:"primaryKey;size:32"`
	DeletedAt gorm.DeletedAt
}

func TestPurgeCompositeKeysAndKeepsDeletionOfDroppedTable(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db, clk := openClocked(t, d)
		must(t, db.AutoMigrate(&album{}, &photo{}))
		var albums []album
		for i := range 3 {
			a := album{}
			for j := range 5 {
				a.Photos = append(a.Photos, photo{Name: fmt.Sprintf("photo %d'%d", i, j)})
			}
			albums = append(albums, a)
		}
		must(t, db.Create(&albums).Error)
		deleteAt(t, db, clk, 40*day, &albums[0])
		deleteAt(t, db, clk, 40*day, &albums[1])
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		deleteAt(t, db, clk, 40*day, &p)
		must(t, db.Migrator().DropTable(&modelstest.DocumentVersion{})) // gone since the deletion

		// The project's deletion names a table that is gone: it is kept
		// (neither started nor marked purged) and reported; the others go.
		rep, err := softcascade.Purge(db, softcascade.PurgeOptions{BatchSize: 2})
		if !errors.Is(err, softcascade.ErrInvalidPlan) || !strings.Contains(err.Error(), `table "document_versions" does not exist`) {
			t.Fatalf("Purge with a dropped table: %v, want ErrInvalidPlan naming document_versions", err)
		}
		eqMap(t, "Tables", rep.Tables, map[string]int64{"albums": 2, "photos": 10})
		var names []string
		must(t, db.Unscoped().Model(&photo{}).Order("name").Pluck("name", &names).Error)
		eq(t, "photos left", len(names), 5)
		for _, del := range deletions(t, db) {
			kept := del.Table == "projects"
			if (del.PurgedAt == nil) != kept || (del.PurgeStartedAt == nil) != kept {
				t.Errorf("deletion of %s: purged at %v, started at %v", del.Table, del.PurgedAt, del.PurgeStartedAt)
			}
		}
		eq(t, "project rows kept", modelstest.CountRows(t, db, &modelstest.Project{}).Deleted, int64(1))
	})
}

// outline is a tree of headings with text keys: a self-referencing table
// whose batches go in key order on PostgreSQL, where keys are compared as
// text ("h10" < "h2").
type outline struct {
	ID        string    `gorm:"primaryKey;size:16"`
	ParentID  *string   `gorm:"size:16;index"`
	Children  []outline `gorm:"foreignKey:ParentID;constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt
}

// A deep tree of text-keyed rows, purged in batches of 2 with a live tree
// beside it: every deleted heading goes, leaves first, and the live ones
// stay.
func TestPurgeTextKeysInATree(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db, clk := openClocked(t, d)
		must(t, db.AutoMigrate(&outline{}))
		// Two trees of 15 headings each, 4 levels deep, with keys whose
		// text order is not their creation order (a, a9, a8, a7, ...).
		for _, root := range []string{"a", "b"} {
			must(t, db.Create(&outline{ID: root}).Error)
			level, n := []string{root}, 30
			for range 3 {
				var next []string
				for _, parent := range level {
					for range 2 {
						n--
						id := fmt.Sprintf("%s%d", root, n)
						must(t, db.Create(&outline{ID: id, ParentID: &parent}).Error)
						next = append(next, id)
					}
				}
				level = next
			}
		}
		var total int64
		must(t, db.Model(&outline{}).Where("id LIKE ?", "a%").Count(&total).Error)
		deleteAt(t, db, clk, 40*day, &outline{ID: "a"})

		rep, err := softcascade.Purge(db, softcascade.PurgeOptions{BatchSize: 2})
		must(t, err)
		eqMap(t, "Tables", rep.Tables, map[string]int64{"outlines": total})
		eqMap(t, "Skipped", rep.Skipped, nil)
		var left []string
		must(t, db.Unscoped().Model(&outline{}).Order("id").Pluck("id", &left).Error)
		for _, id := range left {
			if !strings.HasPrefix(id, "b") {
				t.Errorf("heading %s of the purged tree left", id)
			}
		}
		eq(t, "live headings left", int64(len(left)), total)
	})
}

// A backlog of many small deletions of one model goes in as many
// statements as one of them: their rows are purged together, batches
// filling up across deletions.
func TestPurgeStatementsDoNotGrowWithDeletions(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		var stmts [2]int64
		for i, n := range []int{1, 12} {
			counter := &statementCounter{Interface: logger.Discard}
			clk := &clock{now: time.Now().UTC().Truncate(time.Second)}
			db := open(t, d, &gorm.Config{Logger: counter, NowFunc: clk.Now})
			for j := range n {
				p := modelstest.SeedProject(t, db, fmt.Sprintf("p%d", j), modelstest.Small)
				deleteAt(t, db, clk, 40*day-time.Duration(j)*time.Second, &p)
			}
			dry, err := softcascade.Purge(db, softcascade.PurgeOptions{DryRun: true})
			must(t, err)
			before := counter.n.Load()
			rep, err := softcascade.Purge(db, softcascade.PurgeOptions{})
			must(t, err)
			stmts[i] = counter.n.Load() - before
			eq(t, "rows purged", rep.Rows, int64(n)*sum(smallTree))
			eqMap(t, "tables purged", rep.Tables, scale(smallTree, int64(n)))
			eqMap(t, "tables counted by the dry run", dry.Tables, rep.Tables)
			for _, del := range deletions(t, db) {
				if del.PurgedAt == nil {
					t.Errorf("%d deletions: deletion %s not marked purged", n, del.ID)
				}
			}
		}
		t.Logf("1 deletion: %d statements; 12 deletions: %d statements", stmts[0], stmts[1])
		eq(t, "statements for 12 deletions (vs 1)", stmts[1], stmts[0])
	})
}
