package purge

import (
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// dialect is where purge's SQL differs between databases.
type dialect interface {
	// lock takes the database-wide purge lock for conn's session without
	// waiting, and reports whether it got it.
	lock(conn *gorm.DB) (bool, error)
	// unlock releases what lock took.
	unlock(conn *gorm.DB) error
	// deleteUpTo is DELETE FROM table WHERE where, for at most n rows, in
	// one statement; nil when the database cannot run it because where
	// reads table itself (MySQL error 1093).
	deleteUpTo(table string, where clause.Expression, n int, readsSelf bool) clause.Expression
	// keyOrder reports whether the database runs a keyWindow (a DELETE
	// inside a WITH query), so that sweeps go in key order.
	keyOrder() bool
	// timeBefore is "timestamp column c is before t".
	timeBefore(c clause.Column, t time.Time) clause.Expression
	// nanosToMillis is unix-nano column c in whole milliseconds.
	nanosToMillis(c clause.Column) clause.Expression
}

func dialectOf(db *gorm.DB) (dialect, error) {
	switch name := db.Dialector.Name(); name {
	case "postgres":
		return postgres{}, nil
	case "mysql":
		return mysql{}, nil
	case "sqlite":
		return sqlite{}, nil
	default:
		return nil, fmt.Errorf("softcascade: purge does not support the %q dialect", name)
	}
}

// scanLock runs a lock query that returns 1 (or true) when it got (or
// released) the lock.
func scanLock(conn *gorm.DB, query string) (bool, error) {
	var got sql.NullBool
	if err := conn.Raw(query).Row().Scan(&got); err != nil {
		return false, err
	}
	return got.Valid && got.Bool, nil
}

// postgres takes a session advisory lock keyed by the current schema, so
// that schemas of one database purge independently.
type postgres struct{}

const pgLockKey = "hashtextextended('softcascade.purge.' || coalesce(current_schema(), ''), 0)"

func (postgres) lock(conn *gorm.DB) (bool, error) {
	return scanLock(conn, "SELECT pg_try_advisory_lock("+pgLockKey+")")
}

func (postgres) unlock(conn *gorm.DB) error {
	_, err := scanLock(conn, "SELECT pg_advisory_unlock("+pgLockKey+")")
	return err
}

// deleteUpTo locates the rows by ctid: DELETE ... WHERE ctid = ANY(ARRAY(
// SELECT ctid ... LIMIT n)), which PostgreSQL runs as a TID scan. A row
// updated meanwhile (restored) has a new ctid and is left alone.
func (postgres) deleteUpTo(table string, where clause.Expression, n int, _ bool) clause.Expression {
	return rowLocated{table: table, where: where, n: n, locator: "ctid", open: " = ANY(ARRAY(", close: "))"}
}

func (postgres) keyOrder() bool { return true }

func (postgres) timeBefore(c clause.Column, t time.Time) clause.Expression {
	return clause.Lt{Column: c, Value: t}
}

func (postgres) nanosToMillis(c clause.Column) clause.Expression {
	return clause.Expr{SQL: "? / 1000000", Vars: []any{c}}
}

// mysql takes a named user lock, GET_LOCK, whose name carries a hash of
// the current database (names are server-wide and at most 64 characters).
type mysql struct{}

const myLockName = "CONCAT('softcascade.purge.', MD5(COALESCE(DATABASE(), '')))"

func (mysql) lock(conn *gorm.DB) (bool, error) {
	return scanLock(conn, "SELECT GET_LOCK("+myLockName+", 0)")
}

func (mysql) unlock(conn *gorm.DB) error {
	_, err := scanLock(conn, "SELECT RELEASE_LOCK("+myLockName+")")
	return err
}

// deleteUpTo uses MySQL's single-table DELETE ... LIMIT n, which may not
// read its own table in a sub-query.
func (mysql) deleteUpTo(table string, where clause.Expression, n int, readsSelf bool) clause.Expression {
	if readsSelf {
		return nil
	}
	return limitedDelete{table: table, where: where, n: n}
}

func (mysql) keyOrder() bool { return false }

func (mysql) timeBefore(c clause.Column, t time.Time) clause.Expression {
	return clause.Lt{Column: c, Value: t}
}

func (mysql) nanosToMillis(c clause.Column) clause.Expression {
	return clause.Expr{SQL: "? DIV 1000000", Vars: []any{c}}
}

// sqlite takes no lock: the database has one writer at a time, and every
// purge statement is idempotent and counted by its own RowsAffected, so
// concurrent purgers share the work and count each row once.
type sqlite struct{}

func (sqlite) lock(*gorm.DB) (bool, error) { return true, nil }

func (sqlite) unlock(*gorm.DB) error { return nil }

// deleteUpTo locates the rows by rowid.
func (sqlite) deleteUpTo(table string, where clause.Expression, n int, _ bool) clause.Expression {
	return rowLocated{table: table, where: where, n: n, locator: "rowid", open: " IN (", close: ")"}
}

func (sqlite) keyOrder() bool { return false }

// timeBefore compares through julianday: SQLite stores timestamps as text,
// whose order is not time order across time zone offsets.
func (sqlite) timeBefore(c clause.Column, t time.Time) clause.Expression {
	return clause.Expr{SQL: "julianday(?) < julianday(?)", Vars: []any{c, t.UTC()}}
}

func (sqlite) nanosToMillis(c clause.Column) clause.Expression {
	return clause.Expr{SQL: "? / 1000000", Vars: []any{c}}
}

// rowLocated is DELETE FROM t WHERE locator <open> SELECT locator FROM t
// WHERE where LIMIT n <close>.
type rowLocated struct {
	table       string
	where       clause.Expression
	n           int
	locator     string
	open, close string
}

// Build writes the statement.
func (r rowLocated) Build(b clause.Builder) {
	b.WriteString("DELETE FROM ")
	b.WriteQuoted(clause.Table{Name: r.table})
	b.WriteString(" WHERE " + r.locator + r.open + "SELECT " + r.locator + " FROM ")
	b.WriteQuoted(clause.Table{Name: r.table})
	b.WriteString(" WHERE ")
	r.where.Build(b)
	b.WriteString(" LIMIT " + strconv.Itoa(r.n) + r.close)
}

// limitedDelete is DELETE FROM t WHERE where LIMIT n.
type limitedDelete struct {
	table string
	where clause.Expression
	n     int
}

// Build writes the statement.
func (l limitedDelete) Build(b clause.Builder) {
	b.WriteString("DELETE FROM ")
	b.WriteQuoted(clause.Table{Name: l.table})
	b.WriteString(" WHERE ")
	l.where.Build(b)
	b.WriteString(" LIMIT " + strconv.Itoa(l.n))
}
