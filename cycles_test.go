package softcascade_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/plugin/soft_delete"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// Employee manages its reports, which cascade: managers can form a cycle.
type Employee struct {
	ID        uint
	Name      string
	ManagerID *uint      `gorm:"index"`
	Reports   []Employee `gorm:"foreignKey:ManagerID" softcascade:"cascade"`
	DeletedAt gorm.DeletedAt
}

// FlagEmployee is Employee with a flag soft-delete column (its deletions
// go in the ledger).
type FlagEmployee struct {
	ID        uint
	Name      string
	ManagerID *uint                 `gorm:"index"`
	Reports   []FlagEmployee        `gorm:"foreignKey:ManagerID" softcascade:"cascade"`
	IsDel     soft_delete.DeletedAt `gorm:"softDelete:flag"`
}

func openEmployees(t *testing.T, d modelstest.Dialect) *gorm.DB {
	t.Helper()
	db := d.Open(t, nil)
	must(t, db.AutoMigrate(&Employee{}, &FlagEmployee{}))
	must(t, db.Use(softcascade.New(softcascade.WithModels(&Employee{}, &FlagEmployee{}))))
	return db
}

// cycle creates n employees, each managing the next, the last the first.
func cycle(t *testing.T, db *gorm.DB, prefix string, n int) []Employee {
	t.Helper()
	es := make([]Employee, n)
	for i := range es {
		es[i].Name = fmt.Sprintf("%s%d", prefix, i)
		if i > 0 {
			es[i].ManagerID = &es[i-1].ID
		}
		must(t, db.Create(&es[i]).Error)
	}
	es[0].ManagerID = &es[n-1].ID
	must(t, db.Model(&es[0]).Update("manager_id", es[n-1].ID).Error)
	return es
}

func liveEmployees(t *testing.T, db *gorm.DB) int64 {
	t.Helper()
	var n int64
	must(t, db.Model(&Employee{}).Count(&n).Error)
	return n
}

// Rows restored together are live parents of each other: a cycle of
// managers comes back whole, by any of its rows or by its deletion.
func TestRestoreCycle(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		for _, n := range []int{2, 3} {
			for _, how := range []string{"first row", "last row", "all rows", "deletion"} {
				t.Run(fmt.Sprintf("%d/%s", n, how), func(t *testing.T) {
					db := openEmployees(t, d)
					es := cycle(t, db, "e", n)
					must(t, db.Create(&Employee{Name: "outsider"}).Error)
					must(t, db.Delete(&es[0]).Error)
					eq(t, "live after delete", liveEmployees(t, db), int64(1))
					var ds []softcascade.Deletion
					must(t, db.Find(&ds).Error)
					if len(ds) != 1 || ds[0].Rows != int64(n) {
						t.Fatalf("deletions = %+v", ds)
					}
					var rep softcascade.Report
					var err error
					switch how {
					case "first row":
						rep, err = softcascade.Restore(db, &Employee{ID: es[0].ID})
					case "last row":
						rep, err = softcascade.Restore(db, &Employee{ID: es[n-1].ID})
					case "all rows":
						rep, err = softcascade.Restore(db, &es)
					case "deletion":
						rep, err = softcascade.RestoreDeletion(db, ds[0].ID)
					}
					must(t, err)
					eq(t, "restored", rep.Rows, int64(n))
					eq(t, "live after restore", liveEmployees(t, db), int64(n+1))
					d2, err := softcascade.FindDeletion(db, ds[0].ID)
					must(t, err)
					if d2.RestoredAt == nil {
						t.Error("deletion not marked restored")
					}
				})
			}
		}
		// Soft-deleted outside the plugin (no deletion): the cycle comes
		// back when its rows are restored in one call.
		t.Run("outside the plugin", func(t *testing.T) {
			db := openEmployees(t, d)
			es := cycle(t, db, "o", 3)
			must(t, db.Model(&Employee{}).Where("id IN ?", []uint{es[0].ID, es[1].ID, es[2].ID}).Update("deleted_at", time.Now()).Error)
			_, err := softcascade.Restore(db, &Employee{ID: es[1].ID})
			if !errors.Is(err, softcascade.ErrParentDeleted) || !strings.Contains(err.Error(), fmt.Sprintf("employees row (id %d)", es[0].ID)) {
				t.Errorf("Restore of one row of the cycle: %v", err)
			}
			rep, err := softcascade.Restore(db, &es)
			must(t, err)
			eq(t, "restored", rep.Rows, int64(3))
		})
	})
}

// ErrParentDeleted names the blocking parent row and its deletion, in
// stamped and in ledger (flag) tables.
func TestParentDeletedNamesTheParent(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := openEmployees(t, d)
		boss := Employee{Name: "boss", Reports: []Employee{{Name: "report"}}}
		must(t, db.Create(&boss).Error)
		fboss := FlagEmployee{Name: "boss", Reports: []FlagEmployee{{Name: "report"}}}
		must(t, db.Create(&fboss).Error)
		for _, c := range []struct {
			table        string
			report, boss any
			bossID       uint
		}{
			{"employees", &boss.Reports[0], &boss, boss.ID},
			{"flag_employees", &fboss.Reports[0], &fboss, fboss.ID},
		} {
			must(t, db.Delete(c.report).Error) // the report first, alone
			must(t, db.Delete(c.boss).Error)   // then the boss, in a deletion of its own
			ds, _, err := softcascade.Trash(db, softcascade.TrashFilter{Table: c.table})
			must(t, err)
			if len(ds) != 2 {
				t.Fatalf("%s: deletions = %+v", c.table, ds)
			}
			bossDeletion := ds[0].ID // newest first
			_, err = softcascade.Restore(db, c.report)
			want := fmt.Sprintf("%s row (id %d)", c.table, c.bossID)
			if !errors.Is(err, softcascade.ErrParentDeleted) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), bossDeletion) {
				t.Errorf("%s: err = %v, want it to name %q and deletion %s", c.table, err, want, bossDeletion)
			}
			// Following the advice works.
			_, err = softcascade.RestoreDeletion(db, bossDeletion)
			must(t, err)
			_, err = softcascade.Restore(db, c.report)
			must(t, err)
		}
	})
}
