package realworld_test

import (
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/modelstest"
)

// Shapes from GORM's documentation and its own test models: embedded
// structs with a prefix, two models on one table, a many-to-many join
// model of its own that is soft-deletable, self-referencing trees and
// cycles, polymorphic has-one and has-many.

// Author is embedded with a prefix.
type Author struct {
	Name  string
	Email string
}

// Audit is embedded without a prefix.
type Audit struct {
	CreatedBy string
	UpdatedBy string
}

// Article embeds gorm.Model, an Audit struct, and an Author with a prefix.
type Article struct {
	gorm.Model
	Title    string
	Audit    Audit            `gorm:"embedded"`
	Author   Author           `gorm:"embedded;embeddedPrefix:author_"`
	Reviewer Author           `gorm:"embedded;embeddedPrefix:reviewer_"`
	Comments []ArticleComment `gorm:"constraint:OnDelete:CASCADE"`
	Ratings  []ArticleRating  // cascades with CascadeAll only
}

// ArticleCard is a second, narrower model of the articles table (a list
// view), with a relation of its own to the same comments.
type ArticleCard struct {
	ID        uint
	Title     string
	Replies   []ArticleComment `gorm:"foreignKey:ArticleID"`
	DeletedAt gorm.DeletedAt
}

func (ArticleCard) TableName() string { return "articles" }

// ArticleComment is on an article.
type ArticleComment struct {
	gorm.Model
	ArticleID uint
	Body      string
	Author    Author `gorm:"embedded;embeddedPrefix:by_"`
}

// ArticleRating is not soft-deletable.
type ArticleRating struct {
	ID        uint
	ArticleID uint
	Stars     int
}

func seedArticles(t *testing.T, db *gorm.DB, s *seeder) { seedArticlesAs(t, db, s, false) }

// seedArticlesAs seeds articles; with asCard the roots are their
// ArticleCards (the other model of the table).
func seedArticlesAs(t *testing.T, db *gorm.DB, s *seeder, asCard bool) {
	for i := 1; i <= 3; i++ {
		a := &Article{Title: fmt.Sprintf("article %d", i), Audit: Audit{CreatedBy: "ed"}, Author: Author{Name: "Ann", Email: "ann@example.com"}, Reviewer: Author{Name: "Rob"}}
		var value any = a
		card := &ArticleCard{}
		if asCard {
			value = card
		}
		s.root(a.Title, value, func() {
			defer func() { card.ID = a.ID }()
			create(t, db, a)
			create(t, db, &[]ArticleComment{{ArticleID: a.ID, Body: "nice", Author: Author{Name: "Cy"}}, {ArticleID: a.ID, Body: "meh", Author: Author{Name: "Di"}}})
			create(t, db, &[]ArticleRating{{ArticleID: a.ID, Stars: 4}, {ArticleID: a.ID, Stars: 5}})
		})
	}
}

// Person and Address: a many-to-many through PersonAddress, a join model
// of its own (SetupJoinTable) that is soft-deletable, as in GORM's tests.
type Person struct {
	ID        int
	Name      string
	Addresses []Address `gorm:"many2many:person_addresses;"`
	DeletedAt gorm.DeletedAt
}

// Address is shared by people.
type Address struct {
	ID   uint
	Name string
}

// PersonAddress is the join model.
type PersonAddress struct {
	PersonID  int  `gorm:"primaryKey"`
	AddressID uint `gorm:"primaryKey"`
	CreatedAt time.Time
	DeletedAt gorm.DeletedAt
}

func setupPersonAddresses(t *testing.T, db *gorm.DB, _ modelstest.Dialect) {
	if err := db.SetupJoinTable(&Person{}, "Addresses", &PersonAddress{}); err != nil {
		t.Fatalf("SetupJoinTable: %v", err)
	}
}

func seedPeople(t *testing.T, db *gorm.DB, s *seeder) {
	addrs := []Address{{Name: "home"}, {Name: "office"}, {Name: "cabin"}}
	s.shared(func() { create(t, db, &addrs) })
	for i, name := range []string{"ann", "ben", "cyd"} {
		p := &Person{Name: name}
		s.root(name, p, func() {
			create(t, db, p)
			// everyone shares the office; ann and ben share home too
			links := []Address{addrs[1]}
			if i < 2 {
				links = append(links, addrs[0])
			}
			if err := db.Model(p).Association("Addresses").Append(links); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Employee: a self-referencing tree (manager/team, GORM's test User shape)
// plus a self-referencing many-to-many (friends).
type Employee struct {
	ID        uint
	Name      string
	ManagerID *uint
	Manager   *Employee
	Team      []Employee  `gorm:"foreignKey:ManagerID;constraint:OnDelete:CASCADE"`
	Friends   []*Employee `gorm:"many2many:employee_friends"`
	DeletedAt gorm.DeletedAt
}

func seedEmployees(t *testing.T, db *gorm.DB, s *seeder) {
	var heads []*Employee
	for _, name := range []string{"ada", "bea"} {
		head := &Employee{Name: name}
		heads = append(heads, head)
		s.root(name, head, func() {
			create(t, db, head)
			for j := range 2 {
				mid := Employee{Name: fmt.Sprintf("%s.%d", name, j), ManagerID: &head.ID}
				create(t, db, &mid)
				create(t, db, &[]Employee{{Name: mid.Name + ".a", ManagerID: &mid.ID}, {Name: mid.Name + ".b", ManagerID: &mid.ID}})
			}
		})
	}
	// bea and ada are friends: the join row goes when ada is purged.
	s.link(0, func() {
		if err := db.Model(heads[1]).Association("Friends").Append(heads[0]); err != nil {
			t.Fatal(err)
		}
	})
}

// Agent: a cycle (a manages b, b manages a).
type Agent struct {
	ID         uint
	Name       string
	BossID     *uint
	Subordinat []Agent `gorm:"foreignKey:BossID;constraint:OnDelete:CASCADE"`
	DeletedAt  gorm.DeletedAt
}

func seedAgents(t *testing.T, db *gorm.DB, s *seeder) {
	for _, pair := range [][2]string{{"ann", "bob"}, {"cat", "dan"}} {
		a := &Agent{Name: pair[0]}
		s.root(pair[0], a, func() {
			create(t, db, a)
			b := Agent{Name: pair[1], BossID: &a.ID}
			create(t, db, &b)
			create(t, db, &Agent{Name: pair[1] + "'s aide", BossID: &b.ID})
			if err := db.Model(a).Update("boss_id", b.ID).Error; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Toy is owned polymorphically by users (has many) and pets (has one),
// with string owner IDs, as in GORM's test models.
type Toy struct {
	ID        uint
	Name      string
	OwnerID   string `gorm:"size:36;index:idx_toy_owner"`
	OwnerType string `gorm:"size:32;index:idx_toy_owner"`
	DeletedAt gorm.DeletedAt
}

// Kid owns toys.
type Kid struct {
	ID        string `gorm:"primaryKey;size:36"`
	Name      string
	Toys      []Toy    `gorm:"polymorphic:Owner;polymorphicValue:kid" softcascade:"cascade"`
	Pets      []Pet    // cascades with CascadeAll only
	Reviews   []Review `gorm:"polymorphicType:Kind;polymorphicId:Ref;polymorphicValue:kids;constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt
}

// Review is polymorphic through columns of its own naming (kind, ref).
type Review struct {
	ID        uint
	Kind      string `gorm:"size:16"`
	Ref       string `gorm:"size:36"`
	Text      string
	DeletedAt gorm.DeletedAt `gorm:"column:removed_at"`
}

// Pet owns one toy; its ID can equal a kid's.
type Pet struct {
	ID        string  `gorm:"primaryKey;size:36"`
	KidID     *string `gorm:"size:36"`
	Name      string
	Toy       Toy `gorm:"polymorphic:Owner;" softcascade:"cascade"`
	DeletedAt gorm.DeletedAt
}

func seedKids(t *testing.T, db *gorm.DB, s *seeder) {
	// an orphan pet whose ID is the first kid's: its toy has the same owner_id
	s.shared(func() {
		create(t, db, &Pet{ID: uuidN(1, 1), Name: "stray", Toy: Toy{Name: "ball"}})
		create(t, db, &Review{Kind: "pets", Ref: uuidN(1, 1), Text: "good dog"})
	})
	for k := 1; k <= 3; k++ {
		kid := &Kid{ID: uuidN(1, k), Name: fmt.Sprintf("kid %d", k)}
		s.root(kid.Name, kid, func() {
			create(t, db, kid)
			create(t, db, &[]Toy{{Name: "car", OwnerID: kid.ID, OwnerType: "kid"}, {Name: "kite", OwnerID: kid.ID, OwnerType: "kid"}})
			create(t, db, &Pet{ID: uuidN(2, k), KidID: &kid.ID, Name: "rex", Toy: Toy{Name: "bone"}})
			create(t, db, &[]Review{{Kind: "kids", Ref: kid.ID, Text: "ok"}, {Kind: "kids", Ref: kid.ID, Text: "fine"}})
		})
	}
}

func TestShapes(t *testing.T) {
	runSets(t,
		set{
			name:   "embedded and two models on one table",
			models: []any{&Article{}, &ArticleComment{}, &ArticleRating{}},
			views:  []any{&ArticleCard{}},
			seed:   seedArticles,
			trashed: func(all bool) map[string]int {
				return map[string]int{"articles": 1, "article_comments": 2}
			},
			held: func(all bool) map[string]int {
				if all {
					return nil
				}
				return map[string]int{"articles": 1} // its live ratings' foreign key
			},
			goes: func(all bool) map[string]int {
				if all {
					return map[string]int{"article_ratings": 2}
				}
				return nil
			},
		},
		set{
			name:   "delete through the second model of one table",
			models: []any{&Article{}, &ArticleComment{}, &ArticleRating{}},
			views:  []any{&ArticleCard{}},
			seed:   func(t *testing.T, db *gorm.DB, s *seeder) { seedArticlesAs(t, db, s, true) },
			// the relations of the table's every model apply
			trashed: func(all bool) map[string]int {
				return map[string]int{"articles": 1, "article_comments": 2}
			},
			held: func(all bool) map[string]int {
				if all {
					return nil
				}
				return map[string]int{"articles": 1} // its live ratings' foreign key
			},
			goes: func(all bool) map[string]int {
				if all {
					return map[string]int{"article_ratings": 2}
				}
				return nil
			},
		},
		set{
			name:    "soft-deletable join model",
			models:  []any{&Person{}, &Address{}, &PersonAddress{}},
			prepare: setupPersonAddresses,
			seed:    seedPeople,
			trashed: func(all bool) map[string]int {
				return map[string]int{"people": 1}
			},
			goes: func(bool) map[string]int { return map[string]int{"person_addresses": 2} },
		},
		set{
			name:   "self-referencing tree and many2many",
			models: []any{&Employee{}},
			seed:   seedEmployees,
			trashed: func(all bool) map[string]int {
				return map[string]int{"employees": 7}
			},
			goes: func(bool) map[string]int { return map[string]int{"employee_friends": 1} },
		},
		set{
			name:   "cycle",
			models: []any{&Agent{}},
			seed:   seedAgents,
			trashed: func(all bool) map[string]int {
				return map[string]int{"agents": 3}
			},
		},
		set{
			name:   "polymorphic",
			models: []any{&Kid{}, &Pet{}, &Toy{}, &Review{}},
			seed:   seedKids,
			trashed: func(all bool) map[string]int {
				if all {
					return map[string]int{"kids": 1, "toys": 3, "pets": 1, "reviews": 2}
				}
				return map[string]int{"kids": 1, "toys": 2, "reviews": 2}
			},
			held: func(all bool) map[string]int {
				if all {
					return nil
				}
				return map[string]int{"kids": 1} // its live pet's foreign key
			},
		},
	)
}
