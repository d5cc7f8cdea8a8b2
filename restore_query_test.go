package softcascade_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

func TestRestoreByQuery(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		a := modelstest.SeedProject(t, db, "Web A", modelstest.Small)
		b := modelstest.SeedProject(t, db, "Web B", modelstest.Small)
		other := modelstest.SeedProject(t, db, "Other", modelstest.Small)
		live := modelstest.SeedProject(t, db, "Web live", modelstest.Small)
		// An earlier deletion of one task of Web A stays in the trash.
		var lone modelstest.Task
		must(t, db.Where("project_id = ? AND parent_id IS NULL", a.ID).Order("id").First(&lone).Error)
		must(t, db.Delete(&lone).Error)
		must(t, db.Delete(&other).Error)
		want := counts(t, db)
		must(t, db.Delete(&a).Error)
		must(t, db.Delete(&b).Error)

		// The Or stays inside the conditions: the live project is not
		// matched (else the restore would fail with ErrNotDeleted).
		rep, err := softcascade.Restore(db.Where("name = ?", "nothing").Or("name LIKE ?", "Web%"), &[]modelstest.Project{})
		must(t, err)
		eq(t, "restored projects", rep.Tables["projects"], int64(2))
		var names []string
		must(t, db.Model(&modelstest.Project{}).Order("name").Pluck("name", &names).Error)
		eq(t, "live projects", strings.Join(names, ","), "Web A,Web B,Web live")
		// Exactly the two deletions came back: Other and the task deleted
		// before Web A stay in the trash.
		if got := counts(t, db); !sameCounts(got, want) {
			t.Errorf("after restore %v, want %v", got, want)
		}
		for _, del := range deletions(t, db) {
			isAB := del.Table == "projects" && del.Roots == 1 && del.Tables["projects"] == 1 && del.RestoredRows > 0
			if del.RestoredAt != nil != isAB {
				t.Errorf("deletion of %s (%v rows, %d restored): RestoredAt %v", del.Table, del.Tables, del.RestoredRows, del.RestoredAt)
			}
		}
		_ = live

		// A zero struct names the model too.
		must(t, db.Delete(&a).Error)
		rep, err = softcascade.Restore(db.Where("id = ?", a.ID), &modelstest.Project{})
		must(t, err)
		eq(t, "restored projects (zero struct)", rep.Tables["projects"], int64(1))
	})
}

func TestRestoreByQueryRefusals(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "Web", modelstest.Small)
		must(t, db.Delete(&p).Error)
		before := counts(t, db)
		for name, c := range map[string]struct {
			db    *gorm.DB
			value any
			is    error
			says  string
		}{
			"no conditions":          {db, &[]modelstest.Project{}, softcascade.ErrInvalidValue, "conditions"},
			"zero struct, no conds":  {db, &modelstest.Project{}, softcascade.ErrInvalidValue, "conditions"},
			"limit":                  {db.Where("name = ?", "Web").Limit(1), &[]modelstest.Project{}, softcascade.ErrInvalidValue, "Limit"},
			"table":                  {db.Table("projects").Where("name = ?", "Web"), &[]modelstest.Project{}, softcascade.ErrInvalidValue, "Table"},
			"rows and conditions":    {db.Where("name = ?", "Web"), &p, softcascade.ErrInvalidValue, "empty slice"},
			"nothing matches":        {db.Where("name = ?", "none"), &[]modelstest.Project{}, gorm.ErrRecordNotFound, "no deleted row matches"},
			"only live rows match":   {db.Where("name = ?", "Web").Where("1 = 0"), &[]modelstest.Project{}, gorm.ErrRecordNotFound, ""},
			"not soft-deletable":     {db.Where("id = ?", 1), &[]modelstest.TimeEntry{}, softcascade.ErrNotSoftDeletable, ""},
			"condition on no column": {db.Where("no_such_column = ?", 1), &[]modelstest.Project{}, nil, "restore by query"},
		} {
			_, err := softcascade.Restore(c.db, c.value)
			if err == nil || (c.is != nil && !errors.Is(err, c.is)) || !strings.Contains(err.Error(), c.says) {
				t.Errorf("%s: err = %v, want %v with %q", name, err, c.is, c.says)
			}
		}
		if got := counts(t, db); !sameCounts(got, before) {
			t.Errorf("a refused restore changed rows: %v, want %v", got, before)
		}
	})
}

func TestRestoreByQueryParentDeletedInCallersTransaction(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		var task modelstest.Task
		must(t, db.Where("project_id = ? AND parent_id IS NULL", p.ID).Order("id").First(&task).Error)
		must(t, db.Model(&task).Update("title", "pick me").Error)
		must(t, db.Delete(&task).Error)
		must(t, db.Delete(&p).Error)
		before := counts(t, db)
		err := db.Transaction(func(tx *gorm.DB) error {
			_, err := softcascade.Restore(tx.Where("title = ?", "pick me"), &[]modelstest.Task{})
			if !errors.Is(err, softcascade.ErrParentDeleted) {
				t.Errorf("restore under a deleted project: err = %v, want ErrParentDeleted", err)
			}
			// The caller's transaction goes on: the savepoint undid the restore.
			return tx.Create(&modelstest.Client{Name: "after"}).Error
		})
		must(t, err)
		got := counts(t, db)
		delete(got, "clients")
		delete(before, "clients")
		if !sameCounts(got, before) {
			t.Errorf("after a failed restore %v, want %v", got, before)
		}
		// The project first, then the task by query.
		_, err = softcascade.Restore(db, &p)
		must(t, err)
		rep, err := softcascade.Restore(db.Where("title = ?", "pick me"), &[]modelstest.Task{})
		must(t, err)
		if rep.Tables["tasks"] < 1 {
			t.Errorf("report %v", rep)
		}
	})
}

func TestRestoreByQueryTenant(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		ctxA := softcascade.WithTenant(context.Background(), "acme")
		ctxB := softcascade.WithTenant(context.Background(), "globex")
		a := modelstest.SeedProject(t, db, "Web A", modelstest.Small)
		b := modelstest.SeedProject(t, db, "Web B", modelstest.Small)
		outside := modelstest.SeedProject(t, db, "Web outside", modelstest.Small)
		must(t, db.WithContext(ctxA).Delete(&a).Error)
		must(t, db.WithContext(ctxB).Delete(&b).Error)
		// Soft-deleted outside the plugin: no tenant's.
		must(t, db.Model(&modelstest.Project{}).Where("id = ?", outside.ID).Update("deleted_at", gorm.Expr("CURRENT_TIMESTAMP")).Error)

		// globex's query sees only globex's row.
		rep, err := softcascade.Restore(db.WithContext(ctxB).Where("name LIKE ?", "Web%"), &[]modelstest.Project{})
		must(t, err)
		eq(t, "globex restored projects", rep.Tables["projects"], int64(1))
		var n int64
		must(t, db.Model(&modelstest.Project{}).Where("id IN ?", []uint{a.ID, outside.ID}).Count(&n).Error)
		eq(t, "other tenants' projects restored", n, int64(0))
		// Nothing of globex's is left: ErrRecordNotFound, acme's untouched.
		_, err = softcascade.Restore(db.WithContext(ctxB).Where("name LIKE ?", "Web%"), &[]modelstest.Project{})
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			t.Errorf("second globex restore: err = %v, want ErrRecordNotFound", err)
		}
		rep, err = softcascade.Restore(db.WithContext(ctxA).Where("name LIKE ?", "Web%"), &[]modelstest.Project{})
		must(t, err)
		eq(t, "acme restored projects", rep.Tables["projects"], int64(1))
		// The operator restores what no deletion holds.
		rep, err = softcascade.Restore(db.Where("name LIKE ?", "Web%"), &[]modelstest.Project{})
		must(t, err)
		eq(t, "operator restored projects", rep.Tables["projects"], int64(1))
	})
}

func TestRestoreByQueryBounded(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		clients := make([]modelstest.Client, softcascade.MaxRestoreByQuery+1)
		for i := range clients {
			clients[i].Name = fmt.Sprintf("bulk %04d", i)
		}
		must(t, db.CreateInBatches(&clients, 500).Error)
		must(t, db.Where("name LIKE ?", "bulk%").Delete(&modelstest.Client{}).Error)
		_, err := softcascade.Restore(db.Where("name LIKE ?", "bulk%"), &[]modelstest.Client{})
		if !errors.Is(err, softcascade.ErrInvalidValue) || !strings.Contains(err.Error(), fmt.Sprint(softcascade.MaxRestoreByQuery)) {
			t.Errorf("restore of %d rows: err = %v, want ErrInvalidValue naming the bound", len(clients), err)
		}
		var n int64
		must(t, db.Model(&modelstest.Client{}).Count(&n).Error)
		eq(t, "live clients after a refused restore", n, int64(0))
		rep, err := softcascade.Restore(db.Where("name <> ?", "bulk 0000").Where("name LIKE ?", "bulk%"), &[]modelstest.Client{})
		must(t, err)
		eq(t, "restored clients", rep.Rows, int64(softcascade.MaxRestoreByQuery))
	})
}

// Restore by query leaves the caller's *gorm.DB as it was: the same
// conditions still query the live rows afterwards.
func TestRestoreByQueryKeepsTheCallersDB(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "Web", modelstest.Small)
		must(t, db.Delete(&p).Error)
		q := db.Where("name = ?", "Web")
		_, err := softcascade.Restore(q, &[]modelstest.Project{})
		must(t, err)
		var n int64
		must(t, q.Model(&modelstest.Project{}).Count(&n).Error)
		eq(t, "live projects through the caller's db", n, int64(1))
	})
}
