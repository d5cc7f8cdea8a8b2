package softcascade

import (
	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/unique"
)

// UniqueConflictError is returned when a restore would give a live row's
// values in a unique-while-live index (softcascade:"unique") to a second
// live row. errors.As gives the table, the index, the values (Key) and the
// primary keys of both rows; nothing was restored. Rename the live row and
// restore again.
type UniqueConflictError = unique.ConflictError

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
