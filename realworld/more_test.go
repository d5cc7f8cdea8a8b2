package realworld_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/plugin/soft_delete"

	"github.com/softcascade/softcascade/internal/modelstest"
)

// Shapes of e-commerce backends, code forges and multi-tenant SaaS
// starters: pointer foreign keys (guest orders), a has-one cart declared
// OnDelete:SET NULL, serializer:json columns, non-soft-deletable order
// lines, small integer keys (int16, uint16), many-to-many through a join
// model with extra columns and joinForeignKey/joinReferences, polymorphic
// reactions on two owner types with equal IDs, the soft_delete plugin's
// mixed mode (a flag plus a deleted-at time), and string keys that MySQL's
// case-insensitive, PAD SPACE collations compare equal.

// ShopCustomer is an e-commerce customer.
type ShopCustomer struct {
	ID        uint
	Email     string        `gorm:"size:64"`
	Addresses []ShopAddress `gorm:"constraint:OnDelete:CASCADE"`
	Cart      *ShopCart     `gorm:"foreignKey:CustomerID;constraint:OnDelete:SET NULL"`
	Orders    []ShopOrder   `gorm:"foreignKey:CustomerID;constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt
}

// ShopAddress belongs to one customer.
type ShopAddress struct {
	ID             uint
	ShopCustomerID uint
	Line           string
	DeletedAt      gorm.DeletedAt
}

// ShopCart is a customer's one cart; its items are a JSON column.
type ShopCart struct {
	ID         uint
	CustomerID *uint            `gorm:"uniqueIndex"`
	Items      []string         `gorm:"serializer:json"`
	Extra      map[string]int64 `gorm:"serializer:json"`
	UpdatedAt  time.Time
	DeletedAt  gorm.DeletedAt
}

// ShopOrder has a pointer key: guest orders have none.
type ShopOrder struct {
	ID         uint
	CustomerID *uint
	Status     string          `gorm:"size:16;default:pending"`
	Meta       map[string]any  `gorm:"serializer:json"`
	Lines      []ShopOrderLine `gorm:"foreignKey:OrderID;constraint:OnDelete:CASCADE"`
	CreatedAt  time.Time
	DeletedAt  gorm.DeletedAt
}

// ShopOrderLine is not soft-deletable.
type ShopOrderLine struct {
	ID      uint
	OrderID uint
	SKU     string `gorm:"size:32"`
	Qty     uint16
}

var shopModels = []any{&ShopCustomer{}, &ShopAddress{}, &ShopCart{}, &ShopOrder{}, &ShopOrderLine{}}

func seedShop(t *testing.T, db *gorm.DB, s *seeder) {
	s.shared(func() {
		// a guest order: no customer
		create(t, db, &ShopOrder{Meta: map[string]any{"guest": true}, Lines: []ShopOrderLine{{SKU: "g", Qty: 1}}})
	})
	for i := 1; i <= 2; i++ {
		c := &ShopCustomer{Email: fmt.Sprintf("c%d@example.com", i)}
		s.root(c.Email, c, func() {
			create(t, db, c)
			create(t, db, &[]ShopAddress{{ShopCustomerID: c.ID, Line: "a"}, {ShopCustomerID: c.ID, Line: "b"}})
			create(t, db, &ShopCart{CustomerID: &c.ID, Items: []string{"x", "y"}, Extra: map[string]int64{"n": 1 << 40}})
			for j := range 2 {
				o := &ShopOrder{CustomerID: &c.ID, Meta: map[string]any{"n": j, "note": "  spaced  "}}
				create(t, db, o)
				create(t, db, &[]ShopOrderLine{{OrderID: o.ID, SKU: "s1", Qty: 65535}, {OrderID: o.ID, SKU: "s2", Qty: 1}})
			}
			// an order created with Omit: no meta, no status default written by GORM
			o := &ShopOrder{CustomerID: &c.ID}
			if err := db.Omit("Meta", "Status").Create(o).Error; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// ForgeOrg owns repositories; its key is a smallint.
type ForgeOrg struct {
	ID        int16 `gorm:"primaryKey;autoIncrement"`
	Name      string
	Repos     []ForgeRepo `gorm:"foreignKey:OwnerID;constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt
}

// ForgeRepo has topics through a join model with extra columns.
type ForgeRepo struct {
	ID        int64
	OwnerID   int16
	Name      string
	Topics    []ForgeTopic    `gorm:"many2many:forge_repo_topics;foreignKey:ID;joinForeignKey:RepoID;references:ID;joinReferences:TopicID"`
	Issues    []ForgeIssue    `gorm:"foreignKey:RepoID;constraint:OnDelete:CASCADE"`
	Reactions []ForgeReaction `gorm:"polymorphic:Target;polymorphicValue:repo"`
	DeletedAt gorm.DeletedAt
}

// ForgeTopic is shared by repositories; its key is a uint16.
type ForgeTopic struct {
	ID   uint16 `gorm:"primaryKey;autoIncrement"`
	Name string
}

// ForgeRepoTopic is the join model, with columns of its own.
type ForgeRepoTopic struct {
	RepoID    int64  `gorm:"primaryKey"`
	TopicID   uint16 `gorm:"primaryKey"`
	Pinned    bool
	CreatedAt time.Time
}

// ForgeIssue has reactions, as repositories do.
type ForgeIssue struct {
	ID        int64
	RepoID    int64
	Index     int64
	Reactions []ForgeReaction `gorm:"polymorphic:Target;polymorphicValue:issue"`
	DeletedAt gorm.DeletedAt
}

// ForgeReaction is polymorphic over repositories and issues.
type ForgeReaction struct {
	ID         uint
	TargetID   int64
	TargetType string `gorm:"size:16"`
	Emoji      string
	DeletedAt  gorm.DeletedAt
}

var forgeModels = []any{&ForgeOrg{}, &ForgeRepo{}, &ForgeTopic{}, &ForgeIssue{}, &ForgeReaction{}}

func forgePrepare(t *testing.T, db *gorm.DB, _ modelstest.Dialect) {
	if err := db.SetupJoinTable(&ForgeRepo{}, "Topics", &ForgeRepoTopic{}); err != nil {
		t.Fatal(err)
	}
}

func seedForge(t *testing.T, db *gorm.DB, s *seeder) {
	topics := []ForgeTopic{{Name: "go"}, {Name: "orm"}}
	s.shared(func() { create(t, db, &topics) })
	for i := 1; i <= 2; i++ {
		org := &ForgeOrg{Name: fmt.Sprintf("org%d", i)}
		s.root(org.Name, org, func() {
			create(t, db, org)
			for j := range 2 {
				r := &ForgeRepo{OwnerID: org.ID, Name: fmt.Sprintf("r%d", j)}
				create(t, db, r)
				create(t, db, &ForgeRepoTopic{RepoID: r.ID, TopicID: topics[j].ID, Pinned: j == 0})
				iss := &ForgeIssue{RepoID: r.ID, Index: 1}
				create(t, db, iss)
				create(t, db, &[]ForgeReaction{
					{TargetID: r.ID, TargetType: "repo", Emoji: "+1"},
					{TargetID: iss.ID, TargetType: "issue", Emoji: "heart"},
				})
			}
		})
	}
}

// MixAccount uses the soft_delete plugin's mixed mode: a flag, and the
// time of the deletion in another column.
type MixAccount struct {
	ID        uint
	Name      string
	Notes     []MixNote `gorm:"constraint:OnDelete:CASCADE"`
	DeletedAt time.Time
	IsDel     soft_delete.DeletedAt `gorm:"softDelete:flag,DeletedAtField:DeletedAt"`
}

// MixNote uses the same mixed mode with a unix-seconds column.
type MixNote struct {
	ID           uint
	MixAccountID uint
	Body         string
	DeletedOn    int64
	IsDel        soft_delete.DeletedAt `gorm:"softDelete:flag,DeletedAtField:DeletedOn"`
}

func seedMix(t *testing.T, db *gorm.DB, s *seeder) {
	for i := 1; i <= 2; i++ {
		a := &MixAccount{Name: fmt.Sprint(i)}
		s.root(a.Name, a, func() {
			create(t, db, a)
			create(t, db, &[]MixNote{{MixAccountID: a.ID, Body: "x"}, {MixAccountID: a.ID, Body: "y"}})
		})
	}
}

// CiTenant has a string key, referenced by projects whose key differs in
// case or trailing spaces: MySQL's default collations compare them equal
// (and its foreign keys accept them); PostgreSQL and SQLite do not.
type CiTenant struct {
	Code      string `gorm:"primaryKey;size:16"`
	Name      string
	Projects  []CiProject `gorm:"foreignKey:TenantCode;references:Code;constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt
}

// CiProject belongs to a tenant by code.
type CiProject struct {
	ID         uint
	TenantCode string `gorm:"size:16;index"`
	DeletedAt  gorm.DeletedAt
}

func seedCi(t *testing.T, db *gorm.DB, s *seeder) {
	s.shared(func() {
		// a live table outside the cascade, ON DELETE CASCADE to a tenant
		// by a key in another case: purge must keep the tenant
		if err := db.Exec("CREATE TABLE ci_audits (id int PRIMARY KEY, tenant_code varchar(16), " +
			"CONSTRAINT fk_ci_audits_tenant FOREIGN KEY (tenant_code) REFERENCES ci_tenants(code) ON DELETE CASCADE)").Error; err != nil {
			t.Fatal(err)
		}
	})
	for _, code := range []string{"acme", "globex"} {
		tn := &CiTenant{Code: code, Name: code}
		s.root(code, tn, func() {
			create(t, db, tn)
			create(t, db, &[]CiProject{{TenantCode: code}, {TenantCode: strings.ToUpper(code)}, {TenantCode: code + " "}})
			if code == "acme" {
				if err := db.Exec("INSERT INTO ci_audits (id, tenant_code) VALUES (1, 'Acme')").Error; err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestShop(t *testing.T) {
	runSets(t,
		set{
			name:   "customers",
			models: shopModels,
			seed:   seedShop,
			trashed: func(all bool) map[string]int {
				m := map[string]int{"shop_customers": 1, "shop_addresses": 2, "shop_orders": 3}
				if all {
					m["shop_carts"] = 1
				}
				return m
			},
			held: func(all bool) map[string]int {
				if all {
					return nil
				}
				return map[string]int{"shop_customers": 1} // the live cart's SET NULL key
			},
			goes: func(bool) map[string]int { return map[string]int{"shop_order_lines": 4} },
		},
		set{
			name:    "forge",
			models:  forgeModels,
			prepare: forgePrepare,
			seed:    seedForge,
			trashed: func(all bool) map[string]int {
				m := map[string]int{"forge_orgs": 1, "forge_repos": 2, "forge_issues": 2}
				if all {
					m["forge_reactions"] = 4
				}
				return m
			},
			held: func(all bool) map[string]int {
				if all {
					return nil
				}
				// the live reactions of repositories and issues (a relation
				// that does not cascade without CascadeAll), and their org
				return map[string]int{"forge_orgs": 1, "forge_repos": 2, "forge_issues": 2}
			},
			goes: func(bool) map[string]int { return map[string]int{"forge_repo_topics": 2} },
		},
		set{
			name:   "soft_delete mixed mode",
			models: []any{&MixAccount{}, &MixNote{}},
			seed:   seedMix,
			trashed: func(bool) map[string]int {
				return map[string]int{"mix_accounts": 1, "mix_notes": 2}
			},
		},
		set{
			name:   "case-insensitive keys",
			models: []any{&CiTenant{}, &CiProject{}},
			only:   modelstest.Dialect.IsMySQL,
			seed:   seedCi,
			trashed: func(bool) map[string]int {
				return map[string]int{"ci_tenants": 1, "ci_projects": 3}
			},
			held: func(bool) map[string]int { return map[string]int{"ci_tenants": 1} },
		},
	)
}

// BulkItem rows are deleted by the thousand by one condition, as cleanup
// jobs do. Their parts record deletions in the ledger (a flag), their notes
// carry a timestamp, their tags are a many-to-many.
type BulkItem struct {
	ID        uint
	Batch     int        `gorm:"index"`
	Parts     []BulkPart `gorm:"constraint:OnDelete:CASCADE"`
	Notes     []BulkNote `gorm:"constraint:OnDelete:CASCADE"`
	Tags      []BulkTag  `gorm:"many2many:bulk_item_tags"`
	DeletedAt gorm.DeletedAt
}

// BulkPart uses the soft_delete plugin's flag.
type BulkPart struct {
	ID         uint
	BulkItemID uint
	IsDel      soft_delete.DeletedAt `gorm:"softDelete:flag"`
}

// BulkNote uses gorm.DeletedAt.
type BulkNote struct {
	ID         uint
	BulkItemID uint
	DeletedAt  gorm.DeletedAt
}

// BulkTag is shared.
type BulkTag struct {
	ID   uint
	Name string
}

const bulkItems = 2000

func seedBulk(t *testing.T, db *gorm.DB, s *seeder) {
	tags := []BulkTag{{Name: "a"}, {Name: "b"}}
	s.shared(func() { create(t, db, &tags) })
	for batch := 1; batch <= 2; batch++ {
		items := make([]BulkItem, bulkItems)
		for i := range items {
			items[i] = BulkItem{Batch: batch, Parts: []BulkPart{{}}, Notes: []BulkNote{{}}, Tags: tags[:1]}
		}
		s.root(fmt.Sprint("batch ", batch), &items, func() { // Restore(&items): every root of the deletion
			if err := db.CreateInBatches(&items, 500).Error; err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestLargeBatch(t *testing.T) {
	runSets(t,
		set{
			name:   "by condition",
			models: []any{&BulkTag{}, &BulkItem{}, &BulkPart{}, &BulkNote{}},
			seed:   seedBulk,
			deleteBy: func(db *gorm.DB) *gorm.DB {
				return db.Where("batch = ?", 1).Delete(&BulkItem{})
			},
			trashed: func(bool) map[string]int {
				return map[string]int{"bulk_items": bulkItems, "bulk_parts": bulkItems, "bulk_notes": bulkItems}
			},
			goes: func(bool) map[string]int { return map[string]int{"bulk_item_tags": bulkItems} },
		},
	)
}

// LedgerTeam's flag-mode members have string keys of column types
// applications declare: a fixed-width char (PostgreSQL pads it), a binary
// collation on MySQL (case-sensitive codes, as forges keep user names).
type LedgerTeam struct {
	ID        uint
	Name      string
	Members   []LedgerMember `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
	Seats     []LedgerSeat   `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt
}

// LedgerMember has a char(8) key, shorter values padded.
type LedgerMember struct {
	Code   string `gorm:"primaryKey;type:char(8)"`
	TeamID uint
	IsDel  soft_delete.DeletedAt `gorm:"softDelete:flag"`
}

// LedgerSeat has a key with a binary collation on MySQL.
type LedgerSeat struct {
	Code      string `gorm:"primaryKey;size:32"`
	TeamID    uint
	DeletedAt soft_delete.DeletedAt
}

func ledgerPrepare(t *testing.T, db *gorm.DB, d modelstest.Dialect) {
	if !d.IsMySQL() {
		return
	}
	if err := db.Exec("CREATE TABLE ledger_seats (code varchar(32) COLLATE utf8mb4_bin NOT NULL PRIMARY KEY, team_id bigint unsigned, deleted_at bigint unsigned)").Error; err != nil {
		t.Fatal(err)
	}
}

func seedLedgerTeams(t *testing.T, db *gorm.DB, s *seeder) {
	for i := 1; i <= 2; i++ {
		tm := &LedgerTeam{Name: fmt.Sprint(i)}
		s.root(tm.Name, tm, func() {
			create(t, db, tm)
			create(t, db, &[]LedgerMember{{Code: fmt.Sprintf("m%d", i), TeamID: tm.ID}, {Code: fmt.Sprintf("m%d ab", i), TeamID: tm.ID}})
			// case-differing codes, a trailing space
			create(t, db, &[]LedgerSeat{{Code: fmt.Sprintf("s%d", i), TeamID: tm.ID}, {Code: fmt.Sprintf("S%d", i), TeamID: tm.ID}, {Code: fmt.Sprintf("x%d ", i), TeamID: tm.ID}})
		})
	}
}

func TestLedgerKeyTypes(t *testing.T) {
	runSets(t, set{
		name:    "char and binary-collation keys",
		models:  []any{&LedgerTeam{}, &LedgerMember{}, &LedgerSeat{}},
		prepare: ledgerPrepare,
		seed:    seedLedgerTeams,
		trashed: func(bool) map[string]int {
			return map[string]int{"ledger_teams": 1, "ledger_members": 2, "ledger_seats": 3}
		},
		known: func(d modelstest.Dialect, _ bool) (string, string) {
			if d.IsMySQL() {
				return "new", "MySQL: a ledger table's string key with a binary collation other than the ledger's " +
					"(utf8mb4_bin vs utf8mb4_nopad_bin): Delete fails with Error 1267 Illegal mix of collations"
			}
			return "", ""
		},
	})
}

// Chains of belongs-to declared only on the child side, as CMSs write
// them (site <- section <- page <- revision), with the child's key in an
// embedded struct with a prefix.
type ChainSite struct {
	ID        uint
	Name      string
	DeletedAt gorm.DeletedAt
}

// ChainSection belongs to a site.
type ChainSection struct {
	ID        uint
	SiteID    uint
	Site      ChainSite `gorm:"constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt
}

// ChainOwner is embedded with a prefix: its SectionID is the column
// owner_section_id.
type ChainOwner struct {
	SectionID uint
	Editor    string
}

// ChainPage belongs to a section through the embedded key.
type ChainPage struct {
	ID        uint
	Owner     ChainOwner   `gorm:"embedded;embeddedPrefix:owner_"`
	Section   ChainSection `gorm:"foreignKey:SectionID;constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt
}

// ChainRevision belongs to a page; no soft delete.
type ChainRevision struct {
	ID     uint
	PageID uint
	Page   ChainPage `gorm:"constraint:OnDelete:CASCADE"`
	Body   string
}

func seedChain(t *testing.T, db *gorm.DB, s *seeder) {
	for i := 1; i <= 2; i++ {
		site := &ChainSite{Name: fmt.Sprint(i)}
		s.root(site.Name, site, func() {
			create(t, db, site)
			for range 2 {
				sec := &ChainSection{SiteID: site.ID}
				if err := db.Omit("Site").Create(sec).Error; err != nil {
					t.Fatal(err)
				}
				p := &ChainPage{Owner: ChainOwner{SectionID: sec.ID, Editor: "ed"}}
				if err := db.Omit("Section").Create(p).Error; err != nil {
					t.Fatal(err)
				}
				if err := db.Omit("Page").Create(&ChainRevision{PageID: p.ID, Body: "v1"}).Error; err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestBelongsToChain(t *testing.T) {
	runSets(t, set{
		name:   "child-side declarations, embedded prefixed key",
		models: []any{&ChainSite{}, &ChainSection{}, &ChainPage{}, &ChainRevision{}},
		seed:   seedChain,
		trashed: func(bool) map[string]int {
			return map[string]int{"chain_sites": 1, "chain_sections": 2, "chain_pages": 2}
		},
		goes: func(bool) map[string]int { return map[string]int{"chain_revisions": 2} },
	})
}

// TrigDoc's table has a BEFORE UPDATE trigger that stamps updated_at, as
// PostgreSQL schemas made by hand or by other tools often do.
type TrigDoc struct {
	ID        uint
	Title     string
	UpdatedAt time.Time
	Pages     []TrigPage `gorm:"constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt
}

// TrigPage has no trigger.
type TrigPage struct {
	ID        uint
	TrigDocID uint
	DeletedAt gorm.DeletedAt
}

func seedTrig(t *testing.T, db *gorm.DB, s *seeder) {
	s.shared(func() {
		for _, q := range []string{
			`CREATE FUNCTION trig_touch() RETURNS trigger AS $$ BEGIN NEW.updated_at = now(); RETURN NEW; END $$ LANGUAGE plpgsql`,
			`CREATE TRIGGER trig_docs_touch BEFORE UPDATE ON trig_docs FOR EACH ROW EXECUTE FUNCTION trig_touch()`,
		} {
			if err := db.Exec(q).Error; err != nil {
				t.Fatal(err)
			}
		}
	})
	for i := 1; i <= 2; i++ {
		doc := &TrigDoc{Title: fmt.Sprint(i)}
		s.root(doc.Title, doc, func() {
			create(t, db, doc)
			create(t, db, &[]TrigPage{{TrigDocID: doc.ID}, {TrigDocID: doc.ID}})
		})
	}
}

func TestTriggers(t *testing.T) {
	runSets(t, set{
		name:   "BEFORE UPDATE trigger stamping updated_at",
		models: []any{&TrigDoc{}, &TrigPage{}},
		only:   modelstest.Dialect.IsPostgres,
		seed:   seedTrig,
		trashed: func(bool) map[string]int {
			return map[string]int{"trig_docs": 1, "trig_pages": 2}
		},
		known: func(modelstest.Dialect, bool) (string, string) {
			return "new", "PostgreSQL: a BEFORE UPDATE trigger that sets updated_at = now() moves it on the delete's " +
				"and the restore's UPDATE: Restore gives back every other column exactly, not that one, and says nothing"
		},
	})
}

// Chat apps key memberships by public handles, not by IDs: a
// many-to-many whose join table holds the user's unique handle and the
// channel's unique slug, and a user table using the soft_delete flag.
type ChatUser struct {
	ID       uint
	Handle   string                `gorm:"size:32;uniqueIndex"`
	Channels []ChatChannel         `gorm:"many2many:chat_members;foreignKey:Handle;joinForeignKey:UserHandle;references:Slug;joinReferences:ChannelSlug"`
	Messages []ChatMessage         `gorm:"foreignKey:AuthorHandle;references:Handle;constraint:OnDelete:CASCADE"`
	IsDel    soft_delete.DeletedAt `gorm:"softDelete:flag"`
}

// ChatChannel is shared.
type ChatChannel struct {
	ID        uint
	Slug      string `gorm:"size:32;uniqueIndex"`
	DeletedAt gorm.DeletedAt
}

// ChatMessage points at its author's handle.
type ChatMessage struct {
	ID           uint
	AuthorHandle string `gorm:"size:32;index"`
	Body         string
	DeletedAt    gorm.DeletedAt
}

func seedChat(t *testing.T, db *gorm.DB, s *seeder) {
	chans := []ChatChannel{{Slug: "general"}, {Slug: "random"}}
	s.shared(func() { create(t, db, &chans) })
	for _, h := range []string{"ann", "bob"} {
		u := &ChatUser{Handle: h}
		s.root(h, u, func() {
			create(t, db, u)
			if err := db.Model(u).Association("Channels").Append(chans); err != nil {
				t.Fatal(err)
			}
			create(t, db, &[]ChatMessage{{AuthorHandle: h, Body: "hi"}, {AuthorHandle: h, Body: "bye"}})
		})
	}
}

func TestChat(t *testing.T) {
	runSets(t, set{
		name:   "memberships by handle and slug",
		models: []any{&ChatUser{}, &ChatChannel{}, &ChatMessage{}},
		seed:   seedChat,
		trashed: func(bool) map[string]int {
			return map[string]int{"chat_users": 1, "chat_messages": 2}
		},
		goes: func(bool) map[string]int { return map[string]int{"chat_members": 2} },
	})
}
