package softcascade

import (
	"context"
	"fmt"
	"reflect"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/restore"
)

// MaxRestoreByQuery is the most rows a Restore by query brings back
// itself (their deletions' parts beneath them are not counted): a query
// that matches more deleted rows fails with ErrInvalidValue and changes
// nothing. Narrow the conditions, or restore whole deletions with
// RestoreDeletion, which has no such bound.
const MaxRestoreByQuery = 1000

// byQuery reports whether value asks for a Restore by query: a non-nil
// pointer to an empty slice (or array), or to a struct whose primary key
// is zero.
func byQuery(db *gorm.DB, value any) bool {
	rv := reflect.ValueOf(value)
	if value == nil || rv.Kind() != reflect.Pointer || rv.IsNil() {
		return false
	}
	e := rv.Elem()
	switch e.Kind() {
	case reflect.Slice, reflect.Array:
		return e.Len() == 0
	case reflect.Struct:
		stmt := &gorm.Statement{DB: db}
		if stmt.Parse(value) != nil || len(stmt.Schema.PrimaryFields) == 0 {
			return false
		}
		for _, f := range stmt.Schema.PrimaryFields {
			if _, zero := f.ValueOf(context.Background(), e); !zero {
				return false
			}
		}
		return true
	}
	return false
}

// hasConditions reports whether db carries WHERE conditions.
func hasConditions(db *gorm.DB) bool {
	c, ok := db.Statement.Clauses["WHERE"]
	if !ok {
		return false
	}
	w, ok := c.Expression.(clause.Where)
	return ok && len(w.Exprs) > 0
}

// refuseQueryShape fails with ErrInvalidValue for parts of a query that
// Restore by query cannot honour: a Table other than the model's, and a
// Limit or Offset (the restore would bring back more, or other, rows than
// the query names).
func refuseQueryShape(db *gorm.DB) error {
	s := db.Statement
	if s.Table != "" || s.TableExpr != nil {
		return fmt.Errorf("%w: Restore by query works on the model's own table: drop Table(...) from the query", errs.ErrInvalidValue)
	}
	if _, ok := s.Clauses["LIMIT"]; ok {
		return fmt.Errorf("%w: Restore by query restores every deleted row the conditions match: drop Limit/Offset from the query (at most %d rows)", errs.ErrInvalidValue, MaxRestoreByQuery)
	}
	return nil
}

// queryFinder loads the keys of the deleted rows the conditions on db
// match, on the restore's transaction (tx), with Trashed's meaning: the
// caller's conditions, Or included, form one group ANDed with "is
// soft-deleted".
func queryFinder(db *gorm.DB) restore.Finder {
	return func(tx *gorm.DB, dest any, cols []clause.Column, limit, offset int) error {
		// A Session first: the caller's *gorm.DB is copied, never changed.
		q := db.Session(&gorm.Session{}).Scopes(needConditions, Trashed)
		q.Statement.ConnPool = tx.Statement.ConnPool
		q = q.Model(dest).Clauses(clause.Select{Columns: cols}).Limit(limit)
		if offset >= 0 {
			by := clause.OrderBy{}
			for _, c := range cols {
				by.Columns = append(by.Columns, clause.OrderByColumn{Column: c})
			}
			q = q.Clauses(by).Offset(offset)
		}
		if err := q.Find(dest).Error; err != nil {
			return errs.Wrap(err, "restore by query")
		}
		return nil
	}
}

// needConditions, a scope that runs after the caller's own, refuses a
// query with no conditions: a restore of a whole table's trash is not
// what an empty slice should mean.
func needConditions(q *gorm.DB) *gorm.DB {
	if !hasConditions(q) {
		_ = q.AddError(fmt.Errorf("%w: Restore needs rows with primary keys, or conditions on the *gorm.DB to restore by query (db.Where(...), &[]Model{}); to undo a whole deletion use RestoreDeletion", errs.ErrInvalidValue))
	}
	return q
}
