package softcascade_test

import (
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// trashedAndLive returns one trashed and one live ID of model's table.
func trashedAndLive(t *testing.T, db *gorm.DB, model any) (trashed, live uint) {
	t.Helper()
	var all, alive []uint
	must(t, db.Model(model).Unscoped().Order("id").Pluck("id", &all).Error)
	must(t, db.Model(model).Order("id").Pluck("id", &alive).Error)
	isLive := map[uint]bool{}
	for _, id := range alive {
		isLive[id] = true
	}
	for _, id := range all {
		if !isLive[id] && trashed == 0 {
			trashed = id
		}
	}
	if trashed == 0 || len(alive) == 0 {
		t.Fatalf("%T: need a trashed and a live row (all %v, live %v)", model, all, alive)
	}
	return trashed, alive[0]
}

// An Or after Trashed stays inside the trash, for every soft-delete kind,
// whether Trashed runs as a scope (after the chain) or is called first.
func TestTrashedOrEveryKind(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "gone", modelstest.Small)
		modelstest.SeedProject(t, db, "live", modelstest.Small)
		must(t, db.Delete(&p).Error)
		f := seedKinds(t, db, "gone")
		seedKinds(t, db, "live")
		must(t, db.Delete(&f).Error)

		models := append([]any{&modelstest.Project{}, &modelstest.Task{}}, modelstest.KindModels()...)
		for _, m := range models {
			gone, live := trashedAndLive(t, db, m)
			queries := map[string]*gorm.DB{
				"Scopes(Trashed).Where.Or": db.Model(m).Scopes(softcascade.Trashed).Where("id = ?", live).Or("id = ?", gone),
				"Where.Or.Scopes(Trashed)": db.Model(m).Where("id = ?", live).Or("id = ?", gone).Scopes(softcascade.Trashed),
				"Trashed(db).Where.Or":     softcascade.Trashed(db.Model(m)).Where("id = ?", live).Or("id = ?", gone),
				"Trashed(db.Where.Or)":     softcascade.Trashed(db.Model(m).Where("id = ?", live).Or("id = ?", gone)),
				"Or first":                 softcascade.Trashed(db.Model(m)).Or("id = ?", gone).Or("id = ?", live),
			}
			for name, q := range queries {
				var ids []uint
				must(t, q.Pluck("id", &ids).Error)
				if len(ids) != 1 || ids[0] != gone {
					t.Errorf("%T %s: ids %v, want only the trashed %d (live %d)", m, name, ids, gone, live)
				}
			}
			var n int64
			must(t, db.Model(m).Scopes(softcascade.Trashed).Where("id = ?", live).Or("id = ?", gone).Count(&n).Error)
			eq(t, "Count", n, int64(1))
		}
	})
}

// Preload conditions with Trashed: the Or of another condition stays
// inside the trash, whatever the order of the conditions.
func TestTrashedPreloadOr(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		var task modelstest.Task
		must(t, db.Where("project_id = ? AND parent_id IS NULL", p.ID).Order("id").First(&task).Error)
		must(t, db.Delete(&task).Error) // the task and its subtasks go to the trash, the others stay
		var want int64
		must(t, db.Model(&modelstest.Task{}).Scopes(softcascade.Trashed).Where("project_id = ?", p.ID).Count(&want).Error)
		if want == 0 {
			t.Fatal("no trashed task")
		}
		// An Or that matches the parent's live children too (an Or in a
		// Preload condition also binds GORM's own IN condition; one that
		// names the parent keeps the preload exact).
		orParent := func(fk string, id uint) func(*gorm.DB) *gorm.DB {
			return func(tx *gorm.DB) *gorm.DB { return tx.Where("1 = 0").Or(fk+" = ?", id) }
		}
		either := orParent("project_id", p.ID)
		for name, conds := range map[string][]any{
			"Trashed first": {softcascade.Trashed, either},
			"Trashed last":  {either, softcascade.Trashed},
		} {
			var got modelstest.Project
			must(t, db.Preload("Tasks", conds...).First(&got, p.ID).Error)
			if int64(len(got.Tasks)) != want {
				t.Errorf("%s: %d tasks preloaded, want the %d trashed", name, len(got.Tasks), want)
			}
			for _, x := range got.Tasks {
				if !x.DeletedAt.Valid {
					t.Errorf("%s: live task %d preloaded", name, x.ID)
				}
			}
		}
		// A flag-mode and a mixed-mode child: lines of a page, marks of a line.
		f := seedKinds(t, db, "f")
		page := f.Notes[0].Pages[0]
		line := page.Lines[0]
		must(t, db.Delete(&line).Error)
		var gotPage modelstest.Page
		must(t, db.Preload("Lines", orParent("page_id", page.ID), softcascade.Trashed).First(&gotPage, page.ID).Error)
		if len(gotPage.Lines) != 1 || gotPage.Lines[0].ID != line.ID {
			t.Errorf("flag lines preloaded: %+v, want only line %d", gotPage.Lines, line.ID)
		}
		other := page.Lines[1]
		must(t, db.Create(&modelstest.Mark{LineID: other.ID}).Error)
		must(t, db.Delete(&other.Marks[0]).Error)
		var gotLine modelstest.Line
		must(t, db.Preload("Marks", softcascade.Trashed, orParent("line_id", other.ID)).Preload("Stamps", orParent("line_id", other.ID), softcascade.Trashed).First(&gotLine, other.ID).Error)
		if len(gotLine.Marks) != 1 || gotLine.Marks[0].ID != other.Marks[0].ID || len(gotLine.Stamps) != 0 {
			t.Errorf("mixed marks preloaded: %+v, stamps %+v; want only mark %d", gotLine.Marks, gotLine.Stamps, other.Marks[0].ID)
		}
	})
}

// Models with a belongs-to, for Joins on the seed's tables.
type joinedTask struct {
	ID        uint
	ProjectID uint
	Title     string
	Project   modelstest.Project
	DeletedAt gorm.DeletedAt
}

func (joinedTask) TableName() string { return "tasks" }

type joinedNote struct {
	ID        uint
	FolderID  uint
	Folder    modelstest.Folder
	DeletedAt int64 `gorm:"softDelete:milli"`
}

func (joinedNote) TableName() string { return "notes" }

type joinedMark struct {
	ID     uint
	LineID uint
	Line   modelstest.Line
}

func (joinedMark) TableName() string { return "marks" }

// Joins conditions with Trashed (time, unix-second and flag parents).
func TestTrashedJoinsOr(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		gone := modelstest.SeedProject(t, db, "gone", modelstest.Small)
		modelstest.SeedProject(t, db, "live", modelstest.Small)
		must(t, db.Delete(&gone).Error)
		fg := seedKinds(t, db, "gone")
		seedKinds(t, db, "live")
		must(t, db.Delete(&fg).Error)

		var tasks []joinedTask
		cond := softcascade.Trashed(db.Where("name = ?", "gone").Or("name = ?", "live"))
		must(t, db.Scopes(softcascade.WithTrashed).InnerJoins("Project", cond).Find(&tasks).Error)
		if len(tasks) != 9 {
			t.Errorf("tasks joined to a trashed project: %d, want 9", len(tasks))
		}
		for _, x := range tasks {
			if x.Project.Name != "gone" {
				t.Errorf("task %d joined to project %q", x.ID, x.Project.Name)
			}
		}
		var notes []joinedNote
		cond = softcascade.Trashed(db.Where("name = ?", "live").Or("name = ?", "gone"))
		must(t, db.Scopes(softcascade.WithTrashed).InnerJoins("Folder", cond).Find(&notes).Error)
		eq(t, "notes joined to a trashed folder", len(notes), 2)
		var marks []joinedMark
		cond = softcascade.Trashed(db.Where("1 = 0").Or("page_id > ?", 0))
		must(t, db.Scopes(softcascade.WithTrashed).InnerJoins("Line", cond).Find(&marks).Error)
		eq(t, "marks joined to a trashed line", len(marks), 8)

		// What cannot mean what it says is an error, not a wrong answer.
		late := softcascade.Trashed(db).Where("name = ?", "gone").Or("name = ?", "live")
		err := db.Scopes(softcascade.WithTrashed).InnerJoins("Project", late).Find(&tasks).Error
		if !errors.Is(err, softcascade.ErrInvalidValue) || !strings.Contains(err.Error(), "call Trashed last") {
			t.Errorf("Or after Trashed in a Joins condition: %v", err)
		}
		err = db.InnerJoins("Project", softcascade.Trashed(db.Where("name = ?", "gone"))).Find(&tasks).Error
		if !errors.Is(err, softcascade.ErrInvalidValue) || !strings.Contains(err.Error(), "WithTrashed") {
			t.Errorf("Trashed join on a filtered query: %v", err)
		}
	})
}
