package softcascade_test

import (
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// openSkipMigrate opens an empty database with the application's tables
// and applies stmts, as a migration file would.
func openSkipMigrate(t *testing.T, d modelstest.Dialect, stmts []string) *gorm.DB {
	t.Helper()
	db := d.Open(t, nil)
	must(t, db.AutoMigrate(append(modelstest.SeedModels(), modelstest.KindModels()...)...))
	for _, s := range stmts {
		if err := db.Exec(s).Error; err != nil {
			t.Fatalf("apply %s: %v", s, err)
		}
	}
	return db
}

// schemaSQL is SchemaSQL on a database of d's dialect.
func schemaSQL(t *testing.T, d modelstest.Dialect) []string {
	t.Helper()
	stmts, err := softcascade.SchemaSQL(d.Open(t, nil))
	must(t, err)
	return stmts
}

func TestSchemaSQLThenSkipMigrate(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		stmts := schemaSQL(t, d)
		all := strings.Join(stmts, "\n")
		for _, want := range []string{"softcascade_deletions", "softcascade_ledger", "idx_softcascade_deletions_stamp", "purge_started_at"} {
			if !strings.Contains(all, want) {
				t.Errorf("SchemaSQL lacks %s:\n%s", want, all)
			}
		}
		if d.IsMySQL() && !strings.Contains(all, "COLLATE utf8mb4_") {
			t.Errorf("SchemaSQL on MySQL sets no binary collation:\n%s", all)
		}
		db := openSkipMigrate(t, d, stmts)
		must(t, db.Use(softcascade.New(softcascade.SkipMigrate(), softcascade.WithModels(modelstest.SeedModels()...))))

		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		initial := counts(t, db)
		must(t, db.Delete(&p).Error)
		_, err := softcascade.Restore(db, &p)
		must(t, err)
		if got := counts(t, db); !sameCounts(got, initial) {
			t.Errorf("after restore %v, want %v", got, initial)
		}
		must(t, db.Delete(&p).Error)
		time.Sleep(5 * time.Millisecond)
		rep, err := softcascade.Purge(db, softcascade.PurgeOptions{Before: db.NowFunc(), OverrideRetention: true})
		must(t, err)
		if rep.Tables["projects"] != 1 {
			t.Errorf("purge report %v", rep.Tables)
		}
		// SchemaSQL on a database with the tables is the same text:
		// it depends on the dialect, not on what the database holds.
		again, err := softcascade.SchemaSQL(db)
		must(t, err)
		eq(t, "SchemaSQL again", strings.Join(again, "\n"), all)
	})
}

func TestSkipMigrateNamesWhatIsMissing(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		use := func(db *gorm.DB) error { return db.Use(softcascade.New(softcascade.SkipMigrate())) }

		empty := openSkipMigrate(t, d, nil)
		err := use(empty)
		for _, want := range []string{"table softcascade_deletions", "table softcascade_ledger", "SchemaSQL", "softcascade schema"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("no tables: err = %v, want it to name %q", err, want)
			}
		}
		if empty.Migrator().HasTable("softcascade_deletions") {
			t.Errorf("SkipMigrate created the deletion log")
		}

		db := openSkipMigrate(t, d, schemaSQL(t, d))
		must(t, db.Migrator().DropIndex(&softcascade.Deletion{}, "idx_softcascade_deletions_stamp"))
		must(t, db.Migrator().DropColumn(&softcascade.Deletion{}, "purge_started_at"))
		err = use(db)
		for _, want := range []string{"column softcascade_deletions.purge_started_at", "index idx_softcascade_deletions_stamp on softcascade_deletions"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("dropped column and index: err = %v, want it to name %q", err, want)
			}
		}
		if strings.Contains(err.Error(), "table softcascade_") {
			t.Errorf("dropped column: err = %v names a table as missing", err)
		}
	})
}
