package softcascade_test

import (
	"testing"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// A held deletion of a task keeps its rows when the deletion of the task's
// project, made later and not held, is purged (with an archive), erased
// or purged by an override.
func TestHeldChildDeletionKeepsItsRows(t *testing.T) {
	for _, how := range []string{"archive", "erase", "override"} {
		t.Run(how, func(t *testing.T) {
			modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
				db, clk := openArchive(t, d)
				p := modelstest.SeedProject(t, db, "p", modelstest.Small)
				var task modelstest.Task
				must(t, db.Where("project_id = ? AND parent_id IS NULL", p.ID).Order("id").First(&task).Error)
				deleteAt(t, db, clk, 61*day, &task)
				held := deletions(t, db)[0]
				must(t, softcascade.Hold(db, held.ID, "case"))
				deleteAt(t, db, clk, 60*day, &p)
				free := deletions(t, db)[1]
				var before int64
				must(t, db.Unscoped().Model(&modelstest.Task{}).Where("id = ?", task.ID).Count(&before).Error)
				eq(t, "held task", before, int64(1))
				var err error
				switch how {
				case "archive":
					_, err = softcascade.Purge(db, softcascade.PurgeOptions{Archive: softcascade.DirArchiver(t.TempDir())})
				case "erase":
					_, err = softcascade.Erase(db, free.ID)
				case "override":
					_, err = softcascade.Purge(db, softcascade.PurgeOptions{Before: clk.Now()})
				}
				t.Logf("%s: %v", how, err)
				var n int64
				must(t, db.Unscoped().Model(&modelstest.Task{}).Where("id = ?", task.ID).Count(&n).Error)
				if n != 1 {
					t.Fatalf("%s of the project's deletion removed the held task", how)
				}
				var c int64
				must(t, db.Unscoped().Model(&modelstest.Comment{}).Where("task_id = ?", task.ID).Count(&c).Error)
				if c == 0 {
					t.Fatalf("%s of the project's deletion removed the held task's comments", how)
				}
			})
		})
	}
}
