package softcascade_test

import (
	"testing"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// A log created by an earlier version, whose key columns have the
// database's default collation (case- and accent-insensitive on MySQL and
// MariaDB), is altered when the plugin is installed: tenants, IDs and
// ledger keys then compare exactly, and the rows it held are still there.
func TestExactColumnsOfAnOldLog(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		if !d.IsMySQL() {
			t.Skip("PostgreSQL and SQLite compare text exactly")
		}
		db := d.Open(t, nil)
		must(t, db.AutoMigrate(&deletionlog.Deletion{}, &deletionlog.LedgerRow{}))
		for _, c := range [][2]string{{"softcascade_deletions", "tenant"}, {"softcascade_deletions", "root_table"}, {"softcascade_ledger", "key_text"}, {"softcascade_ledger", "table_name"}} {
			must(t, db.Exec("ALTER TABLE `"+c[0]+"` MODIFY `"+c[1]+"` VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci").Error)
		}
		old := deletionlog.Deletion{Table: "projects", Tenant: "acme", Tables: map[string]int64{"projects": 1}, Rows: 1, Roots: 1}
		must(t, deletionlog.Claim(db, &old, 1))
		key := "Key"
		must(t, db.Create(&deletionlog.LedgerRow{DeletionID: old.ID, Table: "lines", KeyText: &key}).Error)
		var n int64
		must(t, db.Model(&deletionlog.Deletion{}).Where("tenant = ?", "ACMÉ").Count(&n).Error)
		eq(t, "old shape: ACMÉ matches acme", n, int64(1))

		models := append(modelstest.SeedModels(), modelstest.KindModels()...)
		must(t, db.AutoMigrate(models...))
		must(t, db.Use(softcascade.New(softcascade.WithModels(models...))))

		var colls []struct{ Table, Column, Collation string }
		must(t, db.Raw("SELECT TABLE_NAME AS `table`, COLUMN_NAME AS `column`, COLLATION_NAME AS collation FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'softcascade%' AND COLLATION_NAME IS NOT NULL").Scan(&colls).Error)
		exact := map[string]bool{"id": true, "tenant": true, "root_table": true, "deletion_id": true, "table_name": true, "key_text": true}
		seen := 0
		for _, c := range colls {
			if exact[c.Column] {
				seen++
				if c.Collation != "utf8mb4_nopad_bin" && c.Collation != "utf8mb4_0900_bin" {
					t.Errorf("%s.%s has collation %s", c.Table, c.Column, c.Collation)
				}
			}
		}
		eq(t, "exact columns", seen, 6)
		for _, tenant := range []string{"ACME", "acmé", "acme "} {
			must(t, db.Model(&deletionlog.Deletion{}).Where("tenant = ?", tenant).Count(&n).Error)
			eq(t, "deletions of "+tenant, n, int64(0))
		}
		for _, k := range []string{"key", "KEY", "Key "} {
			must(t, db.Model(&deletionlog.LedgerRow{}).Where("key_text = ?", k).Count(&n).Error)
			eq(t, "ledger rows of "+k, n, int64(0))
		}
		ds, total, err := softcascade.Trash(db.WithContext(tenantCtx("acme")), softcascade.TrashFilter{})
		must(t, err)
		eq(t, "acme's old deletion", total, int64(1))
		eq(t, "its ID", ds[0].ID, old.ID)
		must(t, db.Model(&deletionlog.LedgerRow{}).Where("key_text = ?", "Key").Count(&n).Error)
		eq(t, "ledger row kept", n, int64(1))

		// Installing again changes nothing (no ALTER needed).
		must(t, deletionlog.Migrate(db))
	})
}
