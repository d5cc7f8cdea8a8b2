package softcascade_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	"gorm.io/plugin/soft_delete"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/modelstest"
	"github.com/softcascade/softcascade/internal/unique"
)

// The soft-delete kinds not in UniqueModels, each with a unique code.
type (
	UqMilli struct {
		ID        uint
		Code      string                `gorm:"size:32" softcascade:"unique"`
		DeletedAt soft_delete.DeletedAt `gorm:"softDelete:milli"`
	}
	UqNano struct {
		ID        uint
		Code      string                `gorm:"size:32" softcascade:"unique"`
		DeletedAt soft_delete.DeletedAt `gorm:"softDelete:nano"`
	}
	UqMixed struct { // flag + time
		ID        uint
		Code      string `gorm:"size:32" softcascade:"unique"`
		DeletedAt *time.Time
		IsDel     soft_delete.DeletedAt `gorm:"softDelete:flag,DeletedAtField:DeletedAt"`
	}
	UqNullUnix struct { // unix seconds, NULL while alive
		ID        uint
		Code      string                `gorm:"size:32" softcascade:"unique"`
		DeletedAt soft_delete.DeletedAt `gorm:"default:null"`
	}
	UqZero struct { // gorm.DeletedAt with a zero value instead of NULL
		ID        uint
		Code      string         `gorm:"size:32" softcascade:"unique"`
		DeletedAt gorm.DeletedAt `gorm:"zeroValue:1970-01-01 00:00:00;default:'1970-01-01 00:00:00'"`
	}
)

func kindModels() []any { return []any{&UqMilli{}, &UqNano{}, &UqMixed{}, &UqNullUnix{}, &UqZero{}} }

// openUnique returns a fresh database with the unique models migrated,
// their unique-while-live indexes created and the plugin installed.
func openUnique(t *testing.T, d modelstest.Dialect) *gorm.DB {
	t.Helper()
	db := d.Open(t, &gorm.Config{TranslateError: true})
	models := append(modelstest.UniqueModels(), kindModels()...)
	must(t, db.AutoMigrate(models...))
	must(t, softcascade.MigrateUnique(db, models...))
	must(t, db.Use(softcascade.New(softcascade.WithModels(models...))))
	return db
}

func TestUniqueWhileLive(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := openUnique(t, d)
		ws := modelstest.Workspace{Slug: "other"}
		must(t, db.Create(&ws).Error)
		// Each case creates a new row holding the same unique values.
		cases := map[string]func() any{
			"workspaces": func() any { return &modelstest.Workspace{Slug: "acme"} },
			"labels":     func() any { return &modelstest.Label{WorkspaceID: ws.ID, Name: "bug"} },
			"accounts":   func() any { return &modelstest.Account{Email: "a@example.com"} },
			"milli":      func() any { return &UqMilli{Code: "x"} },
			"nano":       func() any { return &UqNano{Code: "x"} },
			"mixed":      func() any { return &UqMixed{Code: "x"} },
			"null unix":  func() any { return &UqNullUnix{Code: "x"} },
			"zero value": func() any { return &UqZero{Code: "x"} },
		}
		for name, row := range cases {
			t.Run(name, func(t *testing.T) {
				a := row()
				must(t, db.Create(a).Error)
				if err := db.Create(row()).Error; !errors.Is(err, gorm.ErrDuplicatedKey) {
					t.Fatalf("second live row: err = %v, want gorm.ErrDuplicatedKey", err)
				}
				must(t, db.Delete(a).Error)
				b := row()
				must(t, db.Create(b).Error) // the deleted row no longer blocks
				must(t, db.Delete(b).Error) // two deleted rows with the same values
				must(t, db.Create(row()).Error)
				if err := db.Create(row()).Error; !errors.Is(err, gorm.ErrDuplicatedKey) {
					t.Fatalf("live row beside deleted ones: err = %v, want gorm.ErrDuplicatedKey", err)
				}
				var live, all int64
				must(t, db.Model(row()).Where(row()).Count(&live).Error)
				must(t, db.Unscoped().Model(row()).Where(row()).Count(&all).Error)
				eq(t, "live", live, int64(1))
				eq(t, "all", all, int64(3))
			})
		}
		// Reading rows back ignores MySQL's generated columns.
		var got modelstest.Workspace
		must(t, db.Where("slug = ?", "acme").First(&got).Error)
		eq(t, "slug read back", got.Slug, "acme")
		// The composite index is per workspace.
		other := modelstest.Workspace{Slug: "third"}
		must(t, db.Create(&other).Error)
		must(t, db.Create(&modelstest.Label{WorkspaceID: other.ID, Name: "bug"}).Error)
	})
}

// sqlLog records the statements run through it.
type sqlLog struct {
	logger.Interface
	mu    sync.Mutex
	stmts []string
}

func (l *sqlLog) LogMode(logger.LogLevel) logger.Interface { return l }

func (l *sqlLog) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	sql, _ := fc()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stmts = append(l.stmts, sql)
}

// schemaSnapshot lists the indexes and generated columns of the database.
func schemaSnapshot(t *testing.T, db *gorm.DB, d modelstest.Dialect) []string {
	t.Helper()
	var q string
	switch {
	case d.IsSQLite():
		q = "SELECT name || ': ' || COALESCE(sql, '') FROM sqlite_master WHERE type = 'index' ORDER BY name"
	case d.IsPostgres():
		q = "SELECT indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname"
	default:
		q = `SELECT CONCAT(table_name, '.', index_name, ': ', seq_in_index, ' ', column_name) FROM information_schema.statistics
			WHERE table_schema = DATABASE() UNION ALL
			SELECT CONCAT(table_name, '.', column_name, ': ', generation_expression) FROM information_schema.columns
			WHERE table_schema = DATABASE() AND generation_expression <> '' ORDER BY 1`
	}
	var out []string
	must(t, db.Raw(q).Scan(&out).Error)
	return out
}

func TestMigrateUniqueIsIdempotent(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := d.Open(t, nil)
		models := append(modelstest.UniqueModels(), kindModels()...)
		must(t, db.AutoMigrate(models...))
		must(t, softcascade.MigrateUnique(db, models...))
		first := schemaSnapshot(t, db, d)
		for _, name := range []string{"idx_workspaces_slug_live", "idx_labels_workspace_name", "idx_accounts_email_live", "idx_uq_millis_code_live"} {
			if !slices.ContainsFunc(first, func(s string) bool { return strings.Contains(s, name) }) {
				t.Errorf("index %s missing from %q", name, first)
			}
		}

		log := &sqlLog{Interface: logger.Discard}
		again := db.Session(&gorm.Session{Logger: log})
		must(t, again.AutoMigrate(models...))
		log.stmts = nil
		must(t, softcascade.MigrateUnique(again, models...))
		if len(log.stmts) == 0 {
			t.Fatal("no statement recorded: the log does not see the migrator")
		}
		for _, s := range log.stmts {
			if !strings.HasPrefix(strings.TrimSpace(strings.ToUpper(s)), "SELECT") {
				t.Errorf("second run changed something: %s", s)
			}
		}
		if second := schemaSnapshot(t, db, d); !slices.Equal(first, second) {
			t.Errorf("schema changed:\nfirst  %q\nsecond %q", first, second)
		}
	})
}

func TestUniqueSQL(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := d.Open(t, nil)
		got, err := softcascade.UniqueSQL(db, modelstest.UniqueModels()...)
		must(t, err)
		want := []string{
			`CREATE UNIQUE INDEX "idx_workspaces_slug_live" ON "workspaces" ("slug") WHERE "deleted_at" IS NULL`,
			`CREATE UNIQUE INDEX "idx_labels_workspace_name" ON "labels" ("workspace_id","name") WHERE "is_del" = 0`,
			`CREATE UNIQUE INDEX "idx_accounts_email_live" ON "accounts" ("email") WHERE "deleted_at" = 0`,
		}
		if d.IsMySQL() {
			want = []string{
				`ALTER TABLE "workspaces" ADD COLUMN "slug_live" varchar(64) GENERATED ALWAYS AS (CASE WHEN "deleted_at" IS NULL THEN "slug" END) VIRTUAL`,
				`CREATE UNIQUE INDEX "idx_workspaces_slug_live" ON "workspaces" ("slug_live")`,
				`ALTER TABLE "labels" ADD COLUMN "workspace_id_live" bigint unsigned GENERATED ALWAYS AS (CASE WHEN "is_del" = 0 THEN "workspace_id" END) VIRTUAL`,
				`ALTER TABLE "labels" ADD COLUMN "name_live" varchar(64) GENERATED ALWAYS AS (CASE WHEN "is_del" = 0 THEN "name" END) VIRTUAL`,
				`CREATE UNIQUE INDEX "idx_labels_workspace_name" ON "labels" ("workspace_id_live","name_live")`,
				`ALTER TABLE "accounts" ADD COLUMN "email_live" varchar(128) GENERATED ALWAYS AS (CASE WHEN "deleted_at" = 0 THEN "email" END) VIRTUAL`,
				`CREATE UNIQUE INDEX "idx_accounts_email_live" ON "accounts" ("email_live")`,
			}
		}
		if !d.IsPostgres() { // SQLite and MySQL quote with backticks
			for i := range want {
				want[i] = strings.ReplaceAll(want[i], `"`, "`")
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("UniqueSQL:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
		}
		// The other kinds' alive conditions.
		got, err = softcascade.UniqueSQL(db, kindModels()...)
		must(t, err)
		alive := []string{"`deleted_at` = 0", "`deleted_at` = 0", "`is_del` = 0", "`deleted_at` IS NULL", "`deleted_at` = '1970-01-01 00:00:00'"}
		per := 1 // statements per model
		if d.IsMySQL() {
			per = 2
		}
		if len(got) != per*len(alive) {
			t.Fatalf("UniqueSQL(kinds) = %q", got)
		}
		for i, a := range alive {
			s, want := got[per*i], " WHERE "+a
			switch {
			case d.IsPostgres():
				want = strings.ReplaceAll(want, "`", `"`)
			case d.IsMySQL():
				want = "CASE WHEN " + a + " THEN"
			}
			if !strings.Contains(s, want) {
				t.Errorf("%T: %s, want %s", kindModels()[i], s, want)
			}
		}
	})
}

func TestUniqueCheck(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := openUnique(t, d)
		// Noise a wrong query would pick up: a live workspace, and an
		// older deletion of a workspace with the same slug.
		must(t, db.Create(&modelstest.Workspace{Slug: "zeta"}).Error)
		old := modelstest.Workspace{Slug: "acme", Labels: []modelstest.Label{{Name: "bug"}}}
		must(t, db.Create(&old).Error)
		must(t, db.Delete(&old).Error)
		ws := modelstest.Workspace{Slug: "acme", Labels: []modelstest.Label{{Name: "bug"}, {Name: "idea"}}}
		must(t, db.Create(&ws).Error)
		acct := modelstest.Account{Email: "a@example.com"}
		must(t, db.Create(&acct).Error)
		must(t, db.Delete(&ws).Error)   // cascades to the labels (flag: ledger)
		must(t, db.Delete(&acct).Error) // unix seconds: ledger
		ds := deletions(t, db)
		eq(t, "deletions", len(ds), 3)

		// Live rows now hold the deleted rows' values.
		ws2 := modelstest.Workspace{Slug: "acme"}
		must(t, db.Create(&ws2).Error)
		bug := modelstest.Label{WorkspaceID: ws.ID, Name: "bug"}
		must(t, db.Create(&bug).Error)
		acct2 := modelstest.Account{Email: "a@example.com"}
		must(t, db.Create(&acct2).Error)

		// check runs unique.Check for one table of a stored deletion, as
		// RestoreDeletion does: from the plan, without Go model types.
		check := func(del softcascade.Deletion, table string) error {
			t.Helper()
			pt, ok := del.Plan.Table(table)
			if !ok {
				t.Fatalf("table %s not in the plan of %s", table, del.Table)
			}
			rows := cascade.Member(pt, pt.Name, cascade.Mark{ID: del.ID, Stamp: del.StampTime()})
			return unique.Check(db, pt, rows, pt.Unique)
		}
		conflict := func(err error, table, index string, key map[string]any, live, deleted uint) {
			t.Helper()
			var ce *unique.ConflictError
			if !errors.As(err, &ce) {
				t.Fatalf("%s: err = %v, want a unique.ConflictError", table, err)
			}
			if !errors.Is(err, softcascade.ErrUniqueConflict) {
				t.Errorf("%s: errors.Is(ErrUniqueConflict) false", table)
			}
			eq(t, "Table", ce.Table, table)
			eq(t, "Index", ce.Index, index)
			eq(t, "Key", fmt.Sprint(ce.Key), fmt.Sprint(key))
			eq(t, "Live", fmt.Sprint(ce.Live), fmt.Sprint(map[string]any{"id": live}))
			eq(t, "Deleted", fmt.Sprint(ce.Deleted), fmt.Sprint(map[string]any{"id": deleted}))
			t.Log(err)
		}
		wsDel, acctDel := ds[1], ds[2]
		conflict(check(wsDel, "workspaces"), "workspaces", "idx_workspaces_slug_live", map[string]any{"slug": "acme"}, ws2.ID, ws.ID)
		conflict(check(wsDel, "labels"), "labels", "idx_labels_workspace_name",
			map[string]any{"workspace_id": ws.ID, "name": "bug"}, bug.ID, ws.Labels[0].ID)
		conflict(check(acctDel, "accounts"), "accounts", "idx_accounts_email_live", map[string]any{"email": "a@example.com"}, acct2.ID, acct.ID)

		// After renaming the live rows nothing blocks.
		must(t, db.Model(&ws2).Update("slug", "acme-2").Error)
		must(t, db.Model(&bug).Update("name", "bug-2").Error)
		must(t, db.Model(&acct2).Update("email", "b@example.com").Error)
		for _, c := range []struct {
			del   softcascade.Deletion
			table string
		}{{wsDel, "workspaces"}, {wsDel, "labels"}, {acctDel, "accounts"}} {
			if err := check(c.del, c.table); err != nil {
				t.Errorf("%s after rename: %v", c.table, err)
			}
		}
	})
}

// Check does not depend on MigrateUnique: without the indexes (and, on
// MySQL, their generated columns) it compares the plain columns.
func TestUniqueCheckWithoutIndexes(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := d.Open(t, nil)
		must(t, db.AutoMigrate(modelstest.UniqueModels()...))
		must(t, db.Use(softcascade.New(softcascade.WithModels(modelstest.UniqueModels()...))))
		ws := modelstest.Workspace{Slug: "acme"}
		must(t, db.Create(&ws).Error)
		must(t, db.Delete(&ws).Error)
		live := modelstest.Workspace{Slug: "acme"}
		must(t, db.Create(&live).Error)
		del := deletions(t, db)[0]
		pt, _ := del.Plan.Table("workspaces")
		err := unique.Check(db, pt, cascade.Member(pt, pt.Name, cascade.Mark{ID: del.ID, Stamp: del.StampTime()}), pt.Unique)
		var ce *unique.ConflictError
		if !errors.As(err, &ce) || fmt.Sprint(ce.Live) != fmt.Sprint(map[string]any{"id": live.ID}) {
			t.Fatalf("err = %v, want a conflict with live row %d", err, live.ID)
		}
	})
}

// The end to end: create, delete, create again with the same value;
// restoring the old row fails with the typed error and changes nothing;
// after renaming the live row the restore succeeds.
func TestRestoreMeetsUniqueWhileLive(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := openUnique(t, d)
		old := modelstest.Workspace{Slug: "website", Labels: []modelstest.Label{{Name: "bug"}, {Name: "idea"}}}
		must(t, db.Create(&old).Error)
		must(t, db.Delete(&old).Error)
		taken := modelstest.Workspace{Slug: "website"}
		must(t, db.Create(&taken).Error)
		if err := db.Create(&modelstest.Workspace{Slug: "website"}).Error; !errors.Is(err, gorm.ErrDuplicatedKey) {
			t.Fatalf("second live duplicate: %v, want ErrDuplicatedKey", err)
		}
		for name, restore := range map[string]func() error{
			"Restore":         func() error { _, err := softcascade.Restore(db, &old); return err },
			"RestoreDeletion": func() error { _, err := softcascade.RestoreDeletion(db, deletions(t, db)[0].ID); return err },
		} {
			err := restore()
			var ce *softcascade.UniqueConflictError
			if !errors.As(err, &ce) || ce.Table != "workspaces" || fmt.Sprint(ce.Key) != "map[slug:website]" {
				t.Fatalf("%s: %v, want a UniqueConflictError on workspaces.slug", name, err)
			}
			eq(t, name+": workspaces deleted", modelstest.CountRows(t, db, &modelstest.Workspace{}).Deleted, int64(1))
			eq(t, name+": labels deleted", modelstest.CountRows(t, db, &modelstest.Label{}).Deleted, int64(2))
			if deletions(t, db)[0].RestoredRows != 0 {
				t.Errorf("%s: the log counts a restore that did not happen", name)
			}
		}
		must(t, db.Model(&taken).Update("slug", "website-new").Error)
		rep, err := softcascade.Restore(db, &old)
		must(t, err)
		eq(t, "restored", rep.Rows, int64(3))
	})
}
