package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	mysqldriver "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/dialect"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// Dialect names, the values of -db.
const (
	dialectSQLite   = "sqlite"
	dialectPostgres = "postgres"
	dialectMySQL    = "mysql"
)

// defaultDSN is the server DSN of a dialect from the environment the test
// suite reads too.
func defaultDSN(dialect string) string {
	switch dialect {
	case dialectPostgres:
		return os.Getenv(modelstest.EnvPostgres)
	case dialectMySQL:
		return os.Getenv(modelstest.EnvMySQL)
	}
	return ""
}

// fresh is a new, empty schema (PostgreSQL), database (MySQL) or file
// (SQLite) that no one else uses; drop removes it.
type fresh struct {
	db   *sql.DB
	drop func() error
}

// createFresh creates a fresh database of dialect on the server of dsn.
func createFresh(ctx context.Context, dialect, dsn string) (*fresh, error) {
	name := "sc_bench_" + strings.TrimPrefix(modelstest.RandomName(), "sc_")
	switch dialect {
	case dialectSQLite:
		dir, err := os.MkdirTemp("", name)
		if err != nil {
			return nil, err
		}
		db, err := sql.Open(sqlite.DriverName, "file:"+filepath.Join(dir, "bench.db")+
			"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)")
		if err != nil {
			return nil, err
		}
		return &fresh{db: db, drop: func() error { _ = db.Close(); return os.RemoveAll(dir) }}, nil
	case dialectPostgres:
		if dsn == "" {
			return nil, fmt.Errorf("no PostgreSQL DSN: set -dsn or %s", modelstest.EnvPostgres)
		}
		scoped, err := modelstest.WithSearchPath(dsn, name)
		if err != nil {
			return nil, err
		}
		return createOn(ctx, "pgx", dsn, scoped, `CREATE SCHEMA "`+name+`"`, `DROP SCHEMA IF EXISTS "`+name+`" CASCADE`)
	case dialectMySQL:
		if dsn == "" {
			return nil, fmt.Errorf("no MySQL DSN: set -dsn or %s", modelstest.EnvMySQL)
		}
		mc, err := mysqldriver.ParseDSN(dsn)
		if err != nil {
			return nil, err
		}
		admin := mc.Clone()
		admin.DBName = ""
		mc.DBName, mc.ParseTime = name, true
		return createOn(ctx, "mysql", admin.FormatDSN(), mc.FormatDSN(),
			"CREATE DATABASE `"+name+"` CHARACTER SET utf8mb4", "DROP DATABASE IF EXISTS `"+name+"`")
	}
	return nil, fmt.Errorf("unknown -db %q (want sqlite, postgres or mysql)", dialect)
}

// createOn runs create on an admin connection to adminDSN and opens dsn;
// drop closes that pool and runs drop.
func createOn(ctx context.Context, driver, adminDSN, dsn, create, drop string) (*fresh, error) {
	admin, err := sql.Open(driver, adminDSN)
	if err != nil {
		return nil, err
	}
	admin.SetMaxOpenConns(1)
	if _, err := admin.ExecContext(ctx, create); err != nil {
		_ = admin.Close()
		return nil, err
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		_, _ = admin.ExecContext(ctx, drop)
		_ = admin.Close()
		return nil, err
	}
	return &fresh{db: db, drop: func() error {
		defer admin.Close()
		_ = db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err := admin.ExecContext(ctx, drop)
		return err
	}}, nil
}

// dialector returns a GORM dialector of dialect over an existing pool.
func dialector(dialect string, pool gorm.ConnPool) (gorm.Dialector, error) {
	switch dialect {
	case dialectSQLite:
		return &sqlite.Dialector{Conn: pool}, nil
	case dialectPostgres:
		return postgres.New(postgres.Config{Conn: pool}), nil
	case dialectMySQL:
		return mysql.New(mysql.Config{Conn: pool}), nil
	}
	return nil, fmt.Errorf("unknown dialect %q", dialect)
}

// connect migrates the seed's models into the empty database behind db and
// returns the env: two *gorm.DB on it, one with softcascade installed and
// one plain, both through the same wire.
func connect(dialect string, db *sql.DB) (*env, error) {
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	w := &wire{db: db}
	open := func() (*gorm.DB, error) {
		d, err := dialector(dialect, w.pool())
		if err != nil {
			return nil, err
		}
		return gorm.Open(d, &gorm.Config{Logger: logger.Discard})
	}
	plain, err := open()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dialect, err)
	}
	if err := plain.AutoMigrate(modelstest.SeedModels()...); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	withPlugin, err := open()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dialect, err)
	}
	if err := withPlugin.Use(softcascade.New(softcascade.WithModels(modelstest.SeedModels()...))); err != nil {
		return nil, fmt.Errorf("install softcascade: %w", err)
	}
	e := &env{dialect: dialect, plugin: withPlugin, plain: plain, wire: w}
	if e.version, err = serverVersion(plain); err != nil {
		return nil, err
	}
	return e, nil
}

// serverVersion names the database server, e.g. "PostgreSQL 15.20".
func serverVersion(db *gorm.DB) (string, error) {
	var q string
	switch dialect.For(db).Name() {
	case dialectSQLite:
		q = "SELECT 'SQLite ' || sqlite_version()"
	default:
		q = "SELECT version()"
	}
	var v string
	if err := db.Raw(q).Scan(&v).Error; err != nil {
		return "", fmt.Errorf("server version: %w", err)
	}
	if i := strings.Index(v, " ("); i > 0 {
		v = v[:i] // "PostgreSQL 15.20 (Debian ...) on x86_64..."
	}
	if dialect.For(db).Name() == dialectMySQL && !strings.Contains(strings.ToLower(v), "mysql") {
		v = "MySQL/MariaDB " + v
	}
	return v, nil
}
