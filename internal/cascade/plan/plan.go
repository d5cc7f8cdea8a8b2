// Package plan is the serialisable description of what deleting one model
// may reach: its tables (keys and soft-delete markers), the cascading and
// restricting edges between them, the edges from other parents into them,
// and the many-to-many join tables that reference them. A plan is derived
// from GORM's parsed schemas and stored with each deletion, so that restore
// and purge work without the application's Go model types.
package plan

import "github.com/softcascade/softcascade/internal/softdelete"

// Plan is the cascade reachable from one root table.
type Plan struct {
	Root   string  `json:"root"`
	Tables []Table `json:"tables"` // the root first, then in visiting order
	// Edges are the cascading edges between Tables.
	Edges []Edge `json:"edges"`
	// Restricts are restricting edges from Tables: live children block.
	Restricts []Edge `json:"restricts,omitempty"`
	// Others are the tables that Restricts, Incoming and References name
	// but Tables does not hold (restricted children, parents and
	// referencing tables from outside).
	Others []Table `json:"others,omitempty"`
	// Incoming are the cascading edges into Tables from any known parent
	// (Edges included): a row cannot be restored while such a parent of it
	// is in the trash.
	Incoming []Edge `json:"incoming,omitempty"`
	// Joins are many-to-many join tables that hold keys of Tables.
	Joins []Join `json:"joins,omitempty"`
	// References are the relations into Tables from any known model,
	// whatever their policy (belongs-to and shared references included):
	// Child.ChildKeys references Parent.ParentKeys, Parent one of Tables.
	// Purge keeps a row of Parent that a live row of Child (any row, when
	// Child is not soft-deletable) still references. Child's table is in
	// Tables or Others. Plans stored before this field have none.
	References []Edge `json:"references,omitempty"`
}

// ReferencesTo returns the references into table.
func (p *Plan) ReferencesTo(table string) []Edge {
	var out []Edge
	for _, e := range p.References {
		if e.Parent == table {
			out = append(out, e)
		}
	}
	return out
}

// Table is one table a plan may touch.
type Table struct {
	Name        string   `json:"name"`
	PrimaryKeys []string `json:"pk"`
	// IntKey: the single primary key is an integer (ledger column key_int).
	IntKey bool `json:"intKey,omitempty"`
	// Marker is nil when the table is not soft-deletable: its rows stay
	// while their parent is in the trash and go at purge.
	Marker *softdelete.Marker `json:"marker,omitempty"`
	// Unique are the table's unique-while-live indexes (softcascade:"unique"):
	// a row may not be restored while a live row holds its values.
	Unique []UniqueIndex `json:"unique,omitempty"`
}

// UniqueIndex is a unique index over live rows only: deleted rows hold
// their values without blocking live ones.
type UniqueIndex struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
}

// Edge is a has-one/has-many relation: Child.ChildKeys[i] references
// Parent.ParentKeys[i]; for a polymorphic relation Child.TypeColumn must
// equal TypeValue.
type Edge struct {
	Parent     string   `json:"parent"`
	Child      string   `json:"child"`
	ParentKeys []string `json:"parentKeys"`
	ChildKeys  []string `json:"childKeys"`
	TypeColumn string   `json:"typeColumn,omitempty"`
	TypeValue  string   `json:"typeValue,omitempty"`
	// Name is the relation's field, for messages: "Project.Tasks".
	Name string `json:"name"`
}

// Join is a many-to-many join table whose JoinKeys reference Owner's
// OwnerKeys (plus a polymorphic constant when TypeColumn is set).
type Join struct {
	Table      string   `json:"table"`
	Owner      string   `json:"owner"`
	OwnerKeys  []string `json:"ownerKeys"`
	JoinKeys   []string `json:"joinKeys"`
	TypeColumn string   `json:"typeColumn,omitempty"`
	TypeValue  string   `json:"typeValue,omitempty"`
}

// Table returns the named table of the plan.
func (p *Plan) Table(name string) (Table, bool) {
	for _, ts := range [][]Table{p.Tables, p.Others} {
		for _, t := range ts {
			if t.Name == name {
				return t, true
			}
		}
	}
	return Table{}, false
}

// From returns the cascading edges whose parent is table.
func (p *Plan) From(table string) []Edge {
	var out []Edge
	for _, e := range p.Edges {
		if e.Parent == table {
			out = append(out, e)
		}
	}
	return out
}
