package softcascade_test

import (
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// A Delete after Trashed would hard-delete the roots only (Trashed is
// Unscoped): it is an error that says what to use, and nothing changes.
func TestDeleteAfterTrashedRefused(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "gone", modelstest.Small)
		live := modelstest.SeedProject(t, db, "live", modelstest.Small)
		must(t, db.Delete(&p).Error)
		before := counts(t, db)
		for name, q := range map[string]*gorm.DB{
			"Scopes(Trashed).Delete by id": db.Scopes(softcascade.Trashed),
			"Trashed(db).Where.Delete":     softcascade.Trashed(db).Where("name = ?", "gone"),
			"Trashed.Unscoped.Delete":      db.Scopes(softcascade.Trashed).Unscoped(),
		} {
			err := q.Delete(&modelstest.Project{}, p.ID).Error
			if !errors.Is(err, softcascade.ErrInvalidValue) || !strings.Contains(err.Error(), "Delete after Trashed") ||
				!strings.Contains(err.Error(), "softcascade.Erase") || !strings.Contains(err.Error(), "ForceDelete") || !strings.Contains(err.Error(), "Unscoped().Delete") {
				t.Errorf("%s: err = %v", name, err)
			}
		}
		if err := db.Scopes(softcascade.Trashed).Delete(&live).Error; !errors.Is(err, softcascade.ErrInvalidValue) {
			t.Errorf("Trashed Delete of a live row: err = %v", err)
		}
		after := counts(t, db)
		for table, c := range before {
			if after[table] != c {
				t.Errorf("%s: %+v, was %+v", table, after[table], c)
			}
		}
		ds := deletions(t, db)
		eq(t, "deletions", len(ds), 1)
		rep, err := softcascade.RestoreDeletion(db, ds[0].ID)
		must(t, err)
		eq(t, "restored rows", rep.Rows, ds[0].Rows)
		// A plain hard delete stays possible, without Trashed.
		must(t, db.Unscoped().Delete(&modelstest.Reaction{}, "id > ?", 0).Error)
	})
}

// archivedProject is a table with the columns of projects.
type archivedProject struct {
	ID        uint
	ClientID  *uint
	Name      string
	DeletedAt gorm.DeletedAt
}

func (archivedProject) TableName() string { return "archive" }

// A soft delete through another table (db.Table("archive").Delete) cannot
// be recorded against the model's plan: it is refused, nothing changes;
// the model's own table, and Unscoped, keep working.
func TestDeleteThroughOtherTableRefused(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		must(t, db.AutoMigrate(&archivedProject{}))
		archived := archivedProject{Name: "archived"}
		must(t, db.Create(&archived).Error)
		row := modelstest.Project{ID: archived.ID, Name: archived.Name}
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)

		err := db.Table("archive").Delete(&row).Error
		if !errors.Is(err, softcascade.ErrInvalidValue) || !strings.Contains(err.Error(), `Table("archive")`) ||
			!strings.Contains(err.Error(), `"projects"`) {
			t.Fatalf("Table(archive).Delete: err = %v", err)
		}
		err = db.Table("archive").Where("name = ?", "archived").Delete(&modelstest.Project{}).Error
		if !errors.Is(err, softcascade.ErrInvalidValue) {
			t.Errorf("Table(archive).Where.Delete: err = %v", err)
		}
		var n int64
		must(t, db.Table("archive").Where("deleted_at IS NULL").Count(&n).Error)
		eq(t, "live archive rows", n, int64(1))
		eq(t, "deletions", len(deletions(t, db)), 0)

		// The model's own table named explicitly is an ordinary deletion.
		must(t, db.Table("projects").Delete(&p).Error)
		ds := deletions(t, db)
		if len(ds) != 1 || ds[0].Table != "projects" || ds[0].Rows != 79 {
			t.Fatalf("deletions = %+v", ds)
		}
		// Unscoped through another table is GORM's plain hard delete.
		must(t, db.Table("archive").Unscoped().Delete(&row).Error)
		must(t, db.Table("archive").Count(&n).Error)
		eq(t, "archive rows after Unscoped delete", n, int64(0))
	})
}
