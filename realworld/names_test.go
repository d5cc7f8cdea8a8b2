package realworld_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/softcascade/softcascade/internal/modelstest"
)

// Names: naming strategies (every option of schema.NamingStrategy),
// schema-qualified table names (PostgreSQL), and table and column names
// that must be quoted.

// NsShop is the root of the naming-strategy sets.
type NsShop struct {
	ID        uint
	ShopName  string
	Items     []NsItem  `gorm:"constraint:OnDelete:CASCADE"`
	Staff     []NsStaff // cascades with CascadeAll only
	Tags      []NsTag   `gorm:"many2many:ns_shop_tags"`
	DeletedAt gorm.DeletedAt
}

// NsItem is a shop's item.
type NsItem struct {
	ID        uint
	NsShopID  uint
	ItemName  string
	DeletedAt gorm.DeletedAt
}

// NsStaff is a shop's staff member.
type NsStaff struct {
	ID        uint
	NsShopID  uint
	FullName  string
	DeletedAt gorm.DeletedAt
}

// NsTag is shared by shops.
type NsTag struct {
	ID    uint
	Label string
}

func seedShops(t *testing.T, db *gorm.DB, s *seeder) {
	tags := []NsTag{{Label: "food"}, {Label: "late"}}
	s.shared(func() { create(t, db, &tags) })
	for i := 1; i <= 3; i++ {
		shop := &NsShop{ShopName: fmt.Sprintf("shop %d", i)}
		s.root(shop.ShopName, shop, func() {
			create(t, db, shop)
			create(t, db, &[]NsItem{{NsShopID: shop.ID, ItemName: "tea"}, {NsShopID: shop.ID, ItemName: "cake"}, {NsShopID: shop.ID, ItemName: "pie"}})
			create(t, db, &[]NsStaff{{NsShopID: shop.ID, FullName: "Sam"}, {NsShopID: shop.ID, FullName: "Kim"}})
			if err := db.Model(shop).Association("Tags").Append(tags); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// tableOf is the table of model under namer.
func tableOf(t *testing.T, namer schema.Namer, model any) string {
	s, err := schema.Parse(model, &sync.Map{}, namer)
	if err != nil {
		t.Fatalf("parse %T: %v", model, err)
	}
	return s.Table
}

// joinTableOf is the join table of model's many-to-many field under namer.
func joinTableOf(t *testing.T, namer schema.Namer, model any, field string) string {
	s, err := schema.Parse(model, &sync.Map{}, namer)
	if err != nil {
		t.Fatalf("parse %T: %v", model, err)
	}
	return s.Relationships.Relations[field].JoinTable.Table
}

func namingSet(t *testing.T, name string, namer schema.NamingStrategy) set {
	shops, items, staff := tableOf(t, namer, &NsShop{}), tableOf(t, namer, &NsItem{}), tableOf(t, namer, &NsStaff{})
	links := joinTableOf(t, namer, &NsShop{}, "Tags")
	return set{
		name:   name,
		models: []any{&NsShop{}, &NsItem{}, &NsStaff{}, &NsTag{}},
		naming: func(modelstest.Dialect) schema.Namer { return namer },
		seed:   seedShops,
		trashed: func(all bool) map[string]int {
			if all {
				return map[string]int{shops: 1, items: 3, staff: 2}
			}
			return map[string]int{shops: 1, items: 3}
		},
		held: func(all bool) map[string]int {
			if all {
				return nil
			}
			return map[string]int{shops: 1} // its live staff's foreign key
		},
		goes: func(bool) map[string]int { return map[string]int{links: 2} },
	}
}

func TestNamingStrategies(t *testing.T) {
	runSets(t,
		namingSet(t, "NoLowerCase", schema.NamingStrategy{NoLowerCase: true}),
		namingSet(t, "TablePrefix", schema.NamingStrategy{TablePrefix: "app_"}),
		namingSet(t, "SingularTable", schema.NamingStrategy{SingularTable: true}),
		namingSet(t, "NameReplacer", schema.NamingStrategy{NameReplacer: strings.NewReplacer("Ns", "Nice")}),
		namingSet(t, "all options", schema.NamingStrategy{TablePrefix: "t_", SingularTable: true, NoLowerCase: true, NameReplacer: strings.NewReplacer("Shop", "Store")}),
	)
}

// schemaNamer is the default naming strategy plus the PostgreSQL schema
// that the App models' TableName(namer) qualifies their tables with.
type schemaNamer struct {
	schema.NamingStrategy
	schema string
}

// appSchema is the schema of db's schemaNamer.
func appSchema(db *gorm.DB) string { return db.NamingStrategy.(schemaNamer).schema }

// AppProject lives in a schema of its own ("app.projects").
type AppProject struct {
	ID        uint
	Name      string
	Tasks     []AppTask `gorm:"constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt
}

func (AppProject) TableName(n schema.Namer) string { return n.(schemaNamer).schema + ".projects" }

// AppTask is an AppProject's task, in the same schema.
type AppTask struct {
	ID           uint
	AppProjectID uint
	Title        string
	DeletedAt    gorm.DeletedAt
}

func (AppTask) TableName(n schema.Namer) string { return n.(schemaNamer).schema + ".tasks" }

func seedAppProjects(t *testing.T, db *gorm.DB, s *seeder) {
	for i := 1; i <= 3; i++ {
		p := &AppProject{Name: fmt.Sprintf("project %d", i)}
		s.root(p.Name, p, func() {
			create(t, db, p)
			create(t, db, &[]AppTask{{AppProjectID: p.ID, Title: "one"}, {AppProjectID: p.ID, Title: "two"}})
		})
	}
}

func TestSchemaQualifiedTableName(t *testing.T) {
	runSets(t, set{
		name:   "schema-qualified",
		only:   modelstest.Dialect.IsPostgres,
		models: []any{&AppProject{}, &AppTask{}},
		// a schema per test: the application's schema, besides the
		// connection's own (search_path)
		naming: func(modelstest.Dialect) schema.Namer { return schemaNamer{schema: modelstest.RandomName()} },
		prepare: func(t *testing.T, db *gorm.DB, _ modelstest.Dialect) {
			name := appSchema(db)
			if err := db.Exec(`CREATE SCHEMA "` + name + `"`).Error; err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := db.Exec(`DROP SCHEMA "` + name + `" CASCADE`).Error; err != nil {
					t.Errorf("drop schema %s: %v", name, err)
				}
			})
		},
		tables: func(db *gorm.DB) map[string]string {
			return map[string]string{"app.projects": appSchema(db) + ".projects", "app.tasks": appSchema(db) + ".tasks"}
		},
		seed: seedAppProjects,
		trashed: func(bool) map[string]int {
			return map[string]int{"app.projects": 1, "app.tasks": 2}
		},
	})
}

// ProjectList's table name has a space.
type ProjectList struct {
	ID        uint
	Title     string
	Orders    []QuotedOrder `gorm:"foreignKey:ListID;constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt
}

func (ProjectList) TableName() string { return "project list" }

// QuotedOrder's table is a reserved word, and so is a column.
type QuotedOrder struct {
	ID        uint
	ListID    uint         `gorm:"column:list id"`
	Group     string       `gorm:"column:group"`
	Lines     []QuotedLine `gorm:"foreignKey:OrderID"` // cascades with CascadeAll only
	DeletedAt gorm.DeletedAt
}

func (QuotedOrder) TableName() string { return "order" }

// QuotedLine is in table "order line"; a column is "select".
type QuotedLine struct {
	ID        uint
	OrderID   uint           `gorm:"column:order"`
	Select    string         `gorm:"column:select"`
	DeletedAt gorm.DeletedAt `gorm:"column:deleted at"`
}

func (QuotedLine) TableName() string { return "order line" }

func seedQuoted(t *testing.T, db *gorm.DB, s *seeder) {
	for i := 1; i <= 3; i++ {
		l := &ProjectList{Title: fmt.Sprintf("list %d", i)}
		s.root(l.Title, l, func() {
			create(t, db, l)
			for _, g := range []string{"a", "b"} {
				o := QuotedOrder{ListID: l.ID, Group: g}
				create(t, db, &o)
				create(t, db, &[]QuotedLine{{OrderID: o.ID, Select: "x"}, {OrderID: o.ID, Select: "y"}})
			}
		})
	}
}

func TestQuotedNames(t *testing.T) {
	runSets(t, set{
		name:          "quoted",
		models:        []any{&ProjectList{}, &QuotedOrder{}, &QuotedLine{}},
		noForeignKeys: true,
		seed:          seedQuoted,
		trashed: func(all bool) map[string]int {
			if all {
				return map[string]int{"project list": 1, "order": 2, "order line": 4}
			}
			return map[string]int{"project list": 1, "order": 2}
		},
		// Untagged, the lines stay live and reference their orders: purge
		// holds them, and so the list, as a constraint would.
		held: func(all bool) map[string]int {
			if all {
				return nil
			}
			return map[string]int{"project list": 1, "order": 2}
		},
	})
}

// ReservedOrder's table and a column are reserved words, without spaces.
type ReservedOrder struct {
	ID        uint
	Group     string         `gorm:"column:group"`
	Items     []ReservedItem `gorm:"foreignKey:OrderID;constraint:OnDelete:CASCADE"`
	Notes     []ReservedNote `gorm:"foreignKey:OrderRef"` // cascades with CascadeAll only
	DeletedAt gorm.DeletedAt
}

func (ReservedOrder) TableName() string { return "order" }

// ReservedItem is in table "select".
type ReservedItem struct {
	ID        uint
	OrderID   uint
	From      string `gorm:"column:from"`
	DeletedAt gorm.DeletedAt
}

func (ReservedItem) TableName() string { return "select" }

// ReservedNote is in table "group".
type ReservedNote struct {
	ID        uint
	OrderRef  uint   `gorm:"column:order"`
	Where     string `gorm:"column:where"`
	DeletedAt gorm.DeletedAt
}

func (ReservedNote) TableName() string { return "group" }

func seedReserved(t *testing.T, db *gorm.DB, s *seeder) {
	for i := 1; i <= 3; i++ {
		o := &ReservedOrder{Group: fmt.Sprintf("group %d", i)}
		s.root(o.Group, o, func() {
			create(t, db, o)
			create(t, db, &[]ReservedItem{{OrderID: o.ID, From: "a"}, {OrderID: o.ID, From: "b"}})
			create(t, db, &[]ReservedNote{{OrderRef: o.ID, Where: "here"}})
		})
	}
}

func TestReservedWords(t *testing.T) {
	runSets(t, set{
		name:          "reserved words",
		models:        []any{&ReservedOrder{}, &ReservedItem{}, &ReservedNote{}},
		noForeignKeys: true,
		seed:          seedReserved,
		trashed: func(all bool) map[string]int {
			if all {
				return map[string]int{"order": 1, "select": 2, "group": 1}
			}
			return map[string]int{"order": 1, "select": 2}
		},
		// Untagged, the notes stay live and reference their order: purge
		// holds it, as a constraint would.
		held: func(all bool) map[string]int {
			if all {
				return nil
			}
			return map[string]int{"order": 1}
		},
	})
}
