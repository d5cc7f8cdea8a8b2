package realworld_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/plugin/soft_delete"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// Column types of real schemas: native UUID columns (PostgreSQL uuid,
// MariaDB UUID) filled by the application with uuid.UUID values, unix
// integer timestamps (autoCreateTime / autoUpdateTime:milli), and
// composite keys with the soft_delete plugin's kinds. Rows of flag and
// unix-second tables are recorded in the ledger, not by a stamp, which
// needs a single-column key: a composite key there is refused.

// UAccount has a native uuid key.
type UAccount struct {
	ID        uuid.UUID `gorm:"type:uuid;primaryKey"`
	Name      string
	CreatedAt int64   `gorm:"autoCreateTime"`
	UpdatedAt int64   `gorm:"autoUpdateTime:milli"`
	Posts     []UPost `gorm:"constraint:OnDelete:CASCADE"`
	Files     []UFile // cascades with CascadeAll only
	DeletedAt gorm.DeletedAt
}

// UPost: uuid key, flag soft delete (ledger).
type UPost struct {
	ID         uuid.UUID `gorm:"type:uuid;primaryKey"`
	UAccountID uuid.UUID `gorm:"type:uuid;index"`
	Title      string
	UpdatedAt  int64                 `gorm:"autoUpdateTime:milli"`
	IsDel      soft_delete.DeletedAt `gorm:"softDelete:flag"`
}

// UFile: uuid key, unix-second soft delete (ledger).
type UFile struct {
	ID         uuid.UUID `gorm:"type:uuid;primaryKey"`
	UAccountID uuid.UUID `gorm:"type:uuid;index"`
	Path       string
	DeletedAt  soft_delete.DeletedAt
}

func fixedUUID(kind, n int) uuid.UUID { return uuid.MustParse(uuidN(kind, n)) }

func seedUAccounts(t *testing.T, db *gorm.DB, s *seeder) {
	for i := 1; i <= 3; i++ {
		a := &UAccount{ID: fixedUUID(1, i), Name: fmt.Sprintf("account %d", i)}
		s.root(a.Name, a, func() {
			create(t, db, a)
			create(t, db, &[]UPost{{ID: fixedUUID(2, i*10+1), UAccountID: a.ID, Title: "a"}, {ID: fixedUUID(2, i*10+2), UAccountID: a.ID, Title: "b"}})
			create(t, db, &[]UFile{{ID: fixedUUID(3, i*10+1), UAccountID: a.ID, Path: "/x"}, {ID: fixedUUID(3, i*10+2), UAccountID: a.ID, Path: "/y"}})
		})
	}
}

// FlagOrder has a composite key and a unix-milli soft delete.
type FlagOrder struct {
	Region string `gorm:"primaryKey;size:8"`
	No     int    `gorm:"primaryKey;autoIncrement:false"`
	Note   string
	Lines  []FlagLine            `gorm:"foreignKey:Region,OrderNo;references:Region,No;constraint:OnDelete:CASCADE"`
	Events []FlagEvent           `gorm:"foreignKey:Region,OrderNo;references:Region,No"` // cascades with CascadeAll only
	DelAt  soft_delete.DeletedAt `gorm:"softDelete:milli"`
}

// FlagLine: composite key of three columns, gorm.DeletedAt.
type FlagLine struct {
	Region    string `gorm:"primaryKey;size:8"`
	OrderNo   int    `gorm:"primaryKey;autoIncrement:false"`
	LineNo    int    `gorm:"primaryKey;autoIncrement:false"`
	Qty       int
	DeletedAt gorm.DeletedAt
}

// FlagEvent: an auto-increment key, flag soft delete (ledger).
type FlagEvent struct {
	ID      uint
	Region  string `gorm:"size:8"`
	OrderNo int
	What    string
	IsDel   soft_delete.DeletedAt `gorm:"softDelete:flag"`
}

// FlagPair: a composite key with a flag soft delete, refused.
type FlagPair struct {
	Region string                `gorm:"primaryKey;size:8"`
	No     int                   `gorm:"primaryKey;autoIncrement:false"`
	IsDel  soft_delete.DeletedAt `gorm:"softDelete:flag"`
}

func seedFlagOrders(t *testing.T, db *gorm.DB, s *seeder) {
	// ("eu", 1) is deleted; ("us", 1) shares its number, ("eu", 2) its region.
	for _, k := range []struct {
		region string
		no     int
	}{{"eu", 1}, {"us", 1}, {"eu", 2}} {
		o := &FlagOrder{Region: k.region, No: k.no, Note: fmt.Sprintf("%s-%d", k.region, k.no)}
		s.root(o.Note, o, func() {
			create(t, db, o)
			create(t, db, &[]FlagLine{{Region: o.Region, OrderNo: o.No, LineNo: 1, Qty: 1}, {Region: o.Region, OrderNo: o.No, LineNo: 2, Qty: 5}})
			create(t, db, &[]FlagEvent{{Region: o.Region, OrderNo: o.No, What: "placed"}, {Region: o.Region, OrderNo: o.No, What: "paid"}})
		})
	}
}

func TestColumnTypes(t *testing.T) {
	runSets(t,
		set{
			name:   "native uuid and unix timestamps",
			models: []any{&UAccount{}, &UPost{}, &UFile{}},
			seed:   seedUAccounts,
			known: func(d modelstest.Dialect, _ bool) (string, string) {
				if d.IsPostgres() {
					return "new", "PostgreSQL uuid keys on a ledger table (flag, unix seconds): the cascade compares the uuid column with the ledger's varchar key_text: ERROR: operator does not exist: uuid = character varying"
				}
				return "", ""
			},
			trashed: func(all bool) map[string]int {
				if all {
					return map[string]int{"u_accounts": 1, "u_posts": 2, "u_files": 2}
				}
				return map[string]int{"u_accounts": 1, "u_posts": 2}
			},
			held: func(all bool) map[string]int {
				if all {
					return nil
				}
				return map[string]int{"u_accounts": 1} // its live files' foreign key
			},
		},
		set{
			name:   "composite keys with soft_delete kinds",
			models: []any{&FlagOrder{}, &FlagLine{}, &FlagEvent{}},
			seed:   seedFlagOrders,
			trashed: func(all bool) map[string]int {
				if all {
					return map[string]int{"flag_orders": 1, "flag_lines": 2, "flag_events": 2}
				}
				return map[string]int{"flag_orders": 1, "flag_lines": 2}
			},
			held: func(all bool) map[string]int {
				if all {
					return nil
				}
				return map[string]int{"flag_orders": 1} // its live events' foreign key
			},
		},
	)
}

// A composite key on a flag table cannot be recorded in the ledger: the
// plugin refuses the model when it is installed, naming the table.
func TestCompositeKeyFlagRefused(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := d.Open(t, nil)
		if err := db.AutoMigrate(&FlagPair{}); err != nil {
			t.Fatal(err)
		}
		err := db.Use(softcascade.New(softcascade.WithModels(&FlagPair{})))
		if !errors.Is(err, softcascade.ErrUnsupportedKey) || !strings.Contains(err.Error(), "flag_pairs") {
			t.Fatalf("Use: %v, want ErrUnsupportedKey naming flag_pairs", err)
		}
	})
}
