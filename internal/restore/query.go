package restore

import (
	"fmt"
	"reflect"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/errs"
)

// Finder loads into dest (a pointer to a slice of the model's structs),
// on tx's connection, the primary key columns of at most limit soft-deleted
// rows of the model that the caller's conditions match. The root package
// makes it from the caller's *gorm.DB and its Trashed scope. An offset of
// zero or more pages: the rows are taken in primary key order, skipping
// offset; a negative offset takes them in no particular order.
type Finder func(tx *gorm.DB, dest any, columns []clause.Column, limit, offset int) error

// Query restores the soft-deleted rows of value's model (value: a pointer
// to an empty slice or a zero struct, naming the model) that find
// matches, and exactly what their deletions cascaded to beneath them, as
// Rows does for those rows. With a tenant, only rows held by that tenant's
// restorable deletions are restored; the others are not counted and say
// nothing. A query that matches no such row is gorm.ErrRecordNotFound; one
// that matches more than limit rows is ErrInvalidValue and changes
// nothing. It must run in a transaction.
func Query(tx *gorm.DB, graph *cascade.Graph, value any, find Finder, limit int, req Request) (Result, error) {
	tg, err := parseModel(tx, graph, value)
	if err != nil {
		return Result{}, err
	}
	name := tg.table.Name
	cols := make([]clause.Column, len(tg.schema.PrimaryFieldDBNames))
	for i, c := range tg.schema.PrimaryFieldDBNames {
		cols[i] = clause.Column{Table: clause.CurrentTable, Name: c}
	}
	tooMany := fmt.Errorf("%w: restore %s by query: the conditions match more than %d deleted rows; narrow them, or restore whole deletions with RestoreDeletion", errs.ErrInvalidValue, name, limit)
	// With a tenant, the other tenants' rows are passed over a page at a
	// time: they neither count towards the limit nor say anything.
	var keep [][]any
	for offset := 0; ; offset += limit + 1 {
		rows := reflect.New(reflect.SliceOf(tg.schema.ModelType))
		at := offset
		if !req.HasTenant {
			at = -1
		}
		if err := find(tx, rows.Interface(), cols, limit+1, at); err != nil {
			return Result{}, err // find's errors name what failed
		}
		_, tg.keys = schema.GetIdentityFieldValuesMap(tx.Statement.Context, rows.Elem(), tg.schema.PrimaryFields)
		page := len(tg.keys)
		if !req.HasTenant {
			if page > limit {
				return Result{}, tooMany
			}
			keep = tg.keys
			break
		}
		if page > 0 {
			if tg.keys, err = tg.tenants(tx, req); err != nil {
				return Result{}, err
			}
		}
		if keep = append(keep, tg.keys...); len(keep) > limit {
			return Result{}, tooMany
		}
		if page <= limit {
			break
		}
	}
	tg.keys = keep
	if len(tg.keys) == 0 {
		return Result{}, errs.Wrap(gorm.ErrRecordNotFound, "restore %s by query: no deleted row matches", name)
	}
	return tg.restore(tx, req)
}

// tenants keeps the target's keys whose rows a restorable deletion of the
// request's tenant holds.
func (tg *target) tenants(tx *gorm.DB, req Request) ([][]any, error) {
	owner, ids, err := tg.owners(tx)
	if err != nil {
		return nil, err
	}
	deletions, err := tg.deletions(tx, ids, req)
	if err != nil {
		return nil, err
	}
	var keep [][]any
	for _, k := range tg.keys {
		// ownerOf's rule: a restorable deletion of the tenant holds the row.
		if d, err := tg.ownerOf(k, owner[cascade.KeyString(k)], deletions, req); err == nil && d != nil {
			keep = append(keep, k)
		}
	}
	return keep, nil
}
