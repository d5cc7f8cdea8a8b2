package realworld_test

import (
	"fmt"
	"testing"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/modelstest"
)

// Keys other than one auto-increment integer: UUID text keys made by the
// application, composite primary keys (GORM's own tests use (id, locale)
// for blogs), composite foreign keys, and many-to-many between composite
// keys.

// Brand is shared by the products of every catalog (belongs-to).
type Brand struct {
	ID   string `gorm:"primaryKey;size:36"`
	Name string
}

// Catalog has a UUID primary key.
type Catalog struct {
	ID        string `gorm:"primaryKey;size:36"`
	Name      string
	Products  []Product     `gorm:"constraint:OnDelete:CASCADE"`
	Notes     []CatalogNote // cascades with CascadeAll only
	DeletedAt gorm.DeletedAt
}

// CatalogNote: a UUID-keyed child of a catalog.
type CatalogNote struct {
	ID        string `gorm:"primaryKey;size:36"`
	CatalogID string `gorm:"size:36;index"`
	Text      string
	DeletedAt gorm.DeletedAt
}

// Product has a composite primary key (catalog, SKU).
type Product struct {
	CatalogID string `gorm:"primaryKey;size:36"`
	SKU       string `gorm:"primaryKey;size:64"`
	Name      string
	BrandID   *string        `gorm:"size:36"`
	Brand     *Brand         // belongs-to: never cascades
	Variants  []Variant      `gorm:"foreignKey:CatalogID,ProductSKU;references:CatalogID,SKU;constraint:OnDelete:CASCADE"`
	Prices    []Price        `gorm:"foreignKey:CatalogID,ProductSKU;references:CatalogID,SKU;constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

// Variant: UUID key, composite foreign key to its product.
type Variant struct {
	ID         string `gorm:"primaryKey;size:36"`
	CatalogID  string `gorm:"size:36;index:idx_variant_product"`
	ProductSKU string `gorm:"size:64;index:idx_variant_product"`
	Colour     string
	DeletedAt  gorm.DeletedAt
}

// Price is not soft-deletable: it goes when its product is purged.
type Price struct {
	CatalogID  string `gorm:"primaryKey;size:36"`
	ProductSKU string `gorm:"primaryKey;size:64"`
	Currency   string `gorm:"primaryKey;size:3"`
	Cents      int64
}

// uuidN is a fixed, valid UUID text for n (the tests need stable keys).
func uuidN(kind, n int) string { return fmt.Sprintf("%08x-0000-4000-8000-%012x", kind, n) }

func seedCatalogs(t *testing.T, db *gorm.DB, s *seeder) {
	brand := Brand{ID: uuidN(9, 1), Name: "Acme"}
	s.shared(func() { create(t, db, &brand) })
	for c := 1; c <= 3; c++ {
		cat := &Catalog{ID: uuidN(1, c), Name: fmt.Sprintf("catalog %d", c)}
		s.root(cat.Name, cat, func() {
			create(t, db, cat)
			create(t, db, &[]CatalogNote{{ID: uuidN(2, c*10+1), CatalogID: cat.ID, Text: "spring"}, {ID: uuidN(2, c*10+2), CatalogID: cat.ID, Text: "autumn"}})
			// The same SKUs in every catalog: only the composite key tells them apart.
			for _, sku := range []string{"A-1", "B-2"} {
				create(t, db, &Product{CatalogID: cat.ID, SKU: sku, Name: sku, BrandID: &brand.ID})
				create(t, db, &[]Variant{
					{ID: uuidN(3, c*100+len(sku)*10+int(sku[0])), CatalogID: cat.ID, ProductSKU: sku, Colour: "red"},
					{ID: uuidN(4, c*100+len(sku)*10+int(sku[0])), CatalogID: cat.ID, ProductSKU: sku, Colour: "blue"},
				})
				create(t, db, &[]Price{{CatalogID: cat.ID, ProductSKU: sku, Currency: "EUR", Cents: 1000}, {CatalogID: cat.ID, ProductSKU: sku, Currency: "USD", Cents: 1100}})
			}
		})
	}
}

// Blog has the composite key (id, locale); tags too.
type Blog struct {
	ID        uint   `gorm:"primaryKey;autoIncrement:false"`
	Locale    string `gorm:"primaryKey;size:10"`
	Subject   string
	Tags      []BlogTag     `gorm:"many2many:blog_tag_links"`
	Comments  []BlogComment `gorm:"foreignKey:BlogID,BlogLocale;references:ID,Locale;constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt
}

// BlogTag is shared by blogs.
type BlogTag struct {
	ID     uint   `gorm:"primaryKey;autoIncrement:false"`
	Locale string `gorm:"primaryKey;size:10"`
	Value  string
}

// BlogComment is on one (id, locale) blog.
type BlogComment struct {
	ID         uint `gorm:"primarykey"`
	BlogID     uint
	BlogLocale string `gorm:"size:10"`
	Body       string
	DeletedAt  gorm.DeletedAt
}

func seedBlogs(t *testing.T, db *gorm.DB, s *seeder) {
	tags := []BlogTag{{ID: 1, Locale: "en", Value: "go"}, {ID: 1, Locale: "fr", Value: "go"}, {ID: 2, Locale: "en", Value: "sql"}}
	s.shared(func() { create(t, db, &tags) })
	// (1, en) is deleted; (1, fr) shares its ID, (2, en) its locale.
	for _, k := range []struct {
		id     uint
		locale string
	}{{1, "en"}, {1, "fr"}, {2, "en"}} {
		b := &Blog{ID: k.id, Locale: k.locale, Subject: fmt.Sprintf("post %d %s", k.id, k.locale)}
		s.root(b.Subject, b, func() {
			create(t, db, b)
			create(t, db, &[]BlogComment{{BlogID: b.ID, BlogLocale: b.Locale, Body: "first"}, {BlogID: b.ID, BlogLocale: b.Locale, Body: "second"}})
			if err := db.Model(b).Association("Tags").Append(&tags[0], &tags[2]); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestKeys(t *testing.T) {
	runSets(t,
		set{
			name:   "uuid and composite keys",
			models: []any{&Brand{}, &Catalog{}, &CatalogNote{}, &Product{}, &Variant{}, &Price{}},
			seed:   seedCatalogs,
			trashed: func(all bool) map[string]int {
				m := map[string]int{"catalogs": 1, "products": 2, "variants": 4}
				if all {
					m["catalog_notes"] = 2
				}
				return m
			},
			held: func(all bool) map[string]int {
				if all {
					return nil
				}
				return map[string]int{"catalogs": 1} // its live notes' foreign key
			},
			goes: func(bool) map[string]int { return map[string]int{"prices": 4} },
		},
		set{
			name:   "composite keys many2many",
			models: []any{&Blog{}, &BlogTag{}, &BlogComment{}},
			seed:   seedBlogs,
			trashed: func(bool) map[string]int {
				return map[string]int{"blogs": 1, "blog_comments": 2}
			},
			goes: func(bool) map[string]int { return map[string]int{"blog_tag_links": 2} },
		},
	)
}

// Company and Employee as GORM's documentation declares a belongs-to with
// constraints: the database sets employees' company_id to NULL when the
// company row is deleted for good.
type Company struct {
	ID        int
	Name      string
	DeletedAt gorm.DeletedAt
}

// Staffer belongs to a company.
type Staffer struct {
	gorm.Model
	Name      string
	CompanyID *int
	Company   Company `gorm:"constraint:OnUpdate:CASCADE,OnDelete:SET NULL;"`
}

func seedCompanies(t *testing.T, db *gorm.DB, s *seeder) {
	for i := 1; i <= 3; i++ {
		c := &Company{Name: fmt.Sprintf("company %d", i)}
		s.root(c.Name, c, func() {
			create(t, db, c)
			create(t, db, &[]Staffer{{Name: "a", CompanyID: &c.ID}, {Name: "b", CompanyID: &c.ID}})
		})
	}
}

func TestBelongsToSetNull(t *testing.T) {
	runSets(t, set{
		name:   "belongs-to ON DELETE SET NULL",
		models: []any{&Company{}, &Staffer{}},
		seed:   seedCompanies,
		trashed: func(bool) map[string]int {
			return map[string]int{"companies": 1}
		},
		held: func(bool) map[string]int {
			return map[string]int{"companies": 1} // its live staff's foreign key
		},
		known: func(modelstest.Dialect, bool) (string, string) {
			return "new", "belongs-to with constraint OnDelete:SET NULL (GORM's documented example): Purge hard-deletes the company and the database sets the live staffers' company_id to NULL"
		},
	})
}
