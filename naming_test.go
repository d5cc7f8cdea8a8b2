package softcascade_test

import (
	"strings"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// The plugin's tables keep their names whatever the application's naming
// strategy: delete, trash, restore and purge work under each option.
func TestNamingStrategies(t *testing.T) {
	t.Parallel()
	strategies := map[string]schema.NamingStrategy{
		"NoLowerCase":         {NoLowerCase: true},
		"TablePrefix":         {TablePrefix: "app_"},
		"SingularTable":       {SingularTable: true},
		"NameReplacer":        {NameReplacer: strings.NewReplacer("ID", "Key", "Deletion", "Removal")},
		"IdentifierMaxLength": {IdentifierMaxLength: 16},
		"All":                 {TablePrefix: "App", SingularTable: true, NoLowerCase: true, IdentifierMaxLength: 20},
	}
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		for name, ns := range strategies {
			t.Run(name, func(t *testing.T) {
				db := open(t, d, &gorm.Config{NamingStrategy: ns})
				p := modelstest.SeedProject(t, db, "p", modelstest.Small)
				f := seedKinds(t, db, "f")
				ctx := tenantCtx("acme")
				tdb := db.WithContext(ctx)
				must(t, tdb.Delete(&p).Error)
				must(t, tdb.Delete(&f).Error)
				ds, n, err := softcascade.Trash(tdb, softcascade.TrashFilter{})
				must(t, err)
				eq(t, "in the trash", n, int64(2))
				got, err := softcascade.FindDeletion(tdb, ds[0].ID)
				must(t, err)
				eq(t, "plan read back", got.Plan != nil, true)
				_, err = softcascade.RestoreDeletion(tdb, ds[0].ID) // the folder, ledger rows included
				must(t, err)
				_, err = softcascade.Restore(tdb, &modelstest.Project{ID: p.ID})
				must(t, err)
				must(t, tdb.Delete(&p).Error)
				must(t, tdb.Delete(&f).Error)
				rep, err := softcascade.Purge(db, softcascade.PurgeOptions{Before: db.NowFunc(), OverrideRetention: true})
				must(t, err)
				if rep.Rows == 0 {
					t.Fatalf("purge removed nothing")
				}
				var left int64
				must(t, db.Unscoped().Model(&modelstest.Project{}).Count(&left).Error)
				eq(t, "projects left", left, int64(0))
				must(t, db.Unscoped().Model(&modelstest.Line{}).Count(&left).Error)
				eq(t, "lines left", left, int64(0))
				_, n, err = softcascade.Trash(db, softcascade.TrashFilter{})
				must(t, err)
				eq(t, "trash after purge", n, int64(0))
			})
		}
	})
}
