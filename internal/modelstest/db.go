// Package modelstest is the test harness shared by the test packages of this
// module: it runs the same tests on SQLite, PostgreSQL and MySQL/MariaDB, each
// test on its own fresh, isolated database.
//
// SQLite (pure Go, embedded) is always used. PostgreSQL and MySQL are used
// when EnvPostgres and EnvMySQL name a server; with EnvRequire=1 a missing or
// unreachable server fails the test instead of skipping it.
package modelstest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glebarez/sqlite"
	mysqldriver "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Environment variables read by the harness.
const (
	// EnvPostgres is the PostgreSQL DSN (pgx form), for example
	// "host=127.0.0.1 user=postgres dbname=test sslmode=disable".
	// Each Open creates a schema of its own in that database.
	EnvPostgres = "SOFTCASCADE_POSTGRES_DSN"
	// EnvMySQL is the MySQL/MariaDB DSN (go-sql-driver form), for example
	// "root@tcp(127.0.0.1:3306)/test?parseTime=true". Each Open creates a
	// database of its own on that server.
	EnvMySQL = "SOFTCASCADE_MYSQL_DSN"
	// EnvRequire set to "1" makes a database of EnvPostgres or EnvMySQL that
	// is unset or unreachable a test failure instead of a skip.
	EnvRequire = "SOFTCASCADE_REQUIRE_DATABASES"
	// EnvSQLLog set to "1" logs every SQL statement (gorm logger level Info)
	// of the databases returned by Open.
	EnvSQLLog = "SOFTCASCADE_SQL_LOG"
)

// Dialect names, the values of Dialect.Name.
const (
	nameSQLite   = "sqlite"
	namePostgres = "postgres"
	nameMySQL    = "mysql"
)

const (
	maxOpenConns   = 10
	connectTimeout = 10 * time.Second
	dropTimeout    = 30 * time.Second
)

// Dialect is one database engine the tests run on. Get them from Dialects.
type Dialect struct {
	// Name is "sqlite", "postgres" or "mysql"; Each uses it as the subtest name.
	Name string

	dsn      string // server DSN from the environment; empty for SQLite
	required bool   // EnvRequire=1: unreachable is a failure, not a skip
}

// IsSQLite reports whether d is SQLite.
func (d Dialect) IsSQLite() bool { return d.Name == nameSQLite }

// IsPostgres reports whether d is PostgreSQL.
func (d Dialect) IsPostgres() bool { return d.Name == namePostgres }

// IsMySQL reports whether d is MySQL or MariaDB.
func (d Dialect) IsMySQL() bool { return d.Name == nameMySQL }

// Dialects lists SQLite (always) plus PostgreSQL and MySQL when EnvPostgres
// and EnvMySQL are set. With EnvRequire=1 an unset variable is a t.Fatal.
func Dialects(t testing.TB) []Dialect {
	t.Helper()
	required := os.Getenv(EnvRequire) == "1"
	ds := []Dialect{{Name: nameSQLite, required: required}}
	var unset []string
	for _, s := range []struct{ name, env string }{
		{namePostgres, EnvPostgres},
		{nameMySQL, EnvMySQL},
	} {
		dsn := strings.TrimSpace(os.Getenv(s.env))
		if dsn == "" {
			unset = append(unset, s.env)
			continue
		}
		ds = append(ds, Dialect{Name: s.name, dsn: dsn, required: required})
	}
	if required && len(unset) > 0 {
		t.Fatalf("modelstest: %s=1 but %s not set", EnvRequire, strings.Join(unset, " and "))
	}
	return ds
}

// Each runs fn as the subtest t.Run(d.Name, ...) for every dialect of
// Dialects(t). The subtests are not parallel unless fn calls t.Parallel.
func Each(t *testing.T, fn func(t *testing.T, d Dialect)) {
	t.Helper()
	for _, d := range Dialects(t) {
		t.Run(d.Name, func(t *testing.T) { fn(t, d) })
	}
}

// Open returns a *gorm.DB on a fresh, empty database of dialect d that no
// other Open call (in this or another process) shares: a new file in
// t.TempDir() for SQLite, a new schema (reached through search_path) for
// PostgreSQL, a new database for MySQL. The connection pool is closed and the
// schema or database dropped in t.Cleanup.
//
// cfg may be nil, which means &gorm.Config{}. It is copied, not modified, so
// one cfg can serve several Open calls; its Logger, if nil, is set to silent,
// or to Info level when EnvSQLLog=1. If the server is unreachable the test is
// skipped, or fails when EnvRequire=1.
func (d Dialect) Open(t testing.TB, cfg *gorm.Config) *gorm.DB {
	t.Helper()
	db, _ := d.OpenDSN(t, cfg)
	return db
}

// OpenDSN is Open that also returns the DSN of the new database (for
// SQLite a "file:" DSN), so that another process, such as a command-line
// tool under test, can reach it.
func (d Dialect) OpenDSN(t testing.TB, cfg *gorm.Config) (*gorm.DB, string) {
	t.Helper()
	var c gorm.Config
	if cfg != nil {
		c = *cfg
		c.Plugins = maps.Clone(cfg.Plugins)
		c.ClauseBuilders = maps.Clone(cfg.ClauseBuilders)
	}
	if c.Logger == nil {
		c.Logger = newLogger()
	}

	var dialector gorm.Dialector
	var dsn string
	switch d.Name {
	case nameSQLite:
		path := filepath.Join(t.TempDir(), "test.db")
		dsn = "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)"
		dialector = sqlite.Open(dsn)
	case namePostgres:
		name := d.createIsolated(t, "pgx", d.dsn, `CREATE SCHEMA "%s"`, `DROP SCHEMA IF EXISTS "%s" CASCADE`)
		var err error
		dsn, err = WithSearchPath(d.dsn, name)
		if err != nil {
			t.Fatalf("modelstest: %s: %v", EnvPostgres, err)
		}
		dialector = postgres.Open(dsn)
	case nameMySQL:
		mc, err := mysqldriver.ParseDSN(d.dsn)
		if err != nil {
			t.Fatalf("modelstest: %s: %v", EnvMySQL, err)
		}
		if mc.Timeout == 0 {
			mc.Timeout = connectTimeout
		}
		admin := mc.Clone()
		admin.DBName = ""
		name := d.createIsolated(t, "mysql", admin.FormatDSN(),
			"CREATE DATABASE `%s` CHARACTER SET utf8mb4", "DROP DATABASE IF EXISTS `%s`")
		mc.DBName = name
		mc.ParseTime = true
		dsn = mc.FormatDSN()
		dialector = mysql.Open(dsn)
	default:
		t.Fatalf("modelstest: unknown dialect %q (use Dialects)", d.Name)
	}

	db, err := gorm.Open(dialector, &c)
	if err != nil {
		t.Fatalf("modelstest: open %s database: %v", d.Name, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatalf("modelstest: %s: %v", d.Name, err)
	}
	sqlDB.SetMaxOpenConns(maxOpenConns)
	sqlDB.SetMaxIdleConns(maxOpenConns)
	// Registered after the drop, so it runs before it: the schema or database
	// is dropped once no connection of the pool uses it.
	t.Cleanup(func() { _ = sqlDB.Close() })
	return db, dsn
}

// createIsolated creates a schema or database with a new random name through
// an admin connection on dsn, registers its drop in t.Cleanup and returns the
// name. create and drop are format strings taking the name.
func (d Dialect) createIsolated(t testing.TB, driver, dsn, create, drop string) string {
	t.Helper()
	admin, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("modelstest: %s: %v", d.Name, err)
	}
	admin.SetMaxOpenConns(1)
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		_ = admin.Close()
		d.unavailable(t, "cannot reach %s server: %v", d.Name, err)
	}
	name := RandomName()
	if _, err := admin.ExecContext(ctx, fmt.Sprintf(create, name)); err != nil {
		_ = admin.Close()
		t.Fatalf("modelstest: %s: create %s: %v", d.Name, name, err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), dropTimeout)
		defer cancel()
		if _, err := admin.ExecContext(ctx, fmt.Sprintf(drop, name)); err != nil {
			t.Errorf("modelstest: %s: drop %s: %v", d.Name, name, err)
		}
	})
	return name
}

// unavailable skips the test, or fails it when EnvRequire=1.
func (d Dialect) unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf("modelstest: "+format, args...)
	if d.required {
		t.Fatalf("%s (%s=1)", msg, EnvRequire)
	}
	t.Skipf("%s (set %s=1 to make this a failure)", msg, EnvRequire)
}

// WithSearchPath returns the pgx DSN (keyword/value or URL form) with
// search_path set to schema.
func WithSearchPath(dsn, schema string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", err
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return dsn + " search_path=" + schema, nil
}

// RandomName returns a new schema or database name such as "sc_1f2e3d4c5b6a7988".
func RandomName() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return "sc_" + hex.EncodeToString(b)
}

// newLogger returns the gorm logger for Open: silent unless EnvSQLLog=1.
func newLogger() logger.Interface {
	level := logger.Silent
	if os.Getenv(EnvSQLLog) == "1" {
		level = logger.Info
	}
	return logger.New(log.New(os.Stdout, "\n", log.LstdFlags), logger.Config{
		SlowThreshold: 200 * time.Millisecond,
		LogLevel:      level,
		Colorful:      false,
	})
}
