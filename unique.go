package softcascade

import (
	"errors"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/unique"
)

// UniqueConflictError is returned when a restore would give a live row's
// values in a unique-while-live index (softcascade:"unique") to a second
// live row. errors.As gives the table, the index, the values (Key) and the
// primary keys of both rows; nothing was restored. Rename the live row and
// restore again.
type UniqueConflictError struct {
	Table   string         // the table of both rows
	Index   string         // the unique index
	Columns []string       // the index's columns, in order
	Key     map[string]any // the values both rows hold, by column
	Live    map[string]any // the live row's primary key, by column
	Deleted map[string]any // the primary key of the row that cannot come back
	Err     error          // ErrUniqueConflict
}

// Error names the table, the values, both rows and the index.
func (e *UniqueConflictError) Error() string { return (*unique.ConflictError)(e).Error() }

// Unwrap returns Err.
func (e *UniqueConflictError) Unwrap() error { return e.Err }

// publicError returns err with the internal conflict error it carries, if
// any, as a *UniqueConflictError (whose message is complete on its own),
// so that errors.As finds the exported type.
func publicError(err error) error {
	var ce *unique.ConflictError
	if errors.As(err, &ce) {
		return (*UniqueConflictError)(ce)
	}
	return err
}

// ErrUniqueConflict is wrapped by every UniqueConflictError, for errors.Is.
var ErrUniqueConflict = unique.ErrConflict

// MigrateUnique creates the unique-while-live indexes declared on models'
// columns with the struct tag softcascade:"unique" (or
// softcascade:"unique:idx_name"; columns sharing a name form one composite
// index): a partial unique index over the live rows on PostgreSQL and
// SQLite; on MySQL and MariaDB, a virtual generated column per indexed
// column, NULL while the row is deleted, under a unique index. Deleted rows
// never block a new row with the same values.
//
// It is idempotent (what exists, by name, is skipped) and meant to run
// after AutoMigrate, every time:
//
//	db.AutoMigrate(&Workspace{})
//	softcascade.MigrateUnique(db, &Workspace{})
func MigrateUnique(db *gorm.DB, models ...any) error {
	if err := usable(db); err != nil {
		return err
	}
	if err := validModels("MigrateUnique", models); err != nil {
		return err
	}
	return unique.Migrate(db, models...)
}

// UniqueSQL returns the statements MigrateUnique would run on an empty
// schema, in order, for applications that keep their migrations in files.
func UniqueSQL(db *gorm.DB, models ...any) ([]string, error) {
	if err := usable(db); err != nil {
		return nil, err
	}
	if err := validModels("UniqueSQL", models); err != nil {
		return nil, err
	}
	return unique.SQL(db, models...)
}
