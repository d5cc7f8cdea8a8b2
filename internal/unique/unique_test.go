package unique_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/unique"
)

// dryMySQL is a *gorm.DB on the MySQL dialect that never connects: SQL
// only renders statements.
func dryMySQL(t *testing.T) *gorm.DB {
	t.Helper()
	db, err := gorm.Open(mysql.New(mysql.Config{DSN: "u@tcp(127.0.0.1:1)/x", SkipInitializeWithVersion: true}),
		&gorm.Config{DisableAutomaticPing: true})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func parse(t *testing.T, db *gorm.DB, model any) *schema.Schema {
	t.Helper()
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(model); err != nil {
		t.Fatal(err)
	}
	return stmt.Schema
}

type Member struct {
	ID        uint
	TeamID    uint           `softcascade:"unique:idx_member_team_email,unique:idx_member_team_handle"`
	Email     string         `gorm:"size:128" softcascade:"unique:idx_member_team_email"`
	Handle    string         `gorm:"size:32;softcascade:unique:idx_member_team_handle"`
	Phone     string         `gorm:"size:32" softcascade:"unique"`
	Note      string         `softcascade:"-"`
	Tokens    []Token        `softcascade:"cascade"` // a relation: the cascade policy
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

type Token struct {
	ID        uint
	MemberID  uint
	DeletedAt gorm.DeletedAt
}

func TestOf(t *testing.T) {
	got, err := unique.Of(parse(t, dryMySQL(t), &Member{}))
	if err != nil {
		t.Fatal(err)
	}
	want := []unique.Index{
		{Name: "idx_member_team_email", Columns: []string{"team_id", "email"}},
		{Name: "idx_member_team_handle", Columns: []string{"team_id", "handle"}},
		{Name: "idx_members_phone_live", Columns: []string{"phone"}},
	}
	if !slices.EqualFunc(got, want, func(a, b unique.Index) bool { return a.Name == b.Name && slices.Equal(a.Columns, b.Columns) }) {
		t.Errorf("Of = %v, want %v", got, want)
	}
}

type BadColumn struct {
	ID        uint
	Name      string `softcascade:"cascade"`
	DeletedAt gorm.DeletedAt
}

type Owner struct {
	ID        uint
	Items     []Item `softcascade:"unique"`
	DeletedAt gorm.DeletedAt
}

type Item struct {
	ID        uint
	OwnerID   uint
	DeletedAt gorm.DeletedAt
}

func TestTagMisuse(t *testing.T) {
	db := dryMySQL(t)
	if _, err := unique.Of(parse(t, db, &BadColumn{})); err == nil || !strings.Contains(err.Error(), "BadColumn.Name") {
		t.Errorf("cascade on a column: err = %v", err)
	}
	// unique on a relation is the cascade policy's error, never an index
	if idx, err := unique.Of(parse(t, db, &Owner{})); err != nil || len(idx) != 0 {
		t.Errorf("Of(Owner) = %v, %v; want no index", idx, err)
	}
	if _, err := cascade.NewGraph(false).Plan(nil, parse(t, db, &Owner{})); err == nil || !strings.Contains(err.Error(), `softcascade:"unique"`) {
		t.Errorf("unique on a relation: plan err = %v", err)
	}
}

func TestPlanCarriesIndexes(t *testing.T) {
	db := dryMySQL(t)
	p, err := cascade.NewGraph(false).Plan(nil, parse(t, db, &Member{})) // schemas only: no server
	if err != nil {
		t.Fatal(err)
	}
	m, _ := p.Table("members")
	tok, _ := p.Table("tokens")
	if len(m.Unique) != 3 || len(tok.Unique) != 0 {
		t.Errorf("plan unique: members %v, tokens %v", m.Unique, tok.Unique)
	}
}

type Plain struct {
	ID   uint
	Code string `gorm:"size:8" softcascade:"unique"`
}

type Text struct {
	ID        uint
	Body      string `softcascade:"unique"`
	DeletedAt gorm.DeletedAt
}

func TestSQLRefuses(t *testing.T) {
	db := dryMySQL(t)
	if _, err := unique.SQL(db, &Plain{}); !errors.Is(err, errs.ErrNotSoftDeletable) {
		t.Errorf("not soft-deletable: err = %v", err)
	}
	if _, err := unique.SQL(db, &Text{}); err == nil || !strings.Contains(err.Error(), "longtext") {
		t.Errorf("MySQL text column: err = %v", err)
	}
}

func TestNames(t *testing.T) {
	long := strings.Repeat("c", 70)
	for _, name := range []string{unique.DefaultName("t", long), unique.LiveColumn(long)} {
		if len(name) != 63 {
			t.Errorf("%s: %d bytes, want 63", name, len(name))
		}
	}
	if a, b := unique.LiveColumn(long), unique.LiveColumn(long+"d"); a == b {
		t.Errorf("shortened names collide: %s", a)
	}
	if got := unique.DefaultName("app.workspaces", "slug"); got != "idx_app_workspaces_slug_live" {
		t.Errorf("DefaultName = %s", got)
	}
}
