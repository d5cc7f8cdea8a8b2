package softcascade_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

func TestGuardChildrenRefusesDeletedParents(t *testing.T) {
	t.Parallel()
	for name, cfg := range txConfigs() {
		t.Run(name, func(t *testing.T) {
			modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
				db := open(t, d, cfg, softcascade.GuardChildren())
				p := modelstest.SeedProject(t, db, "p", modelstest.Small)
				live := modelstest.SeedProject(t, db, "live", modelstest.Small)
				var task modelstest.Task
				must(t, db.Where("project_id = ? AND parent_id IS NULL", p.ID).Order("id").First(&task).Error)
				var comment modelstest.Comment
				must(t, db.Where("task_id = ?", task.ID).Order("id").First(&comment).Error)
				must(t, db.Delete(&modelstest.Project{ID: p.ID}).Error)
				before := dumpDB(t, db, true)
				ctx := context.Background()
				gone := p
				refused := map[string]func() error{
					"task under a deleted project": func() error { return db.Create(&modelstest.Task{ProjectID: p.ID}).Error },
					"subtask of a deleted task": func() error {
						return db.Create(&modelstest.Task{ProjectID: live.ID, ParentID: &task.ID}).Error
					},
					"comment on a deleted task": func() error { return db.Create(&modelstest.Comment{TaskID: task.ID}).Error },
					"attachment on a deleted comment (polymorphic)": func() error {
						return db.Create(&modelstest.Attachment{OwnerID: comment.ID, OwnerType: "comments"}).Error
					},
					"time entry (not soft-deletable) on a deleted task": func() error {
						return db.Create(&modelstest.TimeEntry{TaskID: task.ID}).Error
					},
					"a batch with one bad row": func() error {
						return db.Create(&[]modelstest.Task{{ProjectID: live.ID}, {ProjectID: p.ID}}).Error
					},
					"a pointer slice": func() error {
						return db.Create([]*modelstest.Task{{ProjectID: p.ID}}).Error
					},
					"a map": func() error {
						return db.Model(&modelstest.Task{}).Create(map[string]any{"ProjectID": p.ID, "Title": "m"}).Error
					},
					"association Append": func() error {
						return db.Model(&gone).Association("Tasks").Append(&modelstest.Task{Title: "a"})
					},
					"Save of a new row": func() error { return db.Save(&modelstest.Task{ProjectID: p.ID}).Error },
					"generics API": func() error {
						return gorm.G[modelstest.Task](db).Create(ctx, &modelstest.Task{ProjectID: p.ID})
					},
				}
				for what, create := range refused {
					if err := create(); !errors.Is(err, softcascade.ErrParentDeleted) {
						t.Errorf("%s: %v, want ErrParentDeleted", what, err)
					}
					requireUnchanged(t, what, db, before)
				}

				// What stays allowed.
				must(t, db.Create(&modelstest.Task{ProjectID: live.ID}).Error)
				must(t, db.Create(&modelstest.Attachment{OwnerID: task.ID, OwnerType: "documents"}).Error) // no such relation
				must(t, db.Create(&modelstest.Project{Name: "new", Tasks: []modelstest.Task{{Title: "nested", Comments: []modelstest.Comment{{}}}}}).Error)
				must(t, db.Unscoped().Create(&modelstest.Task{ProjectID: p.ID, Title: "unchecked"}).Error) // the escape hatch
				_, err := softcascade.Restore(db, &modelstest.Project{ID: p.ID})
				must(t, err)
				must(t, db.Create(&modelstest.Comment{TaskID: task.ID}).Error)
			})
		})
	}
}

func TestWithoutGuardChildrenCreateIsGORMs(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "p", modelstest.Shape{Tasks: 1})
		must(t, db.Delete(&p).Error)
		must(t, db.Create(&modelstest.Task{ProjectID: p.ID}).Error)
		eq(t, "live tasks under the deleted project", modelstest.CountRows(t, db, &modelstest.Task{}).Live, int64(1))
	})
}
