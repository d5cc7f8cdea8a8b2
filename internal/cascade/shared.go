package cascade

import (
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm/schema"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/errs"
)

// UniqueKey reports whether the columns cols of s's table identify at most
// one row: they hold every column of the primary key, or a column declared
// unique (gorm:"unique"), or every column of one unique index
// (gorm:"uniqueIndex", gorm:"index:,unique") without a WHERE. Only such a
// parent-side key makes a has-one/has-many a parent-child relation; any
// other is a shared reference (many parents hold the same key value, and
// the "child" belongs to none of them).
func UniqueKey(s *schema.Schema, cols []string) bool {
	if s == nil || len(cols) == 0 {
		return false
	}
	holds := func(set []string) bool {
		if len(set) == 0 {
			return false
		}
		for _, c := range set {
			if !slices.Contains(cols, c) {
				return false
			}
		}
		return true
	}
	if holds(s.PrimaryFieldDBNames) {
		return true
	}
	for _, c := range cols {
		if f := s.LookUpField(c); f != nil && f.Unique {
			return true
		}
	}
	for _, idx := range s.ParseIndexes() {
		if !strings.EqualFold(idx.Class, "UNIQUE") || idx.Where != "" {
			continue
		}
		var set []string
		for _, o := range idx.Fields {
			if o.Field == nil || o.Field.DBName == "" {
				set = nil // an expression index: not a key of columns
				break
			}
			set = append(set, o.Field.DBName)
		}
		if holds(set) {
			return true
		}
	}
	return false
}

// edgeOf is rel as an edge from parent to child: the foreign key is in the
// child, whichever side declares the relation.
func edgeOf(rel *schema.Relationship, parent, child *schema.Schema) plan.Edge {
	e := plan.Edge{Parent: parent.Table, Child: child.Table, Name: rel.Schema.Name + "." + rel.Name}
	for _, ref := range rel.References {
		switch {
		case ref.PrimaryValue != "":
			e.TypeColumn, e.TypeValue = ref.ForeignKey.DBName, ref.PrimaryValue
		default:
			e.ParentKeys = append(e.ParentKeys, ref.PrimaryKey.DBName)
			e.ChildKeys = append(e.ChildKeys, ref.ForeignKey.DBName)
		}
	}
	return e
}

// sharedError is the error of a relation whose declaration asks it to
// cascade or restrict (what) although its parent-side key is not unique.
func sharedError(rel *schema.Relationship, e plan.Edge, what string) error {
	return fmt.Errorf("%w: %s: %s on a shared reference: the key %s.%s is neither the primary key nor unique, so many %s rows may hold the same %s row, which belongs to none of them; a shared reference never cascades or restricts (declare the key unique, or remove the declaration)",
		errs.ErrInvalidValue, e.Name, what, e.Parent, strings.Join(e.ParentKeys, ", "), e.Parent, e.Child)
}

// addReference records that rows of table from reference rows of table to
// through rel (e, seen from the declared parent): purge keeps a row that a
// live row still references. A parent-child relation is referenced by the
// child; a shared reference (parent-side key not unique, like a has-one
// Member.Role on members.role_id) the other way round: the members hold
// the role.
func (g *Graph) addReference(e plan.Edge, parentUnique bool) {
	if !parentUnique {
		e = plan.Edge{Parent: e.Child, Child: e.Parent, ParentKeys: e.ChildKeys, ChildKeys: e.ParentKeys, Name: e.Name}
	}
	if len(e.ChildKeys) == 0 {
		return
	}
	if slices.ContainsFunc(g.refs[e.Parent], sameReference(e)) {
		return
	}
	g.refs[e.Parent] = append(g.refs[e.Parent], e)
	g.version++
}

// WithReferences returns p with the references into its tables that the
// graph knows now and p lacks, their referencing tables in Others; p
// itself when there are none. A plan stored before plans carried
// references, or before a referencing model was known, is so checked at
// purge against every relation the application declares today.
func (g *Graph) WithReferences(p *plan.Plan) *plan.Plan {
	if p == nil {
		return nil
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	var add []plan.Edge
	for _, t := range p.Tables {
		for _, e := range g.refs[t.Name] {
			if !slices.ContainsFunc(p.References, sameReference(e)) && !slices.ContainsFunc(add, sameReference(e)) {
				add = append(add, e)
			}
		}
	}
	if len(add) == 0 {
		return p
	}
	q := *p
	q.References = append(slices.Clip(p.References), add...)
	q.Others = slices.Clip(p.Others)
	for _, e := range add {
		if _, ok := q.Table(e.Child); !ok && g.schemas[e.Child] != nil {
			t, _ := tableOf(g.schemas[e.Child]) // only its name and soft-delete column matter
			q.Others = append(q.Others, t)
		}
	}
	return &q
}

// sameReference matches the references that join the same columns as e.
func sameReference(e plan.Edge) func(plan.Edge) bool {
	return func(r plan.Edge) bool {
		return r.Parent == e.Parent && r.Child == e.Child && slices.Equal(r.ChildKeys, e.ChildKeys) &&
			slices.Equal(r.ParentKeys, e.ParentKeys) && r.TypeValue == e.TypeValue
	}
}
