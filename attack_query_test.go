package softcascade_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// Under a tenant, Restore by query says nothing of another tenant's rows:
// a query that matches many of acme's deleted rows and one of bravo's
// restores bravo's row, as if acme's were not there (not "more than
// MaxRestoreByQuery rows", which tells bravo how many acme has).
func TestRestoreByQueryLimitCountsOnlyTheTenant(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		db := open(t, d, nil)
		acme := db.WithContext(softcascade.WithTenant(context.Background(), "acme"))
		bravo := db.WithContext(softcascade.WithTenant(context.Background(), "bravo"))
		var pa []modelstest.Project
		for i := 0; i <= softcascade.MaxRestoreByQuery; i++ {
			pa = append(pa, modelstest.Project{Name: fmt.Sprintf("secret %d", i)})
		}
		must(t, db.Session(&gorm.Session{CreateBatchSize: 200}).Create(&pa).Error)
		pb := modelstest.Project{Name: "secret bravo"}
		must(t, db.Create(&pb).Error)
		must(t, acme.Delete(&pa).Error)
		must(t, bravo.Delete(&pb).Error)
		_, err := softcascade.Restore(bravo.Where("name LIKE ?", "secret%"), &[]modelstest.Project{})
		if errors.Is(err, softcascade.ErrInvalidValue) {
			t.Fatalf("bravo's query counted acme's deleted rows: %v", err)
		}
		must(t, err)
		var n int64
		must(t, db.Model(&modelstest.Project{}).Count(&n).Error)
		eq(t, "live projects", n, int64(1))
	})
}
