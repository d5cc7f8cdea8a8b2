package softcascade_test

import (
	"context"
	"sync"
	"testing"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

func TestTrashedAndWithTrashed(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "gone", modelstest.Small)
		modelstest.SeedProject(t, db, "live", modelstest.Small)
		must(t, db.Delete(&p).Error)
		seedKinds(t, db, "f")
		var line modelstest.Line
		must(t, db.First(&line).Error)
		must(t, db.Delete(&line).Error)

		var trashed []modelstest.Project
		must(t, db.Scopes(softcascade.Trashed).Preload("Tasks", softcascade.WithTrashed).Find(&trashed).Error)
		if len(trashed) != 1 || trashed[0].Name != "gone" || len(trashed[0].Tasks) != 9 {
			t.Fatalf("trashed = %+v", trashed)
		}
		var first modelstest.Project
		must(t, db.Scopes(softcascade.Trashed).First(&first).Error)
		eq(t, "First", first.Name, "gone")
		var n int64
		must(t, db.Model(&modelstest.Task{}).Scopes(softcascade.Trashed).Count(&n).Error)
		eq(t, "Count trashed tasks", n, int64(9))
		must(t, db.Model(&modelstest.Task{}).Scopes(softcascade.WithTrashed).Count(&n).Error)
		eq(t, "Count all tasks", n, int64(18))
		var names []string
		must(t, db.Model(&modelstest.Project{}).Scopes(softcascade.WithTrashed).Order("name").Pluck("name", &names).Error)
		eq(t, "Pluck", len(names), 2)
		var lines []modelstest.Line
		must(t, db.Scopes(softcascade.Trashed).Find(&lines).Error)
		eq(t, "flag-mode trashed", len(lines), 1)
		// A live project's tasks through a join, trashed ones only.
		var tasks []modelstest.Task
		must(t, db.Scopes(softcascade.Trashed).Joins("JOIN projects ON projects.id = tasks.project_id").Where("projects.name = ?", "gone").Find(&tasks).Error)
		eq(t, "Joins", len(tasks), 9)
		// Trashed on a model with no soft-delete field is an error.
		if err := db.Scopes(softcascade.Trashed).Find(&[]modelstest.TimeEntry{}).Error; err == nil {
			t.Error("Trashed on TimeEntry: no error")
		}
	})
}

func TestOnCommitReportsAfterCommit(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		var mu sync.Mutex
		var events []softcascade.Event
		db := open(t, d, nil, softcascade.OnCommit(func(_ context.Context, e softcascade.Event) {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, e)
		}))
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		must(t, db.Delete(&p).Error)
		_, err := softcascade.Restore(db, &p)
		must(t, err)
		f := modelstest.SeedProject(t, db, modelstest.FailAfterDelete, modelstest.Small)
		if db.Delete(&f).Error == nil {
			t.Fatal("delete succeeded")
		}
		if len(events) != 2 || events[0].Op != softcascade.Deleted || events[0].Deletion.Rows != 79 ||
			events[1].Op != softcascade.Restored || events[1].Report.Rows != 79 {
			t.Fatalf("events = %+v", events)
		}
	})
}
