package softcascade_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// findDeletion reads deletion id as an operator.
func findDeletion(t *testing.T, db *gorm.DB, id string) softcascade.Deletion {
	t.Helper()
	d, err := softcascade.FindDeletion(db, id)
	must(t, err)
	return d
}

func TestEraseOldAndFreshDeletions(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db, clk := openClocked(t, d)
		s := scene{db: db, clk: clk,
			old:    modelstest.SeedProject(t, db, "old", modelstest.Small),
			recent: modelstest.SeedProject(t, db, "recent", modelstest.Small),
			live:   modelstest.SeedProject(t, db, "live", modelstest.Small),
		}
		deleteAt(t, db, clk, 31*day, &s.old)
		deleteAt(t, db, clk, time.Minute, &s.recent)
		ds := deletions(t, db)
		before := state(t, db)

		ctx := softcascade.WithReason(softcascade.WithActor(context.Background(), "dpo"), "erasure request 17")
		for i, del := range []softcascade.Deletion{ds[1], ds[0]} { // fresh, then old
			rep, err := softcascade.Erase(db.WithContext(ctx), del.ID, softcascade.EraseBatchSize(4))
			must(t, err)
			eq(t, "Rows", rep.Rows, sum(smallTree))
			eqMap(t, "Tables", rep.Tables, smallTree)
			eqMap(t, "Skipped", rep.Skipped, nil)
			got := findDeletion(t, db, del.ID)
			if got.PurgedAt == nil || got.ErasedAt == nil || got.PurgeStartedAt == nil {
				t.Fatalf("erased deletion: PurgedAt %v, ErasedAt %v, PurgeStartedAt %v; want all set", got.PurgedAt, got.ErasedAt, got.PurgeStartedAt)
			}
			eq(t, "ErasedBy", got.ErasedBy, "dpo")
			eq(t, "EraseReason", got.EraseReason, "erasure request 17")
			eq(t, "Actor kept without Scrub", got.Actor, del.Actor)
			eq(t, "Rows kept", got.Rows, del.Rows)
			eqMap(t, "Tables kept", got.Tables, del.Tables)
			want := expect(before, smallTree)
			if i == 1 {
				want = expect(want, smallTree)
			}
			want["purged projects"] = int64(i + 1)
			eqMap(t, "state", state(t, db), want)
		}
		eq(t, "live tasks", modelstest.CountRows(t, db, &modelstest.Task{}), modelstest.Count{Live: 9})

		// Erasing again: it is gone.
		if _, err := softcascade.Erase(db, ds[0].ID); !errors.Is(err, gorm.ErrRecordNotFound) {
			t.Errorf("second Erase: %v, want gorm.ErrRecordNotFound", err)
		}
		rep, err := softcascade.Purge(db, softcascade.PurgeOptions{})
		must(t, err)
		eq(t, "a purge after the erasures", rep.Rows, int64(0))
	})
}

func TestEraseEventAndScrub(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		var mu sync.Mutex
		var ops []softcascade.Op
		var erased *softcascade.Deletion
		db := open(t, d, nil, softcascade.OnCommit(func(_ context.Context, e softcascade.Event) {
			mu.Lock()
			defer mu.Unlock()
			ops = append(ops, e.Op)
			if e.Op == softcascade.Erased {
				erased = e.Deletion
			}
		}))
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		ctx := softcascade.WithReason(softcascade.WithActor(context.Background(), "alice@example.com"), "Alice Example left")
		must(t, db.WithContext(ctx).Delete(&p).Error)
		del := deletions(t, db)[0]
		id := del.ID

		ectx := softcascade.WithReason(softcascade.WithActor(context.Background(), "dpo"), "ticket 9")
		rep, err := softcascade.Erase(db.WithContext(ectx), id, softcascade.Scrub())
		must(t, err)
		got := findDeletion(t, db, id)
		eq(t, "Actor scrubbed", got.Actor, "")
		eq(t, "Reason scrubbed", got.Reason, "")
		if len(del.Labels) == 0 || len(got.Labels) != 0 || len(got.RootKeys) != 0 || got.LabelSearch != "" {
			t.Errorf("labels %q keys %q search %q after Scrub, want none (before: %q)", got.Labels, got.RootKeys, got.LabelSearch, del.Labels)
		}
		eq(t, "ErasedBy", got.ErasedBy, "dpo")
		eq(t, "EraseReason", got.EraseReason, "ticket 9")
		eqMap(t, "Tables kept", got.Tables, del.Tables)

		mu.Lock()
		defer mu.Unlock()
		if len(ops) != 2 || ops[0] != softcascade.Deleted || ops[1] != softcascade.Erased {
			t.Fatalf("events %v, want [deleted erased]", ops)
		}
		if erased == nil || erased.ID != id || erased.PurgedAt == nil || erased.Actor != "" {
			t.Errorf("Erased event's deletion %+v, want %s purged and scrubbed", erased, id)
		}
		eq(t, "Rows", rep.Rows, sum(smallTree))
	})
}

func TestForceDeleteEqualsDeleteThenPurge(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		seed := func() (*gorm.DB, *clock, modelstest.Project) {
			db, clk := openClocked(t, d)
			modelstest.SeedProject(t, db, "kept", modelstest.Small)
			p := modelstest.SeedProject(t, db, "gone", modelstest.Small)
			modelstest.SeedProject(t, db, "trashed", modelstest.Small)
			return db, clk, p
		}
		forced, _, p := seed()
		other, clk, q := seed()
		// A third project in the trash in both, untouched by either.
		var trashed modelstest.Project
		for _, db := range []*gorm.DB{forced, other} {
			must(t, db.Where("name = ?", "trashed").First(&trashed).Error)
			must(t, db.Delete(&trashed).Error)
		}

		ctx := softcascade.WithActor(context.Background(), "dpo")
		rep, err := softcascade.ForceDelete(forced.WithContext(ctx), &p)
		must(t, err)
		eqMap(t, "ForceDelete Tables", rep.Tables, smallTree)

		deleteAt(t, other, clk, 31*day, &q)
		prep, err := softcascade.Purge(other, softcascade.PurgeOptions{})
		must(t, err)
		eqMap(t, "Purge Tables", prep.Tables, rep.Tables)
		eqMap(t, "state: ForceDelete vs Delete+Purge", state(t, forced), state(t, other))

		ds := deletions(t, forced)
		last := ds[len(ds)-1]
		if last.ErasedAt == nil || last.PurgedAt == nil || last.Actor != "dpo" || last.ErasedBy != "dpo" {
			t.Errorf("forced deletion: %+v, want erased and purged, by dpo", last)
		}

		// Nothing live left to force-delete; a model without soft delete
		// is refused before anything happens.
		if _, err := softcascade.ForceDelete(forced, &p); !errors.Is(err, gorm.ErrRecordNotFound) {
			t.Errorf("ForceDelete of a purged project: %v, want gorm.ErrRecordNotFound", err)
		}
		if _, err := softcascade.ForceDelete(forced, &modelstest.TimeEntry{ID: 1}); !errors.Is(err, softcascade.ErrNotSoftDeletable) {
			t.Errorf("ForceDelete of a time entry: %v, want ErrNotSoftDeletable", err)
		}
		if _, err := softcascade.ForceDelete(forced.Unscoped(), &trashed); !errors.Is(err, softcascade.ErrInvalidValue) {
			t.Errorf("ForceDelete Unscoped: %v, want ErrInvalidValue", err)
		}
	})
}

func TestEraseRefusals(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		q := modelstest.SeedProject(t, db, "q", modelstest.Small)
		acme := softcascade.WithTenant(context.Background(), "acme")
		must(t, db.WithContext(acme).Delete(&p).Error)
		must(t, db.Delete(&q).Error)
		ds := deletions(t, db)
		before := state(t, db)

		other := db.WithContext(softcascade.WithTenant(context.Background(), "globex"))
		if _, err := softcascade.Erase(other, ds[0].ID); !errors.Is(err, gorm.ErrRecordNotFound) {
			t.Errorf("Erase of another tenant's deletion: %v, want gorm.ErrRecordNotFound", err)
		}
		if err := softcascade.Hold(other, ds[0].ID, "x"); !errors.Is(err, gorm.ErrRecordNotFound) {
			t.Errorf("Hold of another tenant's deletion: %v, want gorm.ErrRecordNotFound", err)
		}
		if _, err := softcascade.Erase(db.WithContext(acme), ds[1].ID); !errors.Is(err, gorm.ErrRecordNotFound) {
			t.Errorf("Erase by a tenant of a deletion without tenant: %v, want gorm.ErrRecordNotFound", err)
		}
		if _, err := softcascade.Erase(db, "not-a-uuid"); !errors.Is(err, gorm.ErrRecordNotFound) {
			t.Errorf("Erase of a malformed ID: %v, want gorm.ErrRecordNotFound", err)
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			_, err := softcascade.Erase(tx, ds[1].ID)
			return err
		})
		if !errors.Is(err, softcascade.ErrInvalidValue) {
			t.Errorf("Erase in a transaction: %v, want ErrInvalidValue", err)
		}
		if _, err := softcascade.Erase(db, ds[1].ID, nil); !errors.Is(err, softcascade.ErrInvalidValue) {
			t.Errorf("Erase with a nil option: %v, want ErrInvalidValue", err)
		}

		// Held: refused, by anyone; the tenant may hold its own.
		must(t, softcascade.Hold(db.WithContext(softcascade.WithActor(acme, "legal")), ds[0].ID, "case 2026-17"))
		if _, err := softcascade.Erase(db, ds[0].ID); !errors.Is(err, softcascade.ErrHeld) {
			t.Errorf("Erase of a held deletion: %v, want ErrHeld", err)
		}
		if err := softcascade.Hold(db, ds[0].ID, "again"); !errors.Is(err, softcascade.ErrHeld) {
			t.Errorf("Hold of a held deletion: %v, want ErrHeld", err)
		}
		if err := softcascade.Hold(db, ds[1].ID, " "); !errors.Is(err, softcascade.ErrInvalidValue) {
			t.Errorf("Hold without a reason: %v, want ErrInvalidValue", err)
		}
		if err := softcascade.Release(db, ds[1].ID); !errors.Is(err, softcascade.ErrInvalidValue) {
			t.Errorf("Release of a deletion not held: %v, want ErrInvalidValue", err)
		}
		eqMap(t, "state after the refusals", state(t, db), before)
		if held, n, err := softcascade.Trash(db, softcascade.TrashFilter{Held: true}); err != nil || n != 1 || held[0].ID != ds[0].ID {
			t.Errorf("Trash Held: %d %v %v, want the held one", n, held, err)
		}
		held := findDeletion(t, db, ds[0].ID)
		if held.HeldAt == nil || held.HeldBy != "legal" || held.HoldReason != "case 2026-17" || held.ErasedAt != nil || held.PurgeStartedAt != nil {
			t.Errorf("held deletion %+v", held)
		}

		// A restored deletion has nothing to erase.
		_, err = softcascade.RestoreDeletion(db, ds[1].ID)
		must(t, err)
		if _, err := softcascade.Erase(db, ds[1].ID); !errors.Is(err, softcascade.ErrNotDeleted) {
			t.Errorf("Erase of a restored deletion: %v, want ErrNotDeleted", err)
		}
	})
}

func TestHoldSurvivesPurgesAndRelease(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		s := newScene(t, d)
		extra := modelstest.SeedProject(t, s.db, "extra", modelstest.Small)
		deleteAt(t, s.db, s.clk, 40*day, &extra)
		ds := deletions(t, s.db) // extra (40 days), old (31), recent (29)
		ctx := softcascade.WithActor(context.Background(), "legal")
		must(t, softcascade.Hold(s.db.WithContext(ctx), ds[1].ID, "litigation"))

		dry, err := softcascade.Purge(s.db, softcascade.PurgeOptions{DryRun: true})
		must(t, err)
		eqMap(t, "dry run Tables", dry.Tables, smallTree)
		eq(t, "dry run OnHold", dry.OnHold, 1)

		// The scheduler purges the free one and keeps the held one.
		runCtx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- softcascade.PurgeEvery(runCtx, s.db, 20*time.Millisecond, softcascade.PurgeOptions{}) }()
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) && deletions(t, s.db)[0].PurgedAt == nil {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(60 * time.Millisecond) // a few more runs
		cancel()
		<-done
		ds = deletions(t, s.db)
		if ds[0].PurgedAt == nil || ds[1].PurgedAt != nil || ds[1].PurgeStartedAt != nil {
			t.Fatalf("after PurgeEvery: free purged %v, held purged %v started %v; want set, nil, nil", ds[0].PurgedAt, ds[1].PurgedAt, ds[1].PurgeStartedAt)
		}
		// On MySQL a scheduled run cancelled mid-statement has its
		// connection closed; the server ends that session, and frees its
		// purge lock, a moment later: until then a purge is Busy.
		var rep softcascade.Report
		for wait := time.Now().Add(10 * time.Second); ; {
			rep, err = softcascade.Purge(s.db, softcascade.PurgeOptions{Before: s.clk.Now(), OverrideRetention: true})
			must(t, err)
			if !rep.Busy || time.Now().After(wait) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		eq(t, "OnHold", rep.OnHold, 1)
		eqMap(t, "Tables: the recent one, not the held one", rep.Tables, smallTree)
		if got := findDeletion(t, s.db, ds[1].ID); got.PurgedAt != nil {
			t.Fatal("held deletion purged")
		}

		// A hold prevents destruction, not restoration.
		_, err = softcascade.RestoreDeletion(s.db, ds[1].ID)
		must(t, err)
		must(t, s.db.Delete(&s.old).Error)
		ds = deletions(t, s.db)
		must(t, softcascade.Hold(s.db.WithContext(ctx), ds[3].ID, "litigation"))
		must(t, softcascade.Release(s.db.WithContext(softcascade.WithActor(context.Background(), "counsel")), ds[3].ID))
		got := findDeletion(t, s.db, ds[3].ID)
		if got.HeldAt != nil || got.ReleasedAt == nil || got.ReleasedBy != "counsel" || got.HeldBy != "legal" || got.HoldReason != "litigation" {
			t.Errorf("released deletion %+v", got)
		}
		s.clk.Advance(time.Millisecond)
		rep, err = softcascade.Purge(s.db, softcascade.PurgeOptions{Before: s.clk.Now(), OverrideRetention: true})
		must(t, err)
		eq(t, "OnHold after release", rep.OnHold, 1) // the restored one is still held
		eqMap(t, "Tables after release", rep.Tables, smallTree)
	})
}

func TestHoldAndPurgeExcludeEachOther(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		s := newScene(t, d)
		ds := deletions(t, s.db)
		// A purge that claimed the deletion and stopped: a hold comes too
		// late, and Erase finishes the purge.
		must(t, s.db.Model(&softcascade.Deletion{}).Where("id = ?", ds[0].ID).
			UpdateColumn("purge_started_at", s.clk.Now()).Error)
		if err := softcascade.Hold(s.db, ds[0].ID, "late"); !errors.Is(err, gorm.ErrRecordNotFound) {
			t.Errorf("Hold of a deletion being purged: %v, want gorm.ErrRecordNotFound", err)
		}
		rep, err := softcascade.Erase(s.db, ds[0].ID)
		must(t, err)
		eqMap(t, "Tables", rep.Tables, smallTree)

		// A hold that committed first: the purge's claim does not take it,
		// even when the purge read the deletion before the hold.
		must(t, softcascade.Hold(s.db, ds[1].ID, "first"))
		s.clk.Advance(2 * day)
		rep, err = softcascade.Purge(s.db, softcascade.PurgeOptions{})
		must(t, err)
		eq(t, "Rows", rep.Rows, int64(0))
		eq(t, "OnHold", rep.OnHold, 1)
	})
}

func TestEraseKeepsRowsReferencedFromOutside(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		must(t, db.AutoMigrate(&taskLink{}))
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		var task modelstest.Task
		must(t, db.Where("project_id = ? AND parent_id IS NULL", p.ID).First(&task).Error)
		link := taskLink{TaskID: task.ID}
		must(t, db.Omit(clause.Associations).Create(&link).Error)
		must(t, db.Delete(&p).Error)
		id := deletions(t, db)[0].ID

		rep, err := softcascade.Erase(db, id)
		if !errors.Is(err, softcascade.ErrReferenced) {
			t.Fatalf("Erase with a referenced row: %v, want ErrReferenced", err)
		}
		eqMap(t, "Skipped", rep.Skipped, map[string]int64{"tasks": 1, "projects": 1})
		if got := findDeletion(t, db, id); got.PurgedAt != nil || got.ErasedAt == nil {
			t.Errorf("partly erased deletion: PurgedAt %v ErasedAt %v; want nil, set", got.PurgedAt, got.ErasedAt)
		}
		must(t, db.Delete(&link).Error)
		rep, err = softcascade.Erase(db, id)
		must(t, err)
		eqMap(t, "Tables of the rerun", rep.Tables, map[string]int64{"tasks": 1, "projects": 1})
	})
}

// A Hold racing a Purge: whichever commits first wins, and a held
// deletion never loses a row.
func TestHoldRacesPurge(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db, clk := openClocked(t, d)
		wins := map[bool]int{}
		for i := 0; i < 6; i++ {
			p := modelstest.SeedProject(t, db, "p", modelstest.Small)
			deleteAt(t, db, clk, 40*day, &p)
			ds := deletions(t, db)
			id := ds[len(ds)-1].ID
			var holdErr, purgeErr error
			var wg sync.WaitGroup
			wg.Add(2)
			go func() { defer wg.Done(); holdErr = softcascade.Hold(db, id, "race") }()
			go func() { defer wg.Done(); _, purgeErr = softcascade.Purge(db, softcascade.PurgeOptions{}) }()
			wg.Wait()
			must(t, purgeErr)
			got := findDeletion(t, db, id)
			var trashed int64
			must(t, db.Unscoped().Model(&modelstest.Task{}).Where("project_id = ? AND deleted_at IS NOT NULL", p.ID).Count(&trashed).Error)
			switch {
			case holdErr == nil:
				if got.PurgeStartedAt != nil || got.PurgedAt != nil || trashed != 9 {
					t.Fatalf("held deletion touched: started %v purged %v, %d tasks left", got.PurgeStartedAt, got.PurgedAt, trashed)
				}
				must(t, softcascade.Release(db, id))
			case errors.Is(holdErr, gorm.ErrRecordNotFound):
				if got.HeldAt != nil || got.PurgeStartedAt == nil {
					t.Fatalf("hold refused, but the deletion is %+v", got)
				}
			default:
				t.Fatalf("Hold: %v", holdErr)
			}
			wins[holdErr == nil]++
			_, err := softcascade.Purge(db, softcascade.PurgeOptions{})
			must(t, err)
		}
		t.Logf("hold won %d times, purge %d times", wins[true], wins[false])
	})
}

// A log row written before the hold and erase columns existed has NULL in
// them: it reads, lists, holds and erases like any other.
func TestLogRowsFromBeforeTheHoldColumns(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		must(t, db.Delete(&p).Error)
		id := deletions(t, db)[0].ID
		nulls := map[string]any{}
		for _, c := range []string{"held_at", "held_by", "hold_reason", "released_at", "released_by", "erased_at", "erased_by", "erase_reason"} {
			nulls[c] = nil
		}
		must(t, db.Model(&softcascade.Deletion{}).Where("id = ?", id).UpdateColumns(nulls).Error)
		if ds, n, err := softcascade.Trash(db, softcascade.TrashFilter{}); err != nil || n != 1 || ds[0].HeldBy != "" {
			t.Fatalf("Trash: %v %d %v", ds, n, err)
		}
		must(t, softcascade.Hold(db, id, "x"))
		must(t, softcascade.Release(db, id))
		_, err := softcascade.Erase(db, id)
		must(t, err)
	})
}

// A purge stopped half-way leaves a deletion partly gone and marked as
// being purged: Erase finishes it, fresh as it is.
func TestEraseFinishesAnInterruptedPurge(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		s := newScene(t, d)
		ds := deletions(t, s.db)
		ctx, cancel := context.WithCancel(context.Background())
		first, err := softcascade.Purge(s.db.WithContext(ctx), softcascade.PurgeOptions{BatchSize: 2, Progress: func(softcascade.Progress) { cancel() }})
		if !errors.Is(err, context.Canceled) || first.Rows == 0 || first.Rows >= sum(smallTree) {
			t.Fatalf("interrupted purge: %d rows, %v", first.Rows, err)
		}
		if got := findDeletion(t, s.db, ds[0].ID); got.PurgeStartedAt == nil || got.PurgedAt != nil {
			t.Fatalf("interrupted deletion %+v", got)
		}
		rep, err := softcascade.Erase(s.db, ds[0].ID)
		must(t, err)
		eq(t, "rows of both runs", first.Rows+rep.Rows, sum(smallTree))
		if got := findDeletion(t, s.db, ds[0].ID); got.PurgedAt == nil || got.ErasedAt == nil {
			t.Errorf("finished deletion %+v", got)
		}
	})
}
