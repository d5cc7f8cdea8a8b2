package cascade

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/softcascade/softcascade/internal/errs"
)

// Models of the graph's decisions: which parent-side keys make a
// has-one/has-many a parent-child relation.

type gProject struct {
	ID        uint
	Tasks     []gTask
	DeletedAt gorm.DeletedAt
}

type gTask struct {
	ID         uint
	GProjectID uint
	DeletedAt  gorm.DeletedAt
}

// gAccount's Code is unique: items hang off it.
type gAccount struct {
	ID        uint
	Code      string  `gorm:"unique;size:20"`
	Items     []gItem `gorm:"foreignKey:AccountCode;references:Code"`
	DeletedAt gorm.DeletedAt
}

type gItem struct {
	ID          uint
	AccountCode string `gorm:"size:20"`
	DeletedAt   gorm.DeletedAt
}

// gShop's Slug carries a unique index.
type gShop struct {
	ID        uint
	Slug      string   `gorm:"uniqueIndex;size:20"`
	Shelves   []gShelf `gorm:"foreignKey:ShopSlug;references:Slug"`
	DeletedAt gorm.DeletedAt
}

type gShelf struct {
	ID        uint
	ShopSlug  string `gorm:"size:20"`
	DeletedAt gorm.DeletedAt
}

// gRegion has a composite unique index (Country, Code) and a partial
// unique index on Name.
type gRegion struct {
	ID        uint
	Country   string    `gorm:"uniqueIndex:idx_region;size:2"`
	Code      string    `gorm:"uniqueIndex:idx_region;size:8"`
	Name      string    `gorm:"uniqueIndex:idx_name,where:deleted_at IS NULL;size:20"`
	Cities    []gCity   `gorm:"foreignKey:Country,RegionCode;references:Country,Code"`
	Peers     []gRegion `gorm:"foreignKey:Country;references:Country"`
	Towns     []gTown   `gorm:"foreignKey:RegionName;references:Name"`
	DeletedAt gorm.DeletedAt
}

type gCity struct {
	ID         uint
	Country    string `gorm:"size:2"`
	RegionCode string `gorm:"size:8"`
	DeletedAt  gorm.DeletedAt
}

type gTown struct {
	ID         uint
	RegionName string `gorm:"size:20"`
	DeletedAt  gorm.DeletedAt
}

// gPair has a composite primary key.
type gPair struct {
	A         uint   `gorm:"primaryKey;autoIncrement:false"`
	B         uint   `gorm:"primaryKey;autoIncrement:false"`
	Legs      []gLeg `gorm:"foreignKey:PairA,PairB;references:A,B"`
	Halves    []gLeg `gorm:"foreignKey:PairA;references:A"`
	DeletedAt gorm.DeletedAt
}

type gLeg struct {
	ID        uint
	PairA     uint
	PairB     uint
	DeletedAt gorm.DeletedAt
}

// gMember's Role is parsed as a has-one on members.role_id, which many
// members share.
type gMember struct {
	ID        uint
	RoleID    uint
	Role      gRole `gorm:"foreignKey:RoleID;references:RoleID"`
	DeletedAt gorm.DeletedAt
}

type gRole struct {
	RoleID    uint `gorm:"primaryKey"`
	DeletedAt gorm.DeletedAt
}

// gTagged asks a shared reference to cascade.
type gTagged struct {
	ID        uint
	RoleID    uint
	Role      gRole `gorm:"foreignKey:RoleID;references:RoleID" softcascade:"cascade"`
	DeletedAt gorm.DeletedAt
}

// gRestricted asks a shared reference to restrict.
type gRestricted struct {
	ID        uint
	RoleID    uint
	Role      gRole `gorm:"foreignKey:RoleID;references:RoleID" softcascade:"restrict"`
	DeletedAt gorm.DeletedAt
}

// gConstrained declares OnDelete:CASCADE on a shared reference.
type gConstrained struct {
	ID        uint
	RoleID    uint
	Role      gRole `gorm:"foreignKey:RoleID;references:RoleID;constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt
}

// gGroup is referenced by gBadge through a non-unique column, from a
// belongs-to that declares OnDelete:CASCADE on the child side.
type gGroup struct {
	ID        uint
	Kind      string `gorm:"size:10"`
	DeletedAt gorm.DeletedAt
}

type gBadge struct {
	ID        uint
	GroupKind string `gorm:"size:10"`
	Group     gGroup `gorm:"foreignKey:GroupKind;references:Kind;constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt
}

// gOrder belongs to a gUser: no cascade, a reference.
type gOrder struct {
	ID        uint
	GUserID   uint
	GUser     gUser
	DeletedAt gorm.DeletedAt
}

type gUser struct {
	ID        uint
	DeletedAt gorm.DeletedAt
}

func parse(t *testing.T, model any) *schema.Schema {
	t.Helper()
	s, err := schema.Parse(model, &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		t.Fatalf("parse %T: %v", model, err)
	}
	return s
}

func TestUniqueKey(t *testing.T) {
	for _, c := range []struct {
		model any
		cols  []string
		want  bool
	}{
		{&gProject{}, []string{"id"}, true},
		{&gAccount{}, []string{"code"}, true},
		{&gShop{}, []string{"slug"}, true},
		{&gRegion{}, []string{"country", "code"}, true},
		{&gRegion{}, []string{"code", "country"}, true},
		{&gRegion{}, []string{"country"}, false},
		{&gRegion{}, []string{"name"}, false}, // partial: unique among some rows only
		{&gPair{}, []string{"a", "b"}, true},
		{&gPair{}, []string{"a"}, false},
		{&gMember{}, []string{"role_id"}, false},
		{&gMember{}, nil, false},
	} {
		s := parse(t, c.model)
		if got := UniqueKey(s, c.cols); got != c.want {
			t.Errorf("UniqueKey(%s, %v) = %v, want %v", s.Table, c.cols, got, c.want)
		}
	}
}

// The graph's decision for each relation, with and without CascadeAll:
// an edge on a unique parent-side key, none on a shared reference, and an
// error naming the field where a shared reference is declared to cascade
// or restrict.
func TestGraphSharedReferences(t *testing.T) {
	for _, c := range []struct {
		model any
		rel   string // the relation, as plan.Edge.Name
		all   bool   // CascadeAll
		edge  bool   // a cascading (or restricting) edge
		err   string // part of the error of the model's plan
	}{
		{model: &gProject{}, rel: "gProject.Tasks", all: true, edge: true},
		{model: &gProject{}, rel: "gProject.Tasks", all: false, edge: false},
		{model: &gAccount{}, rel: "gAccount.Items", all: true, edge: true},
		{model: &gShop{}, rel: "gShop.Shelves", all: true, edge: true},
		{model: &gRegion{}, rel: "gRegion.Cities", all: true, edge: true},
		{model: &gRegion{}, rel: "gRegion.Peers", all: true, edge: false},
		{model: &gRegion{}, rel: "gRegion.Towns", all: true, edge: false},
		{model: &gPair{}, rel: "gPair.Legs", all: true, edge: true},
		{model: &gPair{}, rel: "gPair.Halves", all: true, edge: false},
		{model: &gMember{}, rel: "gMember.Role", all: true, edge: false},
		{model: &gMember{}, rel: "gMember.Role", all: false, edge: false},
		{model: &gTagged{}, all: false, err: `gTagged.Role: softcascade:"cascade" on a shared reference: the key g_taggeds.role_id is neither the primary key nor unique`},
		{model: &gTagged{}, all: true, err: `gTagged.Role: softcascade:"cascade" on a shared reference`},
		{model: &gRestricted{}, all: false, err: `gRestricted.Role: softcascade:"restrict" on a shared reference`},
		{model: &gConstrained{}, all: false, err: `gConstrained.Role: constraint:OnDelete:CASCADE on a shared reference`},
		{model: &gGroup{}, all: false, err: `gBadge.Group: constraint:OnDelete:CASCADE on a shared reference: the key g_groups.kind`},
	} {
		s := parse(t, c.model)
		g := NewGraph(c.all)
		if strings.HasPrefix(c.err, "gBadge") {
			g.Learn(parse(t, &gBadge{}))
		}
		p, err := g.Plan(nil, s)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || !errors.Is(err, errs.ErrInvalidValue) {
				t.Errorf("%s (all=%v): error %v, want one with %q", s.Name, c.all, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s (all=%v): %v", s.Name, c.all, err)
			continue
		}
		found := false
		for _, e := range append(p.Edges, p.Restricts...) {
			found = found || e.Name == c.rel
		}
		if found != c.edge {
			t.Errorf("%s (all=%v): edge %v, want %v", c.rel, c.all, found, c.edge)
		}
	}
}

// Every relation into a plan's tables is a reference purge checks: a
// shared reference the other way round (the members hold the role), a
// belongs-to from the child.
func TestGraphReferences(t *testing.T) {
	g := NewGraph(true)
	g.Learn(parse(t, &gMember{}))
	g.Learn(parse(t, &gOrder{}))
	role, err := g.Plan(nil, parse(t, &gRole{}))
	if err != nil {
		t.Fatal(err)
	}
	refs := role.ReferencesTo("g_roles")
	if len(refs) != 1 || refs[0].Child != "g_members" || refs[0].ChildKeys[0] != "role_id" || refs[0].ParentKeys[0] != "role_id" {
		t.Errorf("references to g_roles = %+v, want g_members.role_id", refs)
	}
	if ot, ok := role.Table("g_members"); !ok || ot.Marker == nil {
		t.Errorf("the referencing table g_members is not in the plan with its soft-delete column")
	}
	member, err := g.Plan(nil, parse(t, &gMember{}))
	if err != nil {
		t.Fatal(err)
	}
	if refs := member.ReferencesTo("g_members"); len(refs) != 0 {
		t.Errorf("references to g_members = %+v, want none (the role does not hold the member)", refs)
	}
	user, err := g.Plan(nil, parse(t, &gUser{}))
	if err != nil {
		t.Fatal(err)
	}
	refs = user.ReferencesTo("g_users")
	if len(refs) != 1 || refs[0].Child != "g_orders" || refs[0].ChildKeys[0] != "g_user_id" || refs[0].ParentKeys[0] != "id" {
		t.Errorf("references to g_users = %+v, want g_orders.g_user_id", refs)
	}
	if len(user.Edges) != 0 {
		t.Errorf("a belongs-to cascades: %+v", user.Edges)
	}
}
