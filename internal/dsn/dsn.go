// Package dsn turns a data source name into the GORM dialector of its
// database, for the command-line tool and the examples, and hides the
// passwords of DSNs in what is shown (Redact, Scrub).
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

// ErrBadDSN: the DSN cannot be parsed, or its form or scheme is unknown.
var ErrBadDSN = errors.New("bad DSN")

// Known describes the DSN forms Dialector accepts, for error messages.
const Known = "postgres://, postgresql://, mysql://, sqlite: and file: URLs; " +
	"host=... dbname=... (PostgreSQL); user:pass@tcp(host:3306)/db (MySQL); " +
	"or the path of an SQLite file"

const connectTimeout = 10 * time.Second

// pgKeyword matches a PostgreSQL keyword/value DSN ("host=... dbname=...").
var pgKeyword = regexp.MustCompile(`(^|\s)(host|hostaddr|port|dbname|user|password|sslmode|service)=`)

// schemeLike matches a leading URL scheme ("postgress:"); one letter is a
// Windows drive ("C:"), not a scheme.
var schemeLike = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]+:`)

// Dialector picks the database driver from the DSN's form: a postgres://
// URL or keyword/value pairs for PostgreSQL, user@tcp(host)/db for MySQL,
// and a file path, file: or sqlite: for SQLite (which must exist). Any
// other scheme is ErrBadDSN. Its errors show the DSN redacted.
func Dialector(dsn string) (gorm.Dialector, error) {
	d, err := dialector(dsn)
	if err != nil {
		return nil, scrubbed{err: err, msg: Scrub(err.Error(), dsn)}
	}
	return d, nil
}

func dialector(dsn string) (gorm.Dialector, error) {
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
	case strings.Contains(dsn, "@tcp("), strings.Contains(dsn, "@unix("), strings.Contains(dsn, "@/"),
		strings.HasPrefix(dsn, "tcp("), strings.HasPrefix(dsn, "unix("):
		return mysqlDialector(dsn)
	case pgKeyword.MatchString(dsn):
		return postgres.Open(dsn), nil
	}
	if scheme, ok := schemeOf(dsn); ok {
		return nil, fmt.Errorf("%w: unknown scheme %q in %s (known: %s)", ErrBadDSN, scheme, Redact(dsn), Known)
	}
	return sqliteDialector(dsn)
}

// schemeOf returns the scheme of a DSN that has one: what comes before
// "://", or a leading "name:".
func schemeOf(dsn string) (string, bool) {
	if i := strings.Index(dsn, "://"); i >= 0 {
		return dsn[:i], true
	}
	if m := schemeLike.FindString(dsn); m != "" {
		return strings.TrimSuffix(m, ":"), true
	}
	return "", false
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

// scrubbed is an error whose message has the DSN's passwords hidden; it
// unwraps to the original error.
type scrubbed struct {
	err error
	msg string
}

func (e scrubbed) Error() string { return e.msg }
func (e scrubbed) Unwrap() error { return e.err }
