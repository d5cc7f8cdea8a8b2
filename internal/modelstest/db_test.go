package modelstest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"gorm.io/gorm"
)

// widget is the tiny model the isolation tests create.
type widget struct {
	ID   uint
	Name string
}

// TestOpenIsolated: a table created on one Open is not seen by another.
func TestOpenIsolated(t *testing.T) {
	Each(t, func(t *testing.T, d Dialect) {
		a := d.Open(t, nil)
		b := d.Open(t, &gorm.Config{SkipDefaultTransaction: true})

		if err := a.AutoMigrate(&widget{}); err != nil {
			t.Fatalf("AutoMigrate: %v", err)
		}
		if err := a.Create(&widget{Name: "x"}).Error; err != nil {
			t.Fatalf("Create: %v", err)
		}
		if !a.Migrator().HasTable(&widget{}) {
			t.Fatal("first database: table widgets missing after AutoMigrate")
		}
		if b.Migrator().HasTable(&widget{}) {
			t.Fatal("second database sees the table created in the first one")
		}
		var n int64
		if err := b.Raw("SELECT count(*) FROM widgets").Scan(&n).Error; err == nil {
			t.Fatalf("second database: SELECT from widgets succeeded (count %d), want no such table", n)
		}
		if err := b.Exec("CREATE TABLE widgets (id integer)").Error; err != nil {
			t.Fatalf("second database: CREATE TABLE widgets: %v", err)
		}
	})
}

// TestOpenParallel: parallel tests each get their own database, so they can
// all create and fill the same table.
func TestOpenParallel(t *testing.T) {
	Each(t, func(t *testing.T, d Dialect) {
		for i := range 4 {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				db := d.Open(t, nil)
				if err := db.AutoMigrate(&widget{}); err != nil {
					t.Fatalf("AutoMigrate: %v", err)
				}
				if err := db.Create(&widget{Name: fmt.Sprint(i)}).Error; err != nil {
					t.Fatalf("Create: %v", err)
				}
				var n int64
				if err := db.Model(&widget{}).Count(&n).Error; err != nil || n != 1 {
					t.Fatalf("Count = %d, %v; want 1, nil", n, err)
				}
			})
		}
	})
}

// TestOpenKeepsConfig: the caller's gorm.Config fields are used, and the
// caller's value is not modified.
func TestOpenKeepsConfig(t *testing.T) {
	Each(t, func(t *testing.T, d Dialect) {
		cfg := &gorm.Config{SkipDefaultTransaction: true, PrepareStmt: true}
		db1 := d.Open(t, cfg)
		db2 := d.Open(t, cfg)
		if cfg.Logger != nil || cfg.Dialector != nil {
			t.Fatal("Open modified the caller's gorm.Config")
		}
		for _, db := range []*gorm.DB{db1, db2} {
			if !db.Config.SkipDefaultTransaction || !db.Config.PrepareStmt {
				t.Fatal("Open dropped fields of the caller's gorm.Config")
			}
			if err := db.Exec("SELECT 1").Error; err != nil {
				t.Fatalf("SELECT 1: %v", err)
			}
		}
	})
}

// TestOpenDropped: the schema or database of an Open is gone after its test.
func TestOpenDropped(t *testing.T) {
	Each(t, func(t *testing.T, d Dialect) {
		var where string // schema, database or file of the inner test
		t.Run("inner", func(t *testing.T) {
			db := d.Open(t, nil)
			q := map[string]string{
				"sqlite":   "SELECT file FROM pragma_database_list WHERE name = 'main'",
				"postgres": "SELECT current_schema()",
				"mysql":    "SELECT DATABASE()",
			}[d.Name]
			if err := db.Raw(q).Scan(&where).Error; err != nil || where == "" {
				t.Fatalf("%s = %q, %v", q, where, err)
			}
			if !d.IsSQLite() && !strings.HasPrefix(where, "sc_") {
				t.Fatalf("isolated schema/database is %q, want sc_...", where)
			}
		})
		if where == "" {
			return // inner test skipped or failed
		}
		if d.IsSQLite() {
			if _, err := os.Stat(where); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("database file %s still exists after its test (%v)", where, err)
			}
			return
		}
		var n int64
		err := d.Open(t, nil).
			Raw("SELECT count(*) FROM information_schema.schemata WHERE schema_name = ?", where).
			Scan(&n).Error
		if err != nil || n != 0 {
			t.Fatalf("%s still exists after its test (count %d, %v)", where, n, err)
		}
	})
}

// TestDialectNames checks the Is* helpers against Name.
func TestDialectNames(t *testing.T) {
	for _, d := range Dialects(t) {
		got := map[string]bool{"sqlite": d.IsSQLite(), "postgres": d.IsPostgres(), "mysql": d.IsMySQL()}
		for name, is := range got {
			if is != (name == d.Name) {
				t.Errorf("Dialect %q: Is%s() = %v", d.Name, name, is)
			}
		}
	}
}

func TestWithSearchPath(t *testing.T) {
	for dsn, want := range map[string]string{
		"host=h user=u dbname=d":           "host=h user=u dbname=d search_path=sc_1",
		"postgres://u@h/d?sslmode=disable": "postgres://u@h/d?search_path=sc_1&sslmode=disable",
		"postgresql://u@h:5/d":             "postgresql://u@h:5/d?search_path=sc_1",
	} {
		got, err := WithSearchPath(dsn, "sc_1")
		if err != nil || got != want {
			t.Errorf("WithSearchPath(%q) = %q, %v; want %q", dsn, got, err, want)
		}
	}
}

// envHelper marks the child process of TestSkipOrRequire.
const envHelper = "MODELSTEST_HELPER_PROCESS"

// TestHelperProcess is run by TestSkipOrRequire in a child process: it opens
// every dialect of the child's environment.
func TestHelperProcess(t *testing.T) {
	if os.Getenv(envHelper) != "1" {
		t.Skip("only run as the child process of TestSkipOrRequire")
	}
	Each(t, func(t *testing.T, d Dialect) {
		d.Open(t, nil)
	})
}

// TestSkipOrRequire runs TestHelperProcess in a child process with servers
// that are unset or unreachable, and checks that they are skipped, or fail
// when EnvRequire=1.
func TestSkipOrRequire(t *testing.T) {
	if os.Getenv(envHelper) == "1" {
		t.Skip("child process")
	}
	const (
		badPostgres = "host=127.0.0.1 port=1 user=nobody dbname=none sslmode=disable connect_timeout=5"
		badMySQL    = "nobody@tcp(127.0.0.1:1)/none?timeout=5s"
	)
	for _, tc := range []struct {
		name     string
		env      map[string]string
		wantFail bool
		want     []string
	}{
		{"unset", nil, false, []string{"--- PASS: TestHelperProcess/sqlite"}},
		{"unset-required", map[string]string{EnvRequire: "1"}, true,
			[]string{EnvPostgres + " and " + EnvMySQL + " not set"}},
		{"half-unset-required", map[string]string{EnvPostgres: badPostgres, EnvRequire: "1"}, true,
			[]string{"but " + EnvMySQL + " not set"}},
		{"unreachable", map[string]string{EnvPostgres: badPostgres, EnvMySQL: badMySQL}, false,
			[]string{"--- SKIP: TestHelperProcess/postgres", "--- SKIP: TestHelperProcess/mysql",
				"cannot reach postgres server", "cannot reach mysql server"}},
		{"unreachable-required", map[string]string{EnvPostgres: badPostgres, EnvMySQL: badMySQL, EnvRequire: "1"}, true,
			[]string{"--- PASS: TestHelperProcess/sqlite", "--- FAIL: TestHelperProcess/postgres",
				"--- FAIL: TestHelperProcess/mysql", "cannot reach postgres server"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.v", "-test.count=1")
			cmd.Env = []string{envHelper + "=1"}
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, "SOFTCASCADE_") {
					cmd.Env = append(cmd.Env, kv)
				}
			}
			for k, v := range tc.env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if err != nil && !errors.As(err, &exit) {
				t.Fatalf("run child: %v", err)
			}
			if failed := err != nil; failed != tc.wantFail {
				t.Errorf("child failed = %v, want %v", failed, tc.wantFail)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("child output lacks %q", w)
				}
			}
			if t.Failed() {
				t.Logf("child output:\n%s", out)
			}
		})
	}
}
