package softcascade

import (
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/errs"
)

// Deletion is one Delete call that soft-deleted rows: its table, actor,
// reason, tenant and time, and how many rows it took per table. It is an
// ordinary GORM model (table softcascade_deletions):
//
//	db.Order("deleted_at DESC").Limit(20).Find(&[]softcascade.Deletion{})
type Deletion = deletionlog.Deletion

// Sentinel errors, matched with errors.Is.
var (
	// ErrRestricted: a restricting relation still has live children; nothing changed.
	ErrRestricted = errs.ErrRestricted
	// ErrNotDeleted: the row is live, or the deletion has nothing left in the trash.
	ErrNotDeleted = errs.ErrNotDeleted
	// ErrParentDeleted: a row's cascading parent is still in the trash.
	ErrParentDeleted = errs.ErrParentDeleted
	// ErrNotSoftDeletable: the model has no soft-delete field.
	ErrNotSoftDeletable = errs.ErrNotSoftDeletable
	// ErrNotInstalled: the *gorm.DB has no softcascade plugin.
	ErrNotInstalled = errs.ErrNotInstalled
	// ErrInvalidValue: a nil or non-pointer value (or a nil element), one
	// without primary key; a nil *gorm.DB, context, option or model; a
	// Delete the plugin refuses (after Trashed, or through another table).
	ErrInvalidValue = errs.ErrInvalidValue
	// ErrUnsupportedKey: a flag-mode or unix-second table without a
	// single-column primary key (its deletions go in the ledger).
	ErrUnsupportedKey = errs.ErrUnsupportedKey
	// ErrUnsupportedColumn: a soft-delete column cannot hold what the
	// plugin writes (a unix-milli column narrower than 64 bits), or a
	// delete's rows were not found by their mark afterwards (nothing
	// changed: the delete rolled back).
	ErrUnsupportedColumn = errs.ErrUnsupportedColumn
	// ErrInvalidPlan: a deletion's stored plan is malformed or names a
	// table or column the database does not have; nothing was changed.
	ErrInvalidPlan = errs.ErrInvalidPlan
)
