// Package dsn turns a data source name into the GORM dialector of its
// database, for the command-line tool and the examples.
package dsn

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
)

// ErrBadDSN: the DSN cannot be parsed.
var ErrBadDSN = errors.New("bad DSN")

const connectTimeout = 10 * time.Second

// pgKeyword matches a PostgreSQL keyword/value DSN ("host=... dbname=...").
var pgKeyword = regexp.MustCompile(`(^|\s)(host|hostaddr|port|dbname|user|password|sslmode|service)=`)

// Dialector picks the database driver from the DSN's form: a postgres://
// URL or keyword/value pairs for PostgreSQL, user@tcp(host)/db for MySQL,
// and a file path, file: or sqlite: for SQLite (which must exist).
func Dialector(dsn string) (gorm.Dialector, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return postgres.Open(dsn), nil
	case strings.HasPrefix(dsn, "mysql://"):
		return mysqlDialector(strings.TrimPrefix(dsn, "mysql://"))
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//")
		return sqliteDialector(path)
	case strings.HasPrefix(dsn, "file:"):
		return sqliteDialector(dsn)
	case strings.Contains(dsn, "@tcp("), strings.Contains(dsn, "@unix("),
		strings.HasPrefix(dsn, "tcp("), strings.HasPrefix(dsn, "unix("):
		return mysqlDialector(dsn)
	case pgKeyword.MatchString(dsn):
		return postgres.Open(dsn), nil
	default:
		return sqliteDialector(dsn)
	}
}

// mysqlDialector opens a go-sql-driver DSN, with the parseTime the
// deletion log's times need.
func mysqlDialector(dsn string) (gorm.Dialector, error) {
	cfg, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("%w: not a MySQL DSN: %v", ErrBadDSN, err)
	}
	cfg.ParseTime = true
	if cfg.Timeout == 0 {
		cfg.Timeout = connectTimeout
	}
	return mysql.Open(cfg.FormatDSN()), nil
}

// sqliteDialector opens an SQLite file path or file: URI. The file must
// exist: opening a mistyped path would create an empty database.
func sqliteDialector(dsn string) (gorm.Dialector, error) {
	path, query, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	if path == "" {
		return nil, fmt.Errorf("%w: no SQLite file in %q", ErrBadDSN, dsn)
	}
	if path != ":memory:" && !strings.Contains(query, "mode=memory") {
		if _, err := os.Stat(path); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("SQLite database %s does not exist (is the DSN right?)", path)
			}
			return nil, fmt.Errorf("SQLite database: %w", err)
		}
	}
	if !strings.HasPrefix(dsn, "file:") {
		dsn = "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"
		if query != "" {
			dsn = "file:" + path + "?" + query
		}
	}
	return sqlite.Open(dsn), nil
}
