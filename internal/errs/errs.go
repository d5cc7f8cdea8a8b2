// Package errs holds the sentinel errors that softcascade returns. The root
// package re-exports each one, so callers match them with errors.Is against
// softcascade.ErrX.
package errs

import "errors"

var (
	// ErrRestricted: a restricting relation still has live children.
	ErrRestricted = errors.New("softcascade: restricted by live children")
	// ErrNotDeleted: the row (or deletion) has nothing in the trash.
	ErrNotDeleted = errors.New("softcascade: not deleted")
	// ErrParentDeleted: a row's cascading parent is still in the trash.
	ErrParentDeleted = errors.New("softcascade: parent is deleted")
	// ErrNotSoftDeletable: the model has no soft-delete field.
	ErrNotSoftDeletable = errors.New("softcascade: model is not soft-deletable")
	// ErrNotInstalled: the *gorm.DB has no softcascade plugin.
	ErrNotInstalled = errors.New("softcascade: plugin not installed on this *gorm.DB (db.Use(softcascade.New()))")
	// ErrInvalidValue: the value passed is nil, not a pointer, or has no primary key.
	ErrInvalidValue = errors.New("softcascade: invalid value")
	// ErrUnsupportedKey: the table's primary key cannot be recorded in the ledger.
	ErrUnsupportedKey = errors.New("softcascade: unsupported primary key")
	// ErrUnsupportedColumn: a soft-delete column cannot hold what the
	// plugin writes to it (seen in its type, or in rows a delete just
	// marked that their mark does not find).
	ErrUnsupportedColumn = errors.New("softcascade: unsupported soft-delete column")
	// ErrInvalidPlan: a deletion's stored plan is malformed, or names a
	// table or column the database does not have (see docs/identifiers.md).
	ErrInvalidPlan = errors.New("softcascade: invalid stored plan")
	// ErrHeld: the deletion is under a legal hold (Hold) and cannot be
	// erased until it is released.
	ErrHeld = errors.New("softcascade: deletion is under a legal hold")
	// ErrReferenced: rows of an erased deletion are still referenced by
	// live rows, so they could not go; the deletion stays unpurged.
	ErrReferenced = errors.New("softcascade: rows still referenced by live rows")
)
