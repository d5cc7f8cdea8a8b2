// Package cascade derives the cascade graph from GORM's parsed schemas and
// runs a cascading soft delete over it with set-based SQL: one statement
// per edge per level, never one per row.
package cascade

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/softdelete"
	"github.com/softcascade/softcascade/internal/unique"
)

// TagName is the struct tag that declares a relation's policy:
// softcascade:"cascade", softcascade:"restrict" or softcascade:"-" (also
// accepted as a setting of the gorm tag: gorm:"softcascade:cascade").
// On a column field the same tag declares a unique-while-live index
// instead (softcascade:"unique", read by package unique).
const TagName = unique.TagName

type policy int

const (
	none policy = iota
	cascades
	restricts
)

// link is an edge out of a parent table.
type link struct {
	edge   plan.Edge
	policy policy
}

// Graph knows the models seen so far and the relations between them. It is
// safe for concurrent use; plans are cached per schema until a newly learnt
// model adds edges.
type Graph struct {
	cascadeAll bool

	mu      sync.RWMutex
	known   map[*schema.Schema]bool
	schemas map[string]*schema.Schema // by table
	out     map[string][]link         // parent table -> edges
	in      map[string][]plan.Edge    // child table -> cascading edges
	joins   map[string][]plan.Join    // table -> join tables holding its keys
	refs    map[string][]plan.Edge    // table -> every relation referencing it
	errs    map[string]error          // table -> bad declaration
	version uint64
	plans   map[*schema.Schema]cachedPlan
	columns map[columnKey]column // live soft-delete time columns, read once
}

type cachedPlan struct {
	version uint64
	plan    *plan.Plan
	err     error
	// live: every table's soft-delete column was judged from the
	// database (not so without a database to ask, or before a table
	// exists); a plan that is not live is built again next time.
	live bool
}

type columnKey struct{ table, column string }

// NewGraph returns an empty graph. With cascadeAll every has-one/has-many
// relation cascades unless tagged softcascade:"-".
func NewGraph(cascadeAll bool) *Graph {
	return &Graph{
		cascadeAll: cascadeAll,
		known:      map[*schema.Schema]bool{},
		schemas:    map[string]*schema.Schema{},
		out:        map[string][]link{},
		in:         map[string][]plan.Edge{},
		joins:      map[string][]plan.Join{},
		refs:       map[string][]plan.Edge{},
		errs:       map[string]error{},
		plans:      map[*schema.Schema]cachedPlan{},
		columns:    map[columnKey]column{},
	}
}

// Learn adds a schema, and every schema its relations reach, to the graph.
func (g *Graph) Learn(s *schema.Schema) {
	if s == nil {
		return
	}
	g.mu.RLock()
	seen := g.known[s]
	g.mu.RUnlock()
	if seen {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.learn(s)
}

func (g *Graph) learn(s *schema.Schema) {
	if g.known[s] {
		return
	}
	g.known[s] = true
	if _, dup := g.schemas[s.Table]; !dup {
		g.schemas[s.Table] = s
	}
	for _, rels := range [][]*schema.Relationship{s.Relationships.HasOne, s.Relationships.HasMany} {
		for _, rel := range rels {
			g.addLink(rel, rel.Schema, rel.FieldSchema)
			g.learn(rel.FieldSchema)
		}
	}
	for _, rel := range s.Relationships.BelongsTo {
		// A child's belongs-to declared OnDelete:CASCADE/RESTRICT is the
		// same edge seen from the child (GORM returns no constraint when
		// the parent declares the relation itself).
		if c := constraintOf(rel); c != nil && c.OnDelete != "" {
			g.addLink(rel, rel.FieldSchema, rel.Schema)
		} else {
			g.addReference(edgeOf(rel, rel.FieldSchema, rel.Schema), true)
		}
		g.learn(rel.FieldSchema)
	}
	for _, rel := range s.Relationships.Many2Many {
		g.addJoins(rel)
		g.learn(rel.FieldSchema)
	}
}

func constraintOf(rel *schema.Relationship) *schema.Constraint {
	rel.FieldSchema.Relationships.Mux.RLock()
	defer rel.FieldSchema.Relationships.Mux.RUnlock()
	return rel.ParseConstraint()
}

func (g *Graph) addLink(rel *schema.Relationship, parent, child *schema.Schema) {
	e := edgeOf(rel, parent, child)
	owns := UniqueKey(parent, e.ParentKeys)
	g.addReference(e, owns || rel.Type == schema.BelongsTo) // a belongs-to's owner holds the key
	p, err := g.policyOf(rel, e, owns)
	if err != nil {
		g.errs[parent.Table] = err
		g.version++
		return
	}
	if p == none {
		return
	}
	for _, l := range g.out[e.Parent] {
		if l.edge.Child == e.Child && slices.Equal(l.edge.ChildKeys, e.ChildKeys) && l.edge.TypeValue == e.TypeValue {
			return // the same relation declared on both sides
		}
	}
	g.out[e.Parent] = append(g.out[e.Parent], link{edge: e, policy: p})
	if p == cascades {
		g.in[e.Child] = append(g.in[e.Child], e)
	}
	g.version++
}

// policyOf is rel's policy, seen as e; owns says e's parent-side key is
// unique. A relation on another key is a shared reference: it never
// cascades, and declaring that it does is an error.
func (g *Graph) policyOf(rel *schema.Relationship, e plan.Edge, owns bool) (policy, error) {
	if tag, ok := unique.Tag(rel.Field); ok {
		switch t := strings.ToLower(strings.TrimSpace(tag)); t {
		case "cascade", "restrict":
			if !owns {
				return none, sharedError(rel, e, fmt.Sprintf("softcascade:%q", t))
			}
			if t == "cascade" {
				return cascades, nil
			}
			return restricts, nil
		case "-":
			return none, nil
		default:
			return none, fmt.Errorf("%w: %s.%s: unknown tag softcascade:%q (want cascade, restrict or -)", errs.ErrInvalidValue, rel.Schema.Name, rel.Name, tag)
		}
	}
	if c := constraintOf(rel); c != nil {
		switch od := strings.ToUpper(strings.TrimSpace(c.OnDelete)); od {
		case "CASCADE", "RESTRICT":
			if !owns {
				return none, sharedError(rel, e, "constraint:OnDelete:"+od)
			}
			if od == "CASCADE" {
				return cascades, nil
			}
			return restricts, nil
		}
	}
	if !owns {
		return none, nil // a shared reference, not a parent-child relation
	}
	if g.cascadeAll && rel.Type != schema.BelongsTo {
		return cascades, nil
	}
	return none, nil
}

func (g *Graph) addJoins(rel *schema.Relationship) {
	owner := plan.Join{Table: rel.JoinTable.Table, Owner: rel.Schema.Table}
	peer := plan.Join{Table: rel.JoinTable.Table, Owner: rel.FieldSchema.Table}
	for _, ref := range rel.References {
		switch {
		case ref.PrimaryValue != "":
			owner.TypeColumn, owner.TypeValue = ref.ForeignKey.DBName, ref.PrimaryValue
		case ref.OwnPrimaryKey:
			owner.OwnerKeys = append(owner.OwnerKeys, ref.PrimaryKey.DBName)
			owner.JoinKeys = append(owner.JoinKeys, ref.ForeignKey.DBName)
		default:
			peer.OwnerKeys = append(peer.OwnerKeys, ref.PrimaryKey.DBName)
			peer.JoinKeys = append(peer.JoinKeys, ref.ForeignKey.DBName)
		}
	}
	for _, j := range []plan.Join{owner, peer} {
		if len(j.JoinKeys) > 0 && !hasJoin(g.joins[j.Owner], j) {
			g.joins[j.Owner] = append(g.joins[j.Owner], j)
			g.version++
		}
	}
}

func hasJoin(js []plan.Join, j plan.Join) bool {
	for _, x := range js {
		if x.Table == j.Table && slices.Equal(x.JoinKeys, j.JoinKeys) {
			return true
		}
	}
	return false
}

// Plan returns what deleting rows of s may reach. It is computed once per
// schema and recomputed only when newly learnt models added edges.
//
// db is where the tables live: the type of each timestamp or unix-milli
// soft-delete column is read from it once per table (see live), so that
// a column that cannot hold a deletion's stamp is recorded in the ledger.
// With a nil or dry-run db the plan follows the schemas alone and is not
// kept.
func (g *Graph) Plan(db *gorm.DB, s *schema.Schema) (*plan.Plan, error) {
	g.Learn(s)
	g.mu.RLock()
	c, ok := g.plans[s]
	v := g.version
	g.mu.RUnlock()
	if ok && c.version == v && c.live {
		return c.plan, c.err
	}
	g.mu.Lock()
	p, err := g.build(s)
	v = g.version
	g.mu.Unlock()
	live := true // a bad declaration stays bad
	if err == nil {
		// The database is asked outside the lock: a query waits for a
		// connection, which another goroutine holding one may be waiting
		// for this lock to give back.
		live, err = g.live(db, p)
	}
	if err != nil {
		p = nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.plans[s] = cachedPlan{version: v, plan: p, err: err, live: live}
	return p, err
}

func (g *Graph) build(root *schema.Schema) (*plan.Plan, error) {
	p := &plan.Plan{Root: root.Table}
	seen := map[string]bool{root.Table: true}
	queue := []*schema.Schema{root}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if err := g.errs[s.Table]; err != nil {
			return nil, err
		}
		t, err := tableOf(s)
		if err != nil {
			return nil, err
		}
		p.Tables = append(p.Tables, t)
		p.Incoming = append(p.Incoming, g.in[s.Table]...)
		p.Joins = append(p.Joins, g.joins[s.Table]...)
		p.References = append(p.References, g.refs[s.Table]...)
		for _, l := range g.out[s.Table] {
			if l.policy == restricts {
				p.Restricts = append(p.Restricts, l.edge)
				continue
			}
			p.Edges = append(p.Edges, l.edge)
			if !seen[l.edge.Child] {
				seen[l.edge.Child] = true
				queue = append(queue, g.schemas[l.edge.Child])
			}
		}
	}
	var others []string
	for _, e := range p.Restricts {
		others = append(others, e.Child)
	}
	for _, e := range p.Incoming {
		others = append(others, e.Parent)
	}
	for _, name := range others {
		if _, ok := p.Table(name); !ok {
			t, err := tableOf(g.schemas[name])
			if err != nil {
				return nil, err
			}
			p.Others = append(p.Others, t)
		}
	}
	for _, e := range p.References {
		if _, ok := p.Table(e.Child); !ok && g.schemas[e.Child] != nil {
			// Only its name and soft-delete column matter here: a key the
			// ledger cannot hold is its own model's error, not this plan's.
			t, _ := tableOf(g.schemas[e.Child])
			p.Others = append(p.Others, t)
		}
	}
	return p, nil
}

func tableOf(s *schema.Schema) (plan.Table, error) {
	t := plan.Table{Name: s.Table, PrimaryKeys: s.PrimaryFieldDBNames}
	if m, ok := softdelete.Of(s); ok {
		t.Marker = &m
	}
	if len(s.PrimaryFields) == 1 {
		switch s.PrimaryFields[0].DataType {
		case schema.Int, schema.Uint:
			t.IntKey = true
		}
	}
	u, err := unique.Of(s)
	if err != nil {
		return t, err
	}
	t.Unique = u
	return t, ledgerKey(t, column{})
}

// Parent is a cascading edge into a table, with the parent's table.
type Parent struct {
	Edge  plan.Edge
	Table plan.Table
}

// Parents returns the cascading edges into s's table from soft-deletable
// parents known so far.
func (g *Graph) Parents(s *schema.Schema) []Parent {
	g.Learn(s)
	g.mu.RLock()
	defer g.mu.RUnlock()
	var out []Parent
	for _, e := range g.in[s.Table] {
		ps, ok := g.schemas[e.Parent]
		if !ok {
			continue
		}
		t, _ := tableOf(ps) // a key the ledger cannot hold does not matter here
		if t.Marker != nil {
			out = append(out, Parent{Edge: e, Table: t})
		}
	}
	return out
}
