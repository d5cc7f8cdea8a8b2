package purge

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/softcascade/softcascade/cascade/plan"
)

// Foreign keys the database has but no model declares. A key whose ON
// DELETE action is CASCADE, SET NULL or SET DEFAULT would make the
// database change (delete, or set to NULL) the rows that reference a row
// purge deletes: live rows, which purge never touches. Such keys count as
// references (see notReferenced): the row stays while a live row (any row
// of a table the plan does not know) references it. Keys that refuse the
// deletion (RESTRICT, NO ACTION) need no guard: the database refuses, and
// purge holds the row.

// pgForeignKeys lists the foreign keys into a table of the current schema
// from tables of the same schema, column by column in key order.
const pgForeignKeys = `SELECT con.oid::text, c.relname, a.attname, pa.attname, con.confdeltype::text
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace cn ON cn.oid = c.relnamespace
JOIN pg_class p ON p.oid = con.confrelid
JOIN pg_namespace pn ON pn.oid = p.relnamespace
CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(ck, pk, ord)
JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.ck
JOIN pg_attribute pa ON pa.attrelid = con.confrelid AND pa.attnum = k.pk
WHERE con.contype = 'f' AND p.relname = ? AND pn.nspname = current_schema() AND cn.nspname = current_schema()
ORDER BY con.oid, k.ord`

// mysqlForeignKeys is pgForeignKeys for MySQL/MariaDB's current database.
const mysqlForeignKeys = `SELECT k.CONSTRAINT_NAME, k.TABLE_NAME, k.COLUMN_NAME, k.REFERENCED_COLUMN_NAME, r.DELETE_RULE
FROM information_schema.KEY_COLUMN_USAGE k
JOIN information_schema.REFERENTIAL_CONSTRAINTS r
  ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME = ?
ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`

// sqliteForeignKeys is pgForeignKeys for SQLite; "to" is NULL for a key
// on the parent's primary key.
const sqliteForeignKeys = `SELECT CAST(f.id AS TEXT), m.name, f."from", f."to", f.on_delete
FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
WHERE m.type = 'table' AND f."table" = ? COLLATE NOCASE
ORDER BY m.name, f.id, f.seq`

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
// action changes the referencing rows, as edges from t; listed once per
// run and table.
func (r *runner) foreignKeys(t plan.Table) ([]plan.Edge, error) {
	if es, ok := r.fks[t.Name]; ok {
		return es, nil
	}
	var query string
	switch r.conn.Dialector.Name() {
	case "postgres":
		query = pgForeignKeys
	case "mysql":
		query = mysqlForeignKeys
	case "sqlite":
		query = sqliteForeignKeys
	default:
		return nil, nil
	}
	rows, err := r.q().Raw(query, t.Name).Rows()
	if err != nil {
		return nil, fmt.Errorf("softcascade: purge %s: read the database's foreign keys: %w", t.Name, err)
	}
	defer rows.Close()
	var out []plan.Edge
	var last string
	skip := false
	for rows.Next() {
		var id, child, from, action string
		var to sql.NullString
		if err := rows.Scan(&id, &child, &from, &to, &action); err != nil {
			return nil, fmt.Errorf("softcascade: purge %s: read the database's foreign keys: %w", t.Name, err)
		}
		key := child + "\x00" + id
		if key != last {
			last = key
			skip = !changesChildren(action)
			if !skip {
				out = append(out, plan.Edge{Parent: t.Name, Child: child, Name: "foreign key " + id + " of " + child})
			}
		}
		if skip {
			continue
		}
		e := &out[len(out)-1]
		e.ChildKeys = append(e.ChildKeys, from)
		e.ParentKeys = append(e.ParentKeys, to.String)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("softcascade: purge %s: read the database's foreign keys: %w", t.Name, err)
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
