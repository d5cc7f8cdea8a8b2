package dialect

import (
	"database/sql"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Purge is where purge's SQL differs between databases.
type Purge interface {
	// Lock takes the database-wide purge lock for conn's session without
	// waiting, and reports whether it got it.
	Lock(conn *gorm.DB) (bool, error)
	// Unlock releases what Lock took.
	Unlock(conn *gorm.DB) error
	// DeleteUpTo is DELETE FROM table WHERE where, for at most n rows, in
	// one statement; nil when the database cannot run it because where
	// reads table itself (MySQL error 1093).
	DeleteUpTo(table string, where clause.Expression, n int, readsSelf bool) clause.Expression
	// KeyOrder reports whether the database runs a keyWindow (a DELETE
	// inside a WITH query), so that sweeps go in key order.
	KeyOrder() bool
	// TimeBefore is "timestamp column c is before t".
	TimeBefore(c clause.Column, t time.Time) clause.Expression
	// NanosToMillis is unix-nano column c in whole milliseconds.
	NanosToMillis(c clause.Column) clause.Expression
	// ForeignKeys is the catalog query that lists the foreign keys
	// between tables of the current schema, column by column in key
	// order: parent table, key id, child table, child column, parent
	// column (NULL: the parent's primary key), ON DELETE action. One
	// statement for every table: catalog reads cost milliseconds each
	// on MySQL.
	ForeignKeys() string
	// SameTableName reports whether two table names name the same table
	// as the catalog compares them (MySQL and SQLite: regardless of
	// case).
	SameTableName(a, b string) bool
}

// pgForeignKeys lists the foreign keys between tables of the current
// schema, column by column in key order.
const pgForeignKeys = `SELECT p.relname, con.oid::text, c.relname, a.attname, pa.attname, con.confdeltype::text
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace cn ON cn.oid = c.relnamespace
JOIN pg_class p ON p.oid = con.confrelid
JOIN pg_namespace pn ON pn.oid = p.relnamespace
CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(ck, pk, ord)
JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.ck
JOIN pg_attribute pa ON pa.attrelid = con.confrelid AND pa.attnum = k.pk
WHERE con.contype = 'f' AND pn.nspname = current_schema() AND cn.nspname = current_schema()
ORDER BY p.relname, con.oid, k.ord`

// mysqlForeignKeys is pgForeignKeys for MySQL/MariaDB's current database.
const mysqlForeignKeys = `SELECT k.REFERENCED_TABLE_NAME, k.CONSTRAINT_NAME, k.TABLE_NAME, k.COLUMN_NAME, k.REFERENCED_COLUMN_NAME, r.DELETE_RULE
FROM information_schema.KEY_COLUMN_USAGE k
JOIN information_schema.REFERENTIAL_CONSTRAINTS r
  ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_SCHEMA = DATABASE()
ORDER BY k.REFERENCED_TABLE_NAME, k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`

// sqliteForeignKeys is pgForeignKeys for SQLite; "to" is NULL for a key
// on the parent's primary key.
const sqliteForeignKeys = `SELECT f."table", CAST(f.id AS TEXT), m.name, f."from", f."to", f.on_delete
FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
WHERE m.type = 'table'
ORDER BY f."table", m.name, f.id, f.seq`

func (postgres) ForeignKeys() string { return pgForeignKeys }
func (mysql) ForeignKeys() string    { return mysqlForeignKeys }
func (sqlite) ForeignKeys() string   { return sqliteForeignKeys }

func (postgres) SameTableName(a, b string) bool { return a == b }
func (mysql) SameTableName(a, b string) bool    { return strings.EqualFold(a, b) }
func (sqlite) SameTableName(a, b string) bool   { return strings.EqualFold(a, b) }

// scanLock runs a lock query that returns 1 (or true) when it got (or
// released) the lock.
func scanLock(conn *gorm.DB, query string) (bool, error) {
	var got sql.NullBool
	if err := conn.Raw(query).Row().Scan(&got); err != nil {
		return false, err
	}
	return got.Valid && got.Bool, nil
}

// postgres's purge lock is a session advisory lock keyed by the current
// schema, so that schemas of one database purge independently.
type postgres struct{}

const pgLockKey = "hashtextextended('softcascade.purge.' || coalesce(current_schema(), ''), 0)"

func (postgres) Lock(conn *gorm.DB) (bool, error) {
	return scanLock(conn, "SELECT pg_try_advisory_lock("+pgLockKey+")")
}

func (postgres) Unlock(conn *gorm.DB) error {
	_, err := scanLock(conn, "SELECT pg_advisory_unlock("+pgLockKey+")")
	return err
}

// DeleteUpTo locates the rows by ctid: DELETE ... WHERE ctid = ANY(ARRAY(
// SELECT ctid ... LIMIT n)), which PostgreSQL runs as a TID scan. A row
// updated meanwhile (restored) has a new ctid and is left alone.
func (postgres) DeleteUpTo(table string, where clause.Expression, n int, _ bool) clause.Expression {
	return rowLocated{table: table, where: where, n: n, locator: "ctid", open: " = ANY(ARRAY(", close: "))"}
}

func (postgres) KeyOrder() bool { return true }

func (postgres) TimeBefore(c clause.Column, t time.Time) clause.Expression {
	return clause.Lt{Column: c, Value: t}
}

func (postgres) NanosToMillis(c clause.Column) clause.Expression {
	return clause.Expr{SQL: "? / 1000000", Vars: []any{c}}
}

// mysql's purge lock is a named user lock, GET_LOCK, whose name carries a hash of
// the current database (names are server-wide and at most 64 characters).
type mysql struct{}

const myLockName = "CONCAT('softcascade.purge.', MD5(COALESCE(DATABASE(), '')))"

func (mysql) Lock(conn *gorm.DB) (bool, error) {
	return scanLock(conn, "SELECT GET_LOCK("+myLockName+", 0)")
}

func (mysql) Unlock(conn *gorm.DB) error {
	_, err := scanLock(conn, "SELECT RELEASE_LOCK("+myLockName+")")
	return err
}

// DeleteUpTo uses MySQL's single-table DELETE ... LIMIT n, which may not
// read its own table in a sub-query.
func (mysql) DeleteUpTo(table string, where clause.Expression, n int, readsSelf bool) clause.Expression {
	if readsSelf {
		return nil
	}
	return limitedDelete{table: table, where: where, n: n}
}

func (mysql) KeyOrder() bool { return false }

func (mysql) TimeBefore(c clause.Column, t time.Time) clause.Expression {
	return clause.Lt{Column: c, Value: t}
}

func (mysql) NanosToMillis(c clause.Column) clause.Expression {
	return clause.Expr{SQL: "? DIV 1000000", Vars: []any{c}}
}

// sqlite takes no purge lock: the database has one writer at a time, and every
// purge statement is idempotent and counted by its own RowsAffected, so
// concurrent purgers share the work and count each row once.
type sqlite struct{}

func (sqlite) Lock(*gorm.DB) (bool, error) { return true, nil }

func (sqlite) Unlock(*gorm.DB) error { return nil }

// DeleteUpTo locates the rows by rowid.
func (sqlite) DeleteUpTo(table string, where clause.Expression, n int, _ bool) clause.Expression {
	return rowLocated{table: table, where: where, n: n, locator: "rowid", open: " IN (", close: ")"}
}

func (sqlite) KeyOrder() bool { return false }

// TimeBefore compares through julianday: SQLite stores timestamps as text,
// whose order is not time order across time zone offsets.
func (sqlite) TimeBefore(c clause.Column, t time.Time) clause.Expression {
	return clause.Expr{SQL: "julianday(?) < julianday(?)", Vars: []any{c, t.UTC()}}
}

func (sqlite) NanosToMillis(c clause.Column) clause.Expression {
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
