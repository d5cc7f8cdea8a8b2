package purge

import (
	"database/sql"
	"slices"
	"strings"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/errs"
)

// Foreign keys the database has but no model declares. A key whose ON
// DELETE action is CASCADE, SET NULL or SET DEFAULT would make the
// database change (delete, or set to NULL) the rows that reference a row
// purge deletes: live rows, which purge never touches. Such keys count as
// references (see notReferenced): the row stays while a live row (any row
// of a table the plan does not know) references it. Keys that refuse the
// deletion (RESTRICT, NO ACTION) need no guard: the database refuses, and
// purge holds the row.

// changesChildren reports whether an ON DELETE action changes the rows
// that reference a deleted row.
func changesChildren(action string) bool {
	switch strings.ToUpper(strings.TrimSpace(action)) {
	case "CASCADE", "SET NULL", "SET DEFAULT", "C", "N", "D": // PostgreSQL's confdeltype: c, n, d
		return true
	}
	return false
}

// foreignKeys returns the database's foreign keys into t whose ON DELETE
// action changes the referencing rows, as edges from t. The catalog is
// read once per run, for every table (see catalogKeys).
func (r *runner) foreignKeys(t plan.Table) ([]plan.Edge, error) {
	if es, ok := r.fks[t.Name]; ok {
		return es, nil
	}
	if r.catalog == nil {
		keys, err := r.catalogKeys()
		if err != nil {
			return nil, errs.Wrap(err, "purge %s: read the database's foreign keys", t.Name)
		}
		r.catalog = keys
	}
	var out []plan.Edge
	last := ""
	for _, k := range r.catalog {
		if !r.dialect.SameTableName(k.parent, t.Name) || !changesChildren(k.action) {
			continue
		}
		if key := k.child + "\x00" + k.id; key != last {
			last = key
			out = append(out, plan.Edge{Parent: t.Name, Child: k.child, Name: "foreign key " + k.id + " of " + k.child})
		}
		e := &out[len(out)-1]
		e.ChildKeys = append(e.ChildKeys, k.from)
		e.ParentKeys = append(e.ParentKeys, k.to.String)
	}
	// SQLite leaves "to" NULL for a key on the parent's primary key.
	kept := out[:0]
	for _, e := range out {
		if slices.Contains(e.ParentKeys, "") {
			if len(e.ParentKeys) != len(t.PrimaryKeys) {
				continue
			}
			e.ParentKeys = slices.Clone(t.PrimaryKeys)
		}
		kept = append(kept, e)
	}
	if r.fks == nil {
		r.fks = map[string][]plan.Edge{}
	}
	r.fks[t.Name] = kept
	return kept, nil
}

// catalogKey is one column of a foreign key, as the catalog lists it.
type catalogKey struct {
	parent, id, child, from, action string
	to                              sql.NullString // NULL: the parent's primary key
}

// catalogKeys lists every foreign key between tables of the current
// schema, column by column in key order (dialect.Purge.ForeignKeys).
func (r *runner) catalogKeys() ([]catalogKey, error) {
	rows, err := r.q().Raw(r.dialect.ForeignKeys()).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	keys := []catalogKey{}
	for rows.Next() {
		var k catalogKey
		if err := rows.Scan(&k.parent, &k.id, &k.child, &k.from, &k.to, &k.action); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// undeclared returns the foreign keys into t (foreignKeys) that no edge
// of es covers (the same child table and columns).
func undeclared(fks, es []plan.Edge) []plan.Edge {
	var out []plan.Edge
	for _, f := range fks {
		if !slices.ContainsFunc(es, func(e plan.Edge) bool {
			return e.Child == f.Child && slices.Equal(e.ChildKeys, f.ChildKeys) && e.TypeColumn == ""
		}) {
			out = append(out, f)
		}
	}
	return out
}
