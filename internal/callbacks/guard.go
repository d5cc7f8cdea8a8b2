package callbacks

import (
	"context"
	"fmt"
	"reflect"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/errs"
)

// guarded returns the soft-deletable cascading parents of the rows a
// Create inserts, when the plugin guards children and the Create is one
// it checks (not Unscoped, under the model's own table).
func (c *Config) guarded(db *gorm.DB) []cascade.Parent {
	s := db.Statement
	if !c.GuardChildren || db.Error != nil || s.Schema == nil || s.Unscoped || s.Table != s.Schema.Table {
		return nil
	}
	return c.Graph.Parents(s.Schema)
}

// guardBegin finds the parents a Create must check, for guard, and starts
// a transaction for a guarded Create that has none
// (SkipDefaultTransaction), so that the parents stay locked until the
// rows are in.
func (c *Config) guardBegin(db *gorm.DB) {
	parents := c.guarded(db)
	if len(parents) == 0 || db.DryRun {
		return
	}
	st := newState(db)
	st.parents = parents
	ownTransaction(db, st)
}

// guard refuses, with ErrParentDeleted, a Create of rows whose cascading
// parent is soft-deleted. It locks the parents (shared) in the creating
// transaction and judges them after the lock: a delete of a parent under
// way is waited for and seen; one that starts later waits for the Create
// and takes the new rows.
func (c *Config) guard(db *gorm.DB) {
	st := stateOf(db)
	if st == nil || db.Error != nil {
		return
	}
	for _, par := range st.parents {
		keys := parentKeys(db.Statement, par.Edge)
		if len(keys) == 0 {
			continue
		}
		col, vals := schema.ToQueryValues(cascade.ParentAlias, par.Edge.ParentKeys, keys)
		where := []clause.Expression{clause.IN{Column: col, Values: vals}}
		gone, err := cascade.ParentsDeleted(session(db), par.Table, where, cascade.Locks(db))
		if err != nil {
			_ = db.AddError(err)
			return
		}
		if gone {
			_ = db.AddError(fmt.Errorf("%w: cannot create %s under a soft-deleted %s row (%s)", errs.ErrParentDeleted, db.Statement.Table, par.Edge.Parent, par.Edge.Name))
			return
		}
	}
}

// parentKeys returns the distinct non-zero parent keys, through e, of the
// rows the Create inserts (structs, pointers to structs, or maps).
func parentKeys(s *gorm.Statement, e plan.Edge) [][]any {
	fields := make([]*schema.Field, len(e.ChildKeys))
	for i, name := range e.ChildKeys {
		if fields[i] = s.Schema.LookUpField(name); fields[i] == nil {
			return nil
		}
	}
	var typeField *schema.Field
	if e.TypeColumn != "" {
		if typeField = s.Schema.LookUpField(e.TypeColumn); typeField == nil {
			return nil
		}
	}
	seen := map[string]bool{}
	var out [][]any
	eachRow(s.ReflectValue, func(get func(*schema.Field) (any, bool)) {
		if typeField != nil {
			if v, _ := get(typeField); fmt.Sprint(v) != e.TypeValue {
				return
			}
		}
		key := make([]any, len(fields))
		for i, f := range fields {
			v, zero := get(f)
			if zero {
				return
			}
			key[i] = v
		}
		if k := cascade.KeyString(key); !seen[k] {
			seen[k] = true
			out = append(out, key)
		}
	})
	return out
}

// eachRow calls fn with a field reader for every row of v.
func eachRow(v reflect.Value, fn func(get func(*schema.Field) (any, bool))) {
	v = reflect.Indirect(v)
	switch v.Kind() {
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			eachRow(v.Index(i), fn)
		}
	case reflect.Struct:
		fn(func(f *schema.Field) (any, bool) { return f.ValueOf(context.Background(), v) })
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return
		}
		fn(func(f *schema.Field) (any, bool) {
			for _, name := range []string{f.Name, f.DBName} {
				if x := v.MapIndex(reflect.ValueOf(name)); x.IsValid() {
					x = reflect.Indirect(reflect.ValueOf(x.Interface()))
					if !x.IsValid() || x.IsZero() {
						return nil, true
					}
					return x.Interface(), false
				}
			}
			return nil, true
		})
	case reflect.Interface:
		eachRow(v.Elem(), fn)
	}
}
