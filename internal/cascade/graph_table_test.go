package cascade

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/errs"
)

// Table-driven tests of the graph builder, in the manner of GORM's
// schema/relationship_test.go: models in, the plan's edges, restricts
// and join tables out. Plans are built from the schemas alone (nil db).

// Tags on has-many relations.
type tbProject struct {
	ID        uint
	Tasks     []tbTask `softcascade:"cascade"`
	Notes     []tbNote `softcascade:"restrict"`
	Logs      []tbLog  `softcascade:"-"`
	DeletedAt gorm.DeletedAt
}

type tbTask struct {
	ID          uint
	TbProjectID uint
	Comments    []tbComment `gorm:"softcascade:cascade"` // the gorm-tag form
	DeletedAt   gorm.DeletedAt
}

type tbComment struct {
	ID        uint
	TbTaskID  uint
	DeletedAt gorm.DeletedAt
}

type tbNote struct {
	ID          uint
	TbProjectID uint
	DeletedAt   gorm.DeletedAt
}

type tbLog struct {
	ID          uint
	TbProjectID uint
	DeletedAt   gorm.DeletedAt
}

// tbTypo carries a misspelt policy.
type tbTypo struct {
	ID        uint
	Tasks     []tbTypoTask `softcascade:"cascades"`
	DeletedAt gorm.DeletedAt
}

type tbTypoTask struct {
	ID        uint
	TbTypoID  uint
	DeletedAt gorm.DeletedAt
}

// tbBadColumn's column tag is not a unique index.
type tbBadColumn struct {
	ID        uint
	Name      string `softcascade:"uniq"`
	DeletedAt gorm.DeletedAt
}

// Foreign key constraints declared on the parent's fields.
type tbBoard struct {
	ID        uint
	Cards     []tbCard  `gorm:"constraint:OnDelete:CASCADE"`
	Pins      []tbPin   `gorm:"constraint:OnDelete:RESTRICT"`
	Labels    []tbLabel `gorm:"constraint:OnDelete:SET NULL"`
	DeletedAt gorm.DeletedAt
}

type tbCard struct {
	ID        uint
	TbBoardID uint
	DeletedAt gorm.DeletedAt
}

type tbPin struct {
	ID        uint
	TbBoardID uint
	DeletedAt gorm.DeletedAt
}

type tbLabel struct {
	ID        uint
	TbBoardID *uint
	DeletedAt gorm.DeletedAt
}

// A relation declared on both sides: the parent's has-many with a tag and
// the child's belongs-to with a constraint.
type tbFolder struct {
	ID        uint
	Files     []tbFile `softcascade:"cascade"`
	DeletedAt gorm.DeletedAt
}

type tbFile struct {
	ID         uint
	TbFolderID uint
	Folder     tbFolder `gorm:"foreignKey:TbFolderID;constraint:OnDelete:CASCADE"`
	DeletedAt  gorm.DeletedAt
}

// Relations declared on the child's side only: belongs-to with and
// without OnDelete.
type tbInvoice struct {
	ID        uint
	DeletedAt gorm.DeletedAt
}

type tbLine struct {
	ID          uint
	TbInvoiceID uint
	Invoice     tbInvoice `gorm:"foreignKey:TbInvoiceID;constraint:OnDelete:CASCADE"`
	DeletedAt   gorm.DeletedAt
}

type tbPayment struct {
	ID          uint
	TbInvoiceID uint
	Invoice     tbInvoice `gorm:"foreignKey:TbInvoiceID"`
	DeletedAt   gorm.DeletedAt
}

type tbRefund struct {
	ID          uint
	TbInvoiceID uint
	Invoice     tbInvoice `gorm:"foreignKey:TbInvoiceID;constraint:OnDelete:RESTRICT"`
	DeletedAt   gorm.DeletedAt
}

// Polymorphic has-many and has-one.
type tbPost struct {
	ID        uint
	Replies   []tbReply `gorm:"polymorphic:Owner" softcascade:"cascade"`
	Cover     tbImage   `gorm:"polymorphic:Owner;polymorphicValue:post" softcascade:"cascade"`
	DeletedAt gorm.DeletedAt
}

type tbPage struct {
	ID        uint
	Replies   []tbReply `gorm:"polymorphic:Owner" softcascade:"restrict"`
	DeletedAt gorm.DeletedAt
}

type tbReply struct {
	ID        uint
	OwnerID   uint
	OwnerType string
	DeletedAt gorm.DeletedAt
}

type tbImage struct {
	ID        uint
	OwnerID   uint
	OwnerType string
	DeletedAt gorm.DeletedAt
}

// Many-to-many: a default join table and a custom one.
type tbUser struct {
	ID        uint
	Roles     []tbRole  `gorm:"many2many:tb_user_roles"`
	Groups    []tbGroup `gorm:"many2many:tb_memberships;joinForeignKey:MemberRef;joinReferences:GroupRef"`
	DeletedAt gorm.DeletedAt
}

type tbRole struct {
	ID        uint
	DeletedAt gorm.DeletedAt
}

type tbGroup struct {
	ID        uint
	DeletedAt gorm.DeletedAt
}

// Self-reference: a tree of nodes.
type tbNode struct {
	ID        uint
	ParentID  *uint
	Children  []tbNode `gorm:"foreignKey:ParentID" softcascade:"cascade"`
	DeletedAt gorm.DeletedAt
}

// CascadeAll: has-one and has-many cascade unless tagged "-"; belongs-to
// never does.
type tbShop struct {
	ID        uint
	OwnerID   uint
	Owner     tbOwner     `gorm:"foreignKey:OwnerID"` // belongs-to
	Profile   tbProfile   // has-one
	Products  []tbProduct // has-many
	Audits    []tbAudit   `softcascade:"-"`
	DeletedAt gorm.DeletedAt
}

type tbOwner struct {
	ID        uint
	DeletedAt gorm.DeletedAt
}

type tbProfile struct {
	ID        uint
	TbShopID  uint
	DeletedAt gorm.DeletedAt
}

type tbProduct struct {
	ID        uint
	TbShopID  uint
	DeletedAt gorm.DeletedAt
}

type tbAudit struct {
	ID        uint
	TbShopID  uint
	DeletedAt gorm.DeletedAt
}

// Shared references: a has-one on a key many rows share (tbSeat.Team on
// seats.team_code, team_code not unique on tb_seats).
type tbSeat struct {
	ID        uint
	TeamCode  string `gorm:"size:20"`
	Team      tbTeam `gorm:"foreignKey:Code;references:TeamCode"`
	DeletedAt gorm.DeletedAt
}

type tbTeam struct {
	ID        uint
	Code      string `gorm:"size:20"`
	DeletedAt gorm.DeletedAt
}

type tbSeatRestrict struct {
	ID        uint
	TeamCode  string `gorm:"size:20"`
	Team      tbTeam `gorm:"foreignKey:Code;references:TeamCode;constraint:OnDelete:RESTRICT"`
	DeletedAt gorm.DeletedAt
}

type tbSeatOptOut struct {
	ID        uint
	TeamCode  string `gorm:"size:20"`
	Team      tbTeam `gorm:"foreignKey:Code;references:TeamCode" softcascade:"-"`
	DeletedAt gorm.DeletedAt
}

type tbSeatGormTag struct {
	ID        uint
	TeamCode  string `gorm:"size:20"`
	Team      tbTeam `gorm:"foreignKey:Code;references:TeamCode;softcascade:restrict"`
	DeletedAt gorm.DeletedAt
}

// edgeString writes an edge as "parent(keys) -> child(keys)", with
// "[column=value]" for a polymorphic edge.
func edgeString(e plan.Edge) string {
	s := fmt.Sprintf("%s(%s) -> %s(%s)", e.Parent, strings.Join(e.ParentKeys, ","), e.Child, strings.Join(e.ChildKeys, ","))
	if e.TypeColumn != "" {
		s += fmt.Sprintf(" [%s=%s]", e.TypeColumn, e.TypeValue)
	}
	return s
}

// joinString writes a join table as "join(keys) -> owner(keys)".
func joinString(j plan.Join) string {
	s := fmt.Sprintf("%s(%s) -> %s(%s)", j.Table, strings.Join(j.JoinKeys, ","), j.Owner, strings.Join(j.OwnerKeys, ","))
	if j.TypeColumn != "" {
		s += fmt.Sprintf(" [%s=%s]", j.TypeColumn, j.TypeValue)
	}
	return s
}

func edgeStrings(es []plan.Edge) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, edgeString(e))
	}
	return out
}

func TestGraphTable(t *testing.T) {
	tests := []struct {
		name      string
		all       bool  // CascadeAll
		learn     []any // models learnt before the plan, besides root
		root      any
		tables    []string // the plan's tables, in order (checked when set)
		edges     []string
		restricts []string
		joins     []string
		err       string // part of the plan's error (ErrInvalidValue)
	}{{
		name:      "tags: cascade, restrict, -, gorm-tag form, two levels",
		root:      &tbProject{},
		tables:    []string{"tb_projects", "tb_tasks", "tb_comments"},
		edges:     []string{"tb_projects(id) -> tb_tasks(tb_project_id)", "tb_tasks(id) -> tb_comments(tb_task_id)"},
		restricts: []string{"tb_projects(id) -> tb_notes(tb_project_id)"},
	}, {
		name:      "tags: CascadeAll does not override - or restrict",
		all:       true,
		root:      &tbProject{},
		edges:     []string{"tb_projects(id) -> tb_tasks(tb_project_id)", "tb_tasks(id) -> tb_comments(tb_task_id)"},
		restricts: []string{"tb_projects(id) -> tb_notes(tb_project_id)"},
	}, {
		name: "tags: unknown value",
		root: &tbTypo{},
		err:  `tbTypo.Tasks: unknown tag softcascade:"cascades"`,
	}, {
		name: "tags: unknown value on a column",
		root: &tbBadColumn{},
		err:  `tbBadColumn.Name: unknown tag softcascade:"uniq" on a column`,
	}, {
		name:      "constraint: OnDelete CASCADE and RESTRICT; SET NULL is no edge",
		root:      &tbBoard{},
		tables:    []string{"tb_boards", "tb_cards"},
		edges:     []string{"tb_boards(id) -> tb_cards(tb_board_id)"},
		restricts: []string{"tb_boards(id) -> tb_pins(tb_board_id)"},
	}, {
		name:  "both sides declared: one edge",
		learn: []any{&tbFile{}},
		root:  &tbFolder{},
		edges: []string{"tb_folders(id) -> tb_files(tb_folder_id)"},
	}, {
		name:  "both sides declared, child learnt first: one edge",
		learn: []any{&tbFile{}, &tbFolder{}},
		root:  &tbFolder{},
		edges: []string{"tb_folders(id) -> tb_files(tb_folder_id)"},
	}, {
		name:      "child side: belongs-to with OnDelete CASCADE/RESTRICT is an edge, without is none",
		learn:     []any{&tbLine{}, &tbPayment{}, &tbRefund{}},
		root:      &tbInvoice{},
		tables:    []string{"tb_invoices", "tb_lines"},
		edges:     []string{"tb_invoices(id) -> tb_lines(tb_invoice_id)"},
		restricts: []string{"tb_invoices(id) -> tb_refunds(tb_invoice_id)"},
	}, {
		name:  "child side: the child's own plan does not cascade up",
		learn: []any{&tbInvoice{}},
		root:  &tbLine{},
		edges: []string{},
	}, {
		name:   "polymorphic: has-many and has-one carry the type column and value",
		root:   &tbPost{},
		tables: []string{"tb_posts", "tb_images", "tb_replies"}, // has-one first, as GORM lists them
		edges: []string{
			"tb_posts(id) -> tb_images(owner_id) [owner_type=post]",
			"tb_posts(id) -> tb_replies(owner_id) [owner_type=tb_posts]",
		},
	}, {
		name:      "polymorphic: two owners of one child table stay apart",
		learn:     []any{&tbPost{}},
		root:      &tbPage{},
		edges:     []string{},
		restricts: []string{"tb_pages(id) -> tb_replies(owner_id) [owner_type=tb_pages]"},
	}, {
		name:  "many2many: the owner's join tables, default and custom",
		root:  &tbUser{},
		edges: []string{},
		joins: []string{
			"tb_user_roles(tb_user_id) -> tb_users(id)",
			"tb_memberships(member_ref) -> tb_users(id)",
		},
	}, {
		name:  "many2many: the other owner's join table, once the relation is known",
		learn: []any{&tbUser{}},
		root:  &tbRole{},
		joins: []string{"tb_user_roles(tb_role_id) -> tb_roles(id)"},
	}, {
		name:  "many2many: custom join references",
		learn: []any{&tbUser{}},
		root:  &tbGroup{},
		joins: []string{"tb_memberships(group_ref) -> tb_groups(id)"},
	}, {
		name:   "many2many: CascadeAll does not cascade to the peer",
		all:    true,
		root:   &tbUser{},
		tables: []string{"tb_users"},
		edges:  []string{},
		joins: []string{
			"tb_user_roles(tb_user_id) -> tb_users(id)",
			"tb_memberships(member_ref) -> tb_users(id)",
		},
	}, {
		name:   "self-reference: one table, one edge",
		root:   &tbNode{},
		tables: []string{"tb_nodes"},
		edges:  []string{"tb_nodes(id) -> tb_nodes(parent_id)"},
	}, {
		name:   "CascadeAll: has-one and has-many cascade, belongs-to and - do not",
		all:    true,
		root:   &tbShop{},
		tables: []string{"tb_shops", "tb_profiles", "tb_products"},
		edges:  []string{"tb_shops(id) -> tb_profiles(tb_shop_id)", "tb_shops(id) -> tb_products(tb_shop_id)"},
	}, {
		name:   "CascadeAll off: nothing cascades untagged",
		root:   &tbShop{},
		tables: []string{"tb_shops"},
		edges:  []string{},
	}, {
		name:   "shared reference: non-unique parent key, CascadeAll: no edge",
		all:    true,
		root:   &tbSeat{},
		tables: []string{"tb_seats"},
		edges:  []string{},
	}, {
		name:  "shared reference: - tag is no error",
		root:  &tbSeatOptOut{},
		edges: []string{},
	}, {
		name: "shared reference: OnDelete RESTRICT is an error",
		root: &tbSeatRestrict{},
		err:  `tbSeatRestrict.Team: constraint:OnDelete:RESTRICT on a shared reference: the key tb_seat_restricts.team_code`,
	}, {
		name: "shared reference: gorm-tag restrict is an error",
		root: &tbSeatGormTag{},
		err:  `tbSeatGormTag.Team: softcascade:"restrict" on a shared reference`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := NewGraph(tt.all)
			for _, m := range tt.learn {
				g.Learn(parse(t, m))
			}
			p, err := g.Plan(nil, parse(t, tt.root))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, errs.ErrInvalidValue) {
					t.Fatalf("error %v, want ErrInvalidValue with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.tables != nil {
				var got []string
				for _, tb := range p.Tables {
					got = append(got, tb.Name)
				}
				if !slices.Equal(got, tt.tables) {
					t.Errorf("tables %q, want %q", got, tt.tables)
				}
			}
			if tt.edges != nil {
				if got := edgeStrings(p.Edges); !slices.Equal(got, tt.edges) {
					t.Errorf("edges %q, want %q", got, tt.edges)
				}
			}
			if got := edgeStrings(p.Restricts); !slices.Equal(got, append([]string{}, tt.restricts...)) {
				t.Errorf("restricts %q, want %q", got, tt.restricts)
			}
			var joins []string
			for _, j := range p.Joins {
				joins = append(joins, joinString(j))
			}
			if !slices.Equal(joins, tt.joins) {
				t.Errorf("joins %q, want %q", joins, tt.joins)
			}
		})
	}
}
