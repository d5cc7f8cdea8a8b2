package callbacks

import (
	"fmt"
	"reflect"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/rootlabel"
)

// byValue reports whether the Delete names its roots only by the primary
// keys of the value passed to it (Delete(&project), Delete(&projects)):
// no other condition, no Model with keys of its own. Called before
// scopeRoots adds those keys.
func byValue(s *gorm.Statement) bool {
	if _, ok := s.Clauses["WHERE"]; ok {
		return false
	}
	return s.Model == nil || samePointer(s.Dest, s.Model) || !s.ReflectValue.CanAddr()
}

// samePointer reports whether a and b are the same pointer. Values that
// are not pointers (a struct with slices, passed by value) cannot be
// compared with ==: they are never the same.
func samePointer(a, b any) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	return va.Kind() == reflect.Pointer && vb.Kind() == reflect.Pointer &&
		va.Type() == vb.Type() && va.Pointer() == vb.Pointer()
}

// describeRoots fills d's RootKeys, Labels (from src) and LabelSearch with
// the first roots the Delete took. From the value passed to Delete when it names
// every root (byValue, as many rows matched as it holds distinct keys,
// at most rootlabel.MaxRoots) and its label field is set in each (or the
// model has no label source): no statement. Otherwise one SELECT of at
// most MaxRoots roots, in key order, found by the deletion's mark: the
// key and label columns, or every column when the label comes from a
// TrashLabel method (a method's result cannot tell a loaded row from one
// that holds only its key, so its rows are always read back).
func describeRoots(db *gorm.DB, st *state, d *deletionlog.Deletion, src rootlabel.Source, root plan.Table, mark cascade.Mark) error {
	s := db.Statement
	rows, ok := inHand(s, st, src, d.Roots)
	if !ok {
		var err error
		if rows, err = readRoots(db, src, root, mark); err != nil {
			return fmt.Errorf("softcascade: read the roots of %s for the log: %w", root.Name, err)
		}
	}
	d.RootKeys, d.Labels = make([]string, 0, len(rows)), make([]string, 0, len(rows))
	for _, rv := range rows {
		d.RootKeys = append(d.RootKeys, rootlabel.Key(keyValues(s, rv)))
		d.Labels = append(d.Labels, src.Label(rv))
	}
	d.LabelSearch = rootlabel.Search(d.Labels)
	return nil
}

// inHand returns the roots of a Delete by value, when the value passed to
// it holds them all with their labels.
func inHand(s *gorm.Statement, st *state, src rootlabel.Source, matched int64) ([]reflect.Value, bool) {
	if !st.byValue || matched > rootlabel.MaxRoots || src.Method {
		return nil, false
	}
	var rows []reflect.Value
	seen := map[string]bool{}
	add := func(rv reflect.Value) bool {
		for rv.Kind() == reflect.Pointer {
			if rv.IsNil() {
				return true
			}
			rv = rv.Elem()
		}
		if rv.Kind() != reflect.Struct || rv.Type() != s.Schema.ModelType {
			return false
		}
		key := keyValues(s, rv)
		if key == nil {
			return true // a zero key names no row
		}
		if k := cascade.KeyString(key); !seen[k] {
			seen[k] = true
			rows = append(rows, rv)
		}
		return src.None() || src.Label(rv) != ""
	}
	rv := reflect.Indirect(s.ReflectValue)
	switch rv.Kind() {
	case reflect.Struct:
		if !add(rv) {
			return nil, false
		}
	case reflect.Slice, reflect.Array:
		for i := range rv.Len() {
			if !add(rv.Index(i)) {
				return nil, false
			}
		}
	default:
		return nil, false
	}
	return rows, int64(len(rows)) == matched
}

// keyValues is the primary key of the row rv, nil when a part is zero.
func keyValues(s *gorm.Statement, rv reflect.Value) []any {
	out := make([]any, 0, len(s.Schema.PrimaryFields))
	for _, f := range s.Schema.PrimaryFields {
		v, zero := f.ValueOf(s.Context, rv)
		if zero {
			return nil
		}
		out = append(out, v)
	}
	return out
}

// readRoots reads the first rootlabel.MaxRoots roots of the deletion
// marked mark into values of the model, in key order: their key and label
// columns, or all columns for a TrashLabel method. It runs no hooks.
func readRoots(db *gorm.DB, src rootlabel.Source, root plan.Table, mark cascade.Mark) ([]reflect.Value, error) {
	s := db.Statement
	dest := reflect.New(reflect.SliceOf(s.Schema.ModelType))
	q := cascade.On(session(db).Unscoped(), root.Name).
		Where(cascade.Member(root, root.Name, mark)).
		Limit(rootlabel.MaxRoots)
	order := make([]clause.OrderByColumn, 0, len(s.Schema.PrimaryFields))
	cols := make([]string, 0, len(s.Schema.PrimaryFields)+1)
	for _, f := range s.Schema.PrimaryFields {
		order = append(order, clause.OrderByColumn{Column: clause.Column{Table: root.Name, Name: f.DBName}})
		cols = append(cols, f.DBName)
	}
	q = q.Order(clause.OrderBy{Columns: order})
	if !src.Method {
		if src.Field != nil {
			cols = append(cols, src.Field.DBName)
		}
		list := make([]clause.Column, len(cols))
		for i, c := range cols {
			list[i] = clause.Column{Table: root.Name, Name: c}
		}
		q = q.Clauses(clause.Select{Columns: list})
	}
	if err := q.Find(dest.Interface()).Error; err != nil {
		return nil, err
	}
	rows := make([]reflect.Value, dest.Elem().Len())
	for i := range rows {
		rows[i] = dest.Elem().Index(i)
	}
	return rows, nil
}
