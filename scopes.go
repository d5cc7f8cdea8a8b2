package softcascade

import (
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/softdelete"
)

// Trashed limits a query to soft-deleted rows, for every kind of
// soft-delete field:
//
//	db.Scopes(softcascade.Trashed).Find(&projects)
//	db.Scopes(softcascade.Trashed).Where("a = ?", 1).Or("b = ?", 2).Find(&projects)
//	db.Scopes(softcascade.Trashed).Preload("Tasks", softcascade.WithTrashed).Find(&projects)
//	db.Preload("Tasks", softcascade.Trashed).Find(&projects)
//
// The query's other conditions, Or groups included, are ANDed as one
// group with "is soft-deleted" (as GORM does for its own soft-delete
// filter), wherever the Or comes in the chain. Like GORM's Unscoped, on
// which it is built, it also lifts the filter from Preload and Joins of
// the same query.
//
// In a Joins condition, call it last on the condition's *gorm.DB, on a
// query that sees deleted rows:
//
//	db.Scopes(softcascade.WithTrashed).Joins("Project", softcascade.Trashed(db.Where("name = ?", "x"))).Find(&tasks)
//
// A Delete after Trashed is an error (it would hard-delete without the
// cascade): use Erase to delete a deletion's rows for good now,
// ForceDelete for live rows, or Unscoped().Delete for a plain hard delete.
func Trashed(db *gorm.DB) *gorm.DB {
	if db == nil {
		return nil
	}
	tx := db.Unscoped()
	s := tx.Statement
	if c, ok := s.Clauses["WHERE"]; ok {
		if where, ok := c.Expression.(clause.Where); ok && hasOr(where.Exprs) {
			c.Expression = clause.Where{Exprs: []clause.Expression{clause.And(where.Exprs...)}}
			s.Clauses["WHERE"] = c
		}
	}
	tx = tx.Where(trashed{})
	c := tx.Statement.Clauses["WHERE"]
	c.Builder = buildTrashedWhere
	tx.Statement.Clauses["WHERE"] = c
	tx.Statement.Clauses[softdelete.TrashedClause] = clause.Clause{}
	return tx
}

// WithTrashed lets a query see live and soft-deleted rows (GORM's Unscoped).
func WithTrashed(db *gorm.DB) *gorm.DB {
	if db == nil {
		return nil
	}
	return db.Unscoped()
}

// hasOr reports whether exprs hold an Or of the chain (a single-expression
// OrConditions, which GORM writes as " OR " after the previous condition).
func hasOr(exprs []clause.Expression) bool {
	for _, e := range exprs {
		if or, ok := e.(clause.OrConditions); ok && len(or.Exprs) == 1 {
			return true
		}
	}
	return false
}

// buildTrashedWhere writes the WHERE of a Trashed query when the statement
// is built, so that an Or chained after Trashed is grouped too: the other
// conditions as one group, AND the soft-deleted condition.
func buildTrashedWhere(c clause.Clause, b clause.Builder) {
	where, _ := c.Expression.(clause.Where)
	var rest []clause.Expression
	found := false
	for _, e := range where.Exprs {
		if _, ok := e.(trashed); ok {
			found = true
			continue
		}
		rest = append(rest, e)
	}
	if hasOr(rest) {
		rest = []clause.Expression{clause.And(rest...)}
	}
	if found {
		rest = append(rest, trashed{grouped: true})
	}
	if len(rest) == 0 {
		return
	}
	c.Builder = nil
	c.Expression = clause.Where{Exprs: rest}
	c.Build(b)
}

// trashed renders "the row is soft-deleted" once the statement's model is
// known (scopes run before GORM parses the model). grouped: the WHERE's
// other conditions were grouped around it.
type trashed struct{ grouped bool }

// Build writes the condition for the statement's schema (or, in a Joins
// condition, for the joined relation's).
func (t trashed) Build(b clause.Builder) {
	stmt, ok := b.(*gorm.Statement)
	if !ok {
		return
	}
	sch, join := stmt.Schema, false
	if sch == nil {
		sch, join = joinedSchema(stmt)
	}
	m, ok := softdelete.Of(sch)
	if !ok {
		name := stmt.Table
		if sch != nil {
			name = sch.Name
		}
		_ = stmt.AddError(fmt.Errorf("%w: Trashed on %s", errs.ErrNotSoftDeletable, name))
		b.WriteString("1 = 0")
		return
	}
	if err := t.misplaced(stmt, join); err != nil {
		_ = stmt.AddError(err)
		b.WriteString("1 = 0")
		return
	}
	m.IsDeleted(clause.CurrentTable).Build(b)
}

// misplaced is the error of a Trashed condition that cannot mean what it
// says: an Or after it that was not grouped (in a Joins condition, where
// GORM builds the condition alone), or a Joins condition on a query that
// filters the joined table's deleted rows out.
func (t trashed) misplaced(stmt *gorm.Statement, join bool) error {
	if !t.grouped {
		if where, ok := stmt.Clauses["WHERE"].Expression.(clause.Where); ok && hasOr(where.Exprs) {
			return fmt.Errorf("%w: Or after Trashed in a Joins condition on %s: call Trashed last, softcascade.Trashed(db.Where(...).Or(...))", errs.ErrInvalidValue, stmt.Table)
		}
	}
	if join && stmt.DB != nil && !stmt.DB.Statement.Unscoped {
		return fmt.Errorf("%w: Trashed in a Joins condition on %s of a query that hides deleted rows: add Scopes(softcascade.WithTrashed) to the query", errs.ErrInvalidValue, stmt.Table)
	}
	return nil
}

// joinedSchema finds the schema of a Joins condition's statement, which
// GORM builds with the join's alias ("Project", "Manager__Company") as
// table and no schema, from the relations of the query's model.
func joinedSchema(stmt *gorm.Statement) (*schema.Schema, bool) {
	if stmt.DB == nil || stmt.DB.Statement == nil || stmt.DB.Statement.Schema == nil || stmt.Table == "" {
		return nil, false
	}
	s := stmt.DB.Statement.Schema
	for _, name := range strings.Split(stmt.Table, "__") {
		rel, ok := s.Relationships.Relations[name]
		if !ok {
			return nil, false
		}
		s = rel.FieldSchema
	}
	return s, true
}
