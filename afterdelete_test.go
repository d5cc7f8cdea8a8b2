package softcascade_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// Board deletes the projects of its name when it is deleted.
type Board struct {
	ID        uint
	Name      string
	Members   []modelstest.User `gorm:"many2many:board_members"`
	DeletedAt gorm.DeletedAt
}

// AfterDelete deletes the board's projects: a deletion of its own.
func (b *Board) AfterDelete(tx *gorm.DB) error {
	return tx.Where("name = ?", b.Name).Delete(&modelstest.Project{}).Error
}

func TestDeleteInAHookIsADeletionOfItsOwn(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		must(t, db.AutoMigrate(&Board{}))
		modelstest.SeedProject(t, db, "roadmap", modelstest.Small)
		b := Board{Name: "roadmap", Members: []modelstest.User{{Name: "ann"}}}
		must(t, db.Create(&b).Error)
		must(t, db.Select("Members").Delete(&b).Error) // GORM removes the board's join rows
		var links int64
		must(t, db.Table("board_members").Count(&links).Error)
		eq(t, "board links removed by GORM", links, int64(0))
		ds := deletions(t, db)
		eq(t, "deletions", len(ds), 2)
		eq(t, "hook's deletion cascaded", ds[len(ds)-1].Rows+ds[0].Rows, int64(80))
	})
}

func TestOnCommitSkipsTheCallersTransaction(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		var events int
		db := open(t, d, nil, softcascade.OnCommit(func(context.Context, softcascade.Event) { events++ }))
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		must(t, db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Delete(&p).Error; err != nil {
				return err
			}
			_, err := softcascade.Restore(tx, &p)
			return err
		}))
		eq(t, "events inside the caller's transaction", events, 0)
	})
}
