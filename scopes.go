package softcascade

import (
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/errs"
	"github.com/softcascade/softcascade/softdelete"
)

// Trashed limits a query to soft-deleted rows, for every kind of
// soft-delete field:
//
//	db.Scopes(softcascade.Trashed).Find(&projects)
//	db.Scopes(softcascade.Trashed).Preload("Tasks", softcascade.WithTrashed).Find(&projects)
//
// Like GORM's Unscoped, on which it is built, it also lifts the filter from
// Preload and Joins of the same query; do not chain a Delete after it.
func Trashed(db *gorm.DB) *gorm.DB {
	return db.Unscoped().Where(trashed{})
}

// WithTrashed lets a query see live and soft-deleted rows (GORM's Unscoped).
func WithTrashed(db *gorm.DB) *gorm.DB {
	return db.Unscoped()
}

// trashed renders "the row is soft-deleted" once the statement's model is
// known (scopes run before GORM parses the model).
type trashed struct{}

// Build writes the condition for the statement's schema.
func (trashed) Build(b clause.Builder) {
	stmt, ok := b.(*gorm.Statement)
	if !ok {
		return
	}
	m, ok := softdelete.Of(stmt.Schema)
	if !ok {
		name := stmt.Table
		if stmt.Schema != nil {
			name = stmt.Schema.Name
		}
		_ = stmt.AddError(fmt.Errorf("%w: Trashed on %s", errs.ErrNotSoftDeletable, name))
		b.WriteString("1 = 0")
		return
	}
	m.IsDeleted(clause.CurrentTable).Build(b)
}
