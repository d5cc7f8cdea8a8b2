package softcascade_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/plugin/soft_delete"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// fixedClock returns a NowFunc that always answers the same millisecond.
func fixedClock() func() time.Time {
	t := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	return func() time.Time { return t }
}

func TestRestoreBringsBackExactlyOneDeletion(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		// Every deletion happens in the same millisecond.
		db := open(t, d, &gorm.Config{NowFunc: fixedClock()})
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		initial := counts(t, db)

		// An unrelated, earlier deletion of one task of the same project.
		var lone modelstest.Task
		must(t, db.Where("project_id = ? AND parent_id IS NULL", p.ID).Order("id").First(&lone).Error)
		must(t, db.Delete(&lone).Error)
		afterLone := counts(t, db)
		must(t, db.Delete(&p).Error)

		rep, err := softcascade.Restore(db, &p)
		must(t, err)
		eq(t, "restored projects", rep.Tables["projects"], int64(1))
		eq(t, "restored tasks", rep.Tables["tasks"], int64(6))
		if got := counts(t, db); !sameCounts(got, afterLone) {
			t.Errorf("after restore %v, want %v", got, afterLone)
		}
		// The earlier deletion is still in the trash, and restores on its own.
		_, err = softcascade.Restore(db, &lone)
		must(t, err)
		if got := counts(t, db); !sameCounts(got, initial) {
			t.Errorf("after both restores %v, want %v", got, initial)
		}
		ds := deletions(t, db)
		for _, del := range ds {
			if del.RestoredAt == nil || del.RestoredRows != del.Rows {
				t.Errorf("deletion %s: RestoredAt %v, RestoredRows %d of %d", del.Table, del.RestoredAt, del.RestoredRows, del.Rows)
			}
		}
	})
}

func sameCounts(a, b map[string]modelstest.Count) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestRestoreFlagModeAndEveryKind(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, &gorm.Config{NowFunc: fixedClock()})
		a := seedKinds(t, db, "a")
		b := seedKinds(t, db, "b")
		initial := counts(t, db)
		// Delete a line of b alone, then both folders, in the same second.
		var line modelstest.Line
		must(t, db.Order("id DESC").First(&line).Error)
		must(t, db.Delete(&line).Error)
		afterLine := counts(t, db)
		must(t, db.Delete(&a).Error)
		must(t, db.Delete(&b).Error)

		ds := deletions(t, db)
		_, err := softcascade.RestoreDeletion(db, ds[2].ID) // folder b
		must(t, err)
		_, err = softcascade.RestoreDeletion(db, ds[1].ID) // folder a
		must(t, err)
		if got := counts(t, db); !sameCounts(got, afterLine) {
			t.Errorf("after restoring the folders %v, want %v", got, afterLine)
		}
		_, err = softcascade.Restore(db, &line)
		must(t, err)
		if got := counts(t, db); !sameCounts(got, initial) {
			t.Errorf("after restoring the line %v, want %v", got, initial)
		}
		var ledger int64
		must(t, db.Table("softcascade_ledger").Count(&ledger).Error)
		eq(t, "ledger rows left", ledger, int64(0))
	})
}

func TestRestoreOneRootOfAMultiRootDeletion(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		var ps []modelstest.Project
		for _, n := range []string{"a", "b", "c"} {
			ps = append(ps, modelstest.SeedProject(t, db, n, modelstest.Small))
		}
		must(t, db.Where("name IN ?", []string{"a", "b"}).Delete(&modelstest.Project{}).Error)
		rep, err := softcascade.Restore(db, &ps[1])
		must(t, err)
		eq(t, "restored rows", rep.Rows, int64(79))
		c := counts(t, db)
		eq(t, "projects deleted", c["projects"].Deleted, int64(1))
		eq(t, "tasks deleted", c["tasks"].Deleted, int64(9))
		eq(t, "comments deleted", c["comments"].Deleted, int64(18))
		ds := deletions(t, db)
		eq(t, "deletions", len(ds), 1)
		eq(t, "partial restore visible", ds[0].RestoredRows, int64(79))
		if ds[0].RestoredAt != nil {
			t.Error("deletion marked restored while half of it is in the trash")
		}
		// The rest, by ID.
		rep, err = softcascade.RestoreDeletion(db, ds[0].ID)
		must(t, err)
		eq(t, "restored rows", rep.Rows, int64(79))
		eq(t, "projects deleted", modelstest.CountRows(t, db, &modelstest.Project{}).Deleted, int64(0))
		if ds = deletions(t, db); ds[0].RestoredAt == nil {
			t.Error("deletion not marked restored")
		}
		_, err = softcascade.RestoreDeletion(db, ds[0].ID)
		if !errors.Is(err, softcascade.ErrNotDeleted) {
			t.Errorf("second RestoreDeletion: %v, want ErrNotDeleted", err)
		}
	})
}

func TestRestoreDeepTreeAndSubtree(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "deep", modelstest.Shape{Tasks: 2, SubtaskDepth: 5, CommentsPerTask: 1, ReactionsPerComment: 1})
		initial := counts(t, db)
		var top modelstest.Task
		must(t, db.Where("project_id = ? AND parent_id IS NULL", p.ID).Order("id").First(&top).Error)
		must(t, db.Delete(&top).Error) // 6 tasks in a chain
		must(t, db.Delete(&p).Error)   // the rest

		var child modelstest.Task
		must(t, db.Unscoped().Where("parent_id = ?", top.ID).First(&child).Error)
		if _, err := softcascade.Restore(db, &child); !errors.Is(err, softcascade.ErrParentDeleted) {
			t.Errorf("restore a cascaded subtask: %v, want ErrParentDeleted", err)
		}
		if _, err := softcascade.Restore(db, &top); !errors.Is(err, softcascade.ErrParentDeleted) {
			t.Errorf("restore a task of a deleted project: %v, want ErrParentDeleted", err)
		}
		_, err := softcascade.Restore(db, &p)
		must(t, err)
		eq(t, "tasks deleted", modelstest.CountRows(t, db, &modelstest.Task{}).Deleted, int64(6))
		rep, err := softcascade.Restore(db, &top)
		must(t, err)
		eq(t, "subtree tasks", rep.Tables["tasks"], int64(6))
		eq(t, "subtree reactions", rep.Tables["reactions"], int64(6))
		if got := counts(t, db); !sameCounts(got, initial) {
			t.Errorf("after restores %v, want %v", got, initial)
		}
	})
}

func TestRestoreRules(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "p", modelstest.Shape{Tasks: 1})
		cases := []struct {
			name  string
			value any
			want  error
		}{
			{"live row", &p, softcascade.ErrNotDeleted},
			{"unknown row", &modelstest.Project{ID: 999999}, gorm.ErrRecordNotFound},
			{"not soft-deletable", &modelstest.TimeEntry{ID: 1}, softcascade.ErrNotSoftDeletable},
			{"nil", nil, softcascade.ErrInvalidValue},
			{"non-pointer", p, softcascade.ErrInvalidValue},
			{"nil pointer", (*modelstest.Project)(nil), softcascade.ErrInvalidValue},
			{"zero key", &modelstest.Project{}, softcascade.ErrInvalidValue},
			{"empty slice", &[]modelstest.Project{}, softcascade.ErrInvalidValue},
		}
		for _, c := range cases {
			if _, err := softcascade.Restore(db, c.value); !errors.Is(err, c.want) {
				t.Errorf("%s: %v, want %v", c.name, err, c.want)
			}
		}
		for _, id := range []string{"", "nope", "0195d8a8-0000-7000-8000-000000000000"} {
			if _, err := softcascade.RestoreDeletion(db, id); !errors.Is(err, gorm.ErrRecordNotFound) {
				t.Errorf("RestoreDeletion(%q): %v, want ErrRecordNotFound", id, err)
			}
		}
		eq(t, "deletions", len(deletions(t, db)), 0)
	})
}

func TestRestoreDeletionIsPerTenant(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		acme := softcascade.WithTenant(context.Background(), "acme")
		globex := softcascade.WithTenant(context.Background(), "globex")
		must(t, db.WithContext(acme).Delete(&p).Error)
		id := deletions(t, db)[0].ID
		if _, err := softcascade.RestoreDeletion(db.WithContext(globex), id); !errors.Is(err, gorm.ErrRecordNotFound) {
			t.Fatalf("other tenant: %v, want ErrRecordNotFound", err)
		}
		eq(t, "projects deleted", modelstest.CountRows(t, db, &modelstest.Project{}).Deleted, int64(1))
		_, err := softcascade.RestoreDeletion(db.WithContext(softcascade.WithActor(acme, "support:7")), id)
		must(t, err)
		if del := deletions(t, db)[0]; del.RestoredBy != "support:7" {
			t.Errorf("RestoredBy = %q", del.RestoredBy)
		}
	})
}

// Slugged keeps its slug unique among live rows the soft_delete way: a
// composite unique index over the slug and a non-NULL deleted-at value.
type Slugged struct {
	ID        uint
	Slug      string                `gorm:"size:64;uniqueIndex:idx_slug_live"`
	Notes     []SluggedNote         `softcascade:"cascade"`
	DeletedAt soft_delete.DeletedAt `gorm:"softDelete:milli;uniqueIndex:idx_slug_live"`
}

// SluggedNote hangs off a Slugged.
type SluggedNote struct {
	ID        uint
	SluggedID uint
	DeletedAt soft_delete.DeletedAt `gorm:"softDelete:milli"`
}

func TestRestoreUniqueConflictChangesNothing(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		must(t, db.AutoMigrate(&Slugged{}, &SluggedNote{}))
		old := Slugged{Slug: "website", Notes: []SluggedNote{{}, {}}}
		must(t, db.Create(&old).Error)
		must(t, db.Delete(&old).Error)
		must(t, db.Create(&Slugged{Slug: "website"}).Error) // the name is free among live rows
		if _, err := softcascade.Restore(db, &old); err == nil {
			t.Fatal("restore over a live duplicate succeeded")
		}
		eq(t, "notes deleted", modelstest.CountRows(t, db, &SluggedNote{}).Deleted, int64(2))
		eq(t, "slugs deleted", modelstest.CountRows(t, db, &Slugged{}).Deleted, int64(1))
		if deletions(t, db)[0].RestoredAt != nil {
			t.Error("log says restored")
		}
		must(t, db.Model(&Slugged{}).Where("slug = ?", "website").Update("slug", "website-new").Error)
		rep, err := softcascade.Restore(db, &old)
		must(t, err)
		eq(t, "restored", rep.Rows, int64(3))
	})
}

func TestRestoreInCallersTransactionRollsBack(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		must(t, db.Delete(&p).Error)
		stop := errors.New("stop")
		err := db.Transaction(func(tx *gorm.DB) error {
			_, err := softcascade.Restore(tx, &p)
			must(t, err)
			eq(t, "projects deleted inside", modelstest.CountRows(t, tx, &modelstest.Project{}).Deleted, int64(0))
			return stop
		})
		if !errors.Is(err, stop) {
			t.Fatal(err)
		}
		eq(t, "tasks deleted", modelstest.CountRows(t, db, &modelstest.Task{}).Deleted, int64(9))
		if deletions(t, db)[0].RestoredAt != nil {
			t.Error("log says restored after rollback")
		}
	})
}
