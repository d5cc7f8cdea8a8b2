// Package dialect holds every choice the plugin makes per database:
// PostgreSQL, MySQL (and MariaDB), SQLite. Code elsewhere asks For(db)
// and calls a method; it never tests a dialect's name.
package dialect

import (
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Dialect is one database's way of doing what the plugin needs.
type Dialect interface {
	// Name is the GORM dialector's name ("postgres", "mysql", "sqlite"),
	// for messages.
	Name() string
	// RowLocks reports whether the database takes row locks with SELECT
	// ... FOR UPDATE (SQLite has no such clause: it runs one writer at a
	// time).
	RowLocks() bool
	// JoinUpdate reports whether an UPDATE selected by another table's
	// rows is written as a multi-table UPDATE ... JOIN, which MySQL and
	// MariaDB drive from the joined table's index; elsewhere it is an IN
	// sub-query, which PostgreSQL and SQLite plan as a semi-join.
	JoinUpdate() bool
	// AbortsOnError reports whether a failed statement aborts the
	// transaction it runs in (PostgreSQL), so that a statement that may
	// fail runs inside a savepoint.
	AbortsOnError() bool
	// CaseSensitiveColumns reports whether quoted column names compare
	// case-sensitively (PostgreSQL); MySQL and SQLite ignore case.
	CaseSensitiveColumns() bool
	// ColumnTypeQuery is the information_schema query for the type of one
	// column: bound to the schema (nil: the current one), the table and
	// the column, it returns data_type, datetime_precision,
	// numeric_precision and numeric_scale. "" when the database is not
	// asked: SQLite stores a time as text with all its digits and an
	// integer in 64 bits, whatever the declared type.
	ColumnTypeQuery() string
	// BinaryCollation reports whether the plugin's key columns need a
	// binary collation to compare exactly (MySQL and MariaDB, whose
	// default collations ignore case, accents and trailing spaces).
	BinaryCollation() bool
	// UniqueWhileLive is how a unique index over the live rows is built,
	// or an error when the database is not supported.
	UniqueWhileLive() (UniqueIndex, error)
	// ForeignKeyViolation reports whether err, returned by db, is a
	// foreign key violation, whatever gorm.Config.TranslateError says.
	ForeignKeyViolation(db *gorm.DB, err error) bool
	// OnConflictDoNothing is the end of an INSERT that writes nothing when
	// a row with the same unique key exists (key: the table's primary key
	// column, for MySQL's form).
	OnConflictDoNothing(key string) clause.Expression
	// Purge is where purge's SQL differs, or an error when the database
	// is not supported.
	Purge() (Purge, error)
}

// UniqueIndex is a way to build a unique index over the live rows.
type UniqueIndex int

const (
	// PartialIndex is CREATE UNIQUE INDEX ... WHERE <alive> (PostgreSQL,
	// SQLite).
	PartialIndex UniqueIndex = iota + 1
	// LiveColumns is a virtual generated column per indexed column, NULL
	// while the row is deleted, under a plain unique index (MySQL and
	// MariaDB, which have no partial indexes).
	LiveColumns
)

// For returns db's dialect. A database the plugin does not know gets
// PostgreSQL's and MySQL's defaults where one is safe (row locks, IN
// sub-queries, no savepoints) and an error where none is (purge, unique
// indexes).
func For(db *gorm.DB) Dialect {
	switch name := db.Dialector.Name(); name {
	case "postgres":
		return postgres{}
	case "mysql":
		return mysql{}
	case "sqlite":
		return sqlite{}
	default:
		return other{name: name}
	}
}

func (postgres) Name() string                                    { return "postgres" }
func (postgres) RowLocks() bool                                  { return true }
func (postgres) JoinUpdate() bool                                { return false }
func (postgres) AbortsOnError() bool                             { return true }
func (postgres) CaseSensitiveColumns() bool                      { return true }
func (postgres) BinaryCollation() bool                           { return false }
func (postgres) UniqueWhileLive() (UniqueIndex, error)           { return PartialIndex, nil }
func (postgres) Purge() (Purge, error)                           { return postgres{}, nil }
func (postgres) ForeignKeyViolation(db *gorm.DB, err error) bool { return translated(db, err) }

// ColumnTypeQuery resolves the table name as the plugin's statements do
// (to_regclass, through the search path).
func (postgres) ColumnTypeQuery() string {
	return `SELECT c.data_type AS data_type, c.datetime_precision AS datetime_precision, c.numeric_precision AS numeric_precision, c.numeric_scale AS numeric_scale FROM pg_catalog.pg_class r JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace JOIN information_schema.columns c ON c.table_schema = n.nspname AND c.table_name = r.relname WHERE r.oid = to_regclass(COALESCE(quote_ident(?) || '.', '') || quote_ident(?)) AND c.column_name = ?`
}

func (mysql) Name() string                                    { return "mysql" }
func (mysql) RowLocks() bool                                  { return true }
func (mysql) JoinUpdate() bool                                { return true }
func (mysql) AbortsOnError() bool                             { return false }
func (mysql) CaseSensitiveColumns() bool                      { return false }
func (mysql) BinaryCollation() bool                           { return true }
func (mysql) UniqueWhileLive() (UniqueIndex, error)           { return LiveColumns, nil }
func (mysql) Purge() (Purge, error)                           { return mysql{}, nil }
func (mysql) ForeignKeyViolation(db *gorm.DB, err error) bool { return translated(db, err) }

// ColumnTypeQuery reads the named schema (database), or the current one.
func (mysql) ColumnTypeQuery() string {
	return `SELECT DATA_TYPE AS data_type, DATETIME_PRECISION AS datetime_precision, NUMERIC_PRECISION AS numeric_precision, NUMERIC_SCALE AS numeric_scale FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND COLUMN_NAME = ?`
}

func (sqlite) Name() string                          { return "sqlite" }
func (sqlite) RowLocks() bool                        { return false }
func (sqlite) JoinUpdate() bool                      { return false }
func (sqlite) AbortsOnError() bool                   { return false }
func (sqlite) CaseSensitiveColumns() bool            { return false }
func (sqlite) ColumnTypeQuery() string               { return "" }
func (sqlite) BinaryCollation() bool                 { return false }
func (sqlite) UniqueWhileLive() (UniqueIndex, error) { return PartialIndex, nil }
func (sqlite) Purge() (Purge, error)                 { return sqlite{}, nil }

// sqliteForeignKeyFailed is SQLite's message for a foreign key violation.
const sqliteForeignKeyFailed = "FOREIGN KEY constraint failed"

// ForeignKeyViolation also recognises a foreign key declared ON DELETE
// RESTRICT, which SQLite reports with the extended code
// SQLITE_CONSTRAINT_TRIGGER that its GORM dialector does not translate;
// every foreign key failure has the same message.
func (sqlite) ForeignKeyViolation(db *gorm.DB, err error) bool {
	if err != nil && strings.Contains(err.Error(), sqliteForeignKeyFailed) {
		return true
	}
	return translated(db, err)
}

// other is a database the plugin does not know.
type other struct{ name string }

func (o other) Name() string             { return o.name }
func (other) RowLocks() bool             { return true }
func (other) JoinUpdate() bool           { return false }
func (other) AbortsOnError() bool        { return false }
func (other) CaseSensitiveColumns() bool { return false }
func (other) ColumnTypeQuery() string    { return "" }
func (other) BinaryCollation() bool      { return false }
func (o other) UniqueWhileLive() (UniqueIndex, error) {
	return 0, fmt.Errorf("softcascade: unique-while-live indexes: dialect %q is not supported (postgres, sqlite, mysql)", o.name)
}
func (o other) Purge() (Purge, error) {
	return nil, fmt.Errorf("softcascade: purge does not support the %q dialect", o.name)
}
func (other) ForeignKeyViolation(db *gorm.DB, err error) bool { return translated(db, err) }

// translated reports whether err is gorm.ErrForeignKeyViolated, or any
// error in its chain translates to it through db's dialector.
func translated(db *gorm.DB, err error) bool {
	if errors.Is(err, gorm.ErrForeignKeyViolated) {
		return true
	}
	tr, ok := db.Dialector.(gorm.ErrorTranslator)
	if !ok {
		return false
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if errors.Is(tr.Translate(e), gorm.ErrForeignKeyViolated) {
			return true
		}
	}
	return false
}
