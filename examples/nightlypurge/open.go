package main

import (
	"strings"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
)

// dialector picks the driver from the DSN: PostgreSQL for postgres://...
// or host=..., MySQL for user@tcp(host)/db, else a SQLite file.
func dialector(dsn string) gorm.Dialector {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"), strings.Contains(dsn, "host="):
		return postgres.Open(dsn)
	case strings.Contains(dsn, "@tcp("), strings.Contains(dsn, "@unix("):
		return mysql.Open(dsn)
	}
	return sqlite.Open(dsn)
}
