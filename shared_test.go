package softcascade_test

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// shRole is shared by many members.
type shRole struct {
	RoleID    uint `gorm:"primaryKey"`
	Name      string
	DeletedAt gorm.DeletedAt
}

// shMember's Role is declared the way admin panels declare it; GORM
// parses it as a has-one on members.role_id, which is not unique.
type shMember struct {
	ID        uint
	Name      string
	RoleID    uint
	Role      shRole `gorm:"foreignKey:RoleID;references:RoleID"`
	DeletedAt gorm.DeletedAt
}

// shTagged asks that shared reference to cascade.
type shTagged struct {
	ID        uint
	RoleID    uint
	Role      shRole `gorm:"foreignKey:RoleID;references:RoleID" softcascade:"cascade"`
	DeletedAt gorm.DeletedAt
}

// shConstrained declares OnDelete:CASCADE on it.
type shConstrained struct {
	ID        uint
	RoleID    uint
	Role      shRole `gorm:"foreignKey:RoleID;references:RoleID;constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt
}

// shUser is referenced by orders through a belongs-to, with no foreign key
// in the database.
type shUser struct {
	ID        uint
	Name      string
	DeletedAt gorm.DeletedAt
}

type shOrder struct {
	ID        uint
	ShUserID  uint
	ShUser    shUser
	DeletedAt gorm.DeletedAt
}

// shFolder's files are not soft-deletable: they stay while the folder is
// in the trash and go at purge; a live link may still point at one.
type shFolder struct {
	ID        uint
	Files     []shFile `softcascade:"cascade"`
	DeletedAt gorm.DeletedAt
}

type shFile struct {
	ID         uint
	ShFolderID uint
	Name       string
}

type shLink struct {
	ID        uint
	ShFileID  uint
	ShFile    shFile
	DeletedAt gorm.DeletedAt
}

var sharedModels = []any{&shRole{}, &shMember{}, &shUser{}, &shOrder{}, &shFolder{}, &shFile{}, &shLink{}}

// openShared opens a database with the shared-reference models, no
// foreign keys in the database (as many applications run), and the
// plugin with opts, on a clock the test moves.
func openShared(t *testing.T, d modelstest.Dialect, opts ...softcascade.Option) (*gorm.DB, *clock) {
	t.Helper()
	clk := &clock{now: time.Now().UTC().Truncate(time.Second)}
	db := d.Open(t, &gorm.Config{NowFunc: clk.Now, DisableForeignKeyConstraintWhenMigrating: true})
	must(t, db.AutoMigrate(sharedModels...))
	must(t, db.Use(softcascade.New(append([]softcascade.Option{softcascade.WithModels(sharedModels...)}, opts...)...)))
	return db, clk
}

// withAndWithoutCascadeAll runs f with the plugin's default policy and
// with CascadeAll.
func withAndWithoutCascadeAll(t *testing.T, f func(t *testing.T, d modelstest.Dialect, opts ...softcascade.Option)) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Run("default", func(t *testing.T) { f(t, d) })
		t.Run("CascadeAll", func(t *testing.T) { f(t, d, softcascade.CascadeAll()) })
	})
}

// A role many members share is not a child of any of them: deleting one
// member leaves it alone, and purging that member's deletion leaves the
// role and the other member as they were.
func TestSharedReferenceNeverCascades(t *testing.T) {
	t.Parallel()
	s, err := schema.Parse(&shMember{}, &sync.Map{}, schema.NamingStrategy{})
	must(t, err)
	if s.Relationships.Relations["Role"].Type != schema.HasOne {
		t.Fatalf("GORM parses shMember.Role as %s, the test needs has-one", s.Relationships.Relations["Role"].Type)
	}
	withAndWithoutCascadeAll(t, func(t *testing.T, d modelstest.Dialect, opts ...softcascade.Option) {
		db, clk := openShared(t, d, opts...)
		must(t, db.Create(&shRole{RoleID: 7, Name: "editor"}).Error)
		alice := shMember{Name: "alice", RoleID: 7}
		bob := shMember{Name: "bob", RoleID: 7}
		must(t, db.Create(&alice).Error)
		must(t, db.Create(&bob).Error)

		deleteAt(t, db, clk, 40*day, &alice)
		ds := deletions(t, db)
		eq(t, "deletions", len(ds), 1)
		eq(t, "rows of alice's deletion", ds[0].Rows, int64(1))
		var role shRole
		must(t, db.First(&role, 7).Error) // live: not in the trash

		rep, err := softcascade.Purge(db, softcascade.PurgeOptions{})
		must(t, err)
		eqMap(t, "Tables", rep.Tables, map[string]int64{"sh_members": 1})
		eqMap(t, "Skipped", rep.Skipped, nil)
		must(t, db.First(&role, 7).Error)
		eq(t, "role name", role.Name, "editor")
		var b shMember
		must(t, db.First(&b, bob.ID).Error)
		eq(t, "bob's role", b.RoleID, uint(7))
		var n int64
		must(t, db.Unscoped().Model(&shMember{}).Where("id = ?", alice.ID).Count(&n).Error)
		eq(t, "alice rows left", n, int64(0))
	})
}

// A role deleted on its own while a live member still holds it is kept
// at purge and reported, as a foreign key would keep it; once no live
// member holds it, the next purge removes it.
func TestPurgeKeepsASharedRowALiveRowHolds(t *testing.T) {
	t.Parallel()
	withAndWithoutCascadeAll(t, func(t *testing.T, d modelstest.Dialect, opts ...softcascade.Option) {
		db, clk := openShared(t, d, opts...)
		must(t, db.Create(&shRole{RoleID: 7, Name: "editor"}).Error)
		must(t, db.Create(&shRole{RoleID: 8, Name: "unused"}).Error)
		bob := shMember{Name: "bob", RoleID: 7}
		must(t, db.Create(&bob).Error)
		deleteAt(t, db, clk, 40*day, &shRole{RoleID: 7})
		deleteAt(t, db, clk, 40*day, &shRole{RoleID: 8})

		rep, err := softcascade.Purge(db, softcascade.PurgeOptions{})
		must(t, err)
		eqMap(t, "Tables", rep.Tables, map[string]int64{"sh_roles": 1})
		eqMap(t, "Skipped", rep.Skipped, map[string]int64{"sh_roles": 1})
		var role shRole
		must(t, db.Unscoped().First(&role, 7).Error)
		kept := 0
		for _, del := range deletions(t, db) {
			if del.PurgedAt == nil {
				kept++
			}
		}
		eq(t, "deletions kept", kept, 1)

		deleteAt(t, db, clk, 0, &bob) // a deleted member holds nothing
		rep, err = softcascade.Purge(db, softcascade.PurgeOptions{})
		must(t, err)
		eqMap(t, "Tables (second purge)", rep.Tables, map[string]int64{"sh_roles": 1})
		eqMap(t, "Skipped (second purge)", rep.Skipped, nil)
	})
}

// A belongs-to without a foreign key in the database holds its parent at
// purge just as well: a user with a live order stays.
func TestPurgeKeepsABelongsToParent(t *testing.T) {
	t.Parallel()
	withAndWithoutCascadeAll(t, func(t *testing.T, d modelstest.Dialect, opts ...softcascade.Option) {
		db, clk := openShared(t, d, opts...)
		ann := shUser{Name: "ann"}
		must(t, db.Create(&ann).Error)
		order := shOrder{ShUserID: ann.ID}
		must(t, db.Create(&order).Error)
		deleteAt(t, db, clk, 40*day, &ann)
		var o shOrder
		must(t, db.First(&o, order.ID).Error) // a belongs-to never cascades

		rep, err := softcascade.Purge(db, softcascade.PurgeOptions{})
		must(t, err)
		eqMap(t, "Tables", rep.Tables, nil)
		eqMap(t, "Skipped", rep.Skipped, map[string]int64{"sh_users": 1})
		var u shUser
		must(t, db.Unscoped().First(&u, ann.ID).Error)

		deleteAt(t, db, clk, 40*day, &o)
		rep, err = softcascade.Purge(db, softcascade.PurgeOptions{})
		must(t, err)
		eqMap(t, "Tables (second purge)", rep.Tables, map[string]int64{"sh_users": 1, "sh_orders": 1})
		eqMap(t, "Skipped (second purge)", rep.Skipped, nil)
	})
}

// The non-soft-deletable child of a deleted folder stays live until
// purge; a live link to it keeps it, and so its folder, at purge.
func TestPurgeKeepsAChildALiveRowReferences(t *testing.T) {
	t.Parallel()
	withAndWithoutCascadeAll(t, func(t *testing.T, d modelstest.Dialect, opts ...softcascade.Option) {
		db, clk := openShared(t, d, opts...)
		f := shFolder{Files: []shFile{{Name: "kept"}, {Name: "free"}}}
		must(t, db.Create(&f).Error)
		link := shLink{ShFileID: f.Files[0].ID}
		must(t, db.Create(&link).Error)
		deleteAt(t, db, clk, 40*day, &f)

		rep, err := softcascade.Purge(db, softcascade.PurgeOptions{})
		must(t, err)
		eqMap(t, "Tables", rep.Tables, map[string]int64{"sh_files": 1})
		eqMap(t, "Skipped", rep.Skipped, map[string]int64{"sh_files": 1, "sh_folders": 1})
		var names []string
		must(t, db.Model(&shFile{}).Pluck("name", &names).Error)
		eq(t, "files left", strings.Join(names, ","), "kept")

		must(t, db.Delete(&link).Error)
		clk.Advance(time.Second)
		rep, err = softcascade.Purge(db, softcascade.PurgeOptions{Before: clk.Now(), OverrideRetention: true})
		must(t, err)
		eqMap(t, "Tables (second purge)", rep.Tables, map[string]int64{"sh_files": 1, "sh_folders": 1, "sh_links": 1})
		eqMap(t, "Skipped (second purge)", rep.Skipped, nil)
	})
}

// Declaring a shared reference to cascade is an error that names the
// field: WithModels refuses it at Initialize, and a Delete of the model
// fails with it, changing nothing.
func TestSharedReferenceDeclaredToCascade(t *testing.T) {
	t.Parallel()
	withAndWithoutCascadeAll(t, func(t *testing.T, d modelstest.Dialect, opts ...softcascade.Option) {
		for _, c := range []struct {
			model any
			want  string
		}{
			{&shTagged{}, `shTagged.Role: softcascade:"cascade" on a shared reference`},
			{&shConstrained{}, `shConstrained.Role: constraint:OnDelete:CASCADE on a shared reference`},
		} {
			db := d.Open(t, &gorm.Config{DisableForeignKeyConstraintWhenMigrating: true})
			must(t, db.AutoMigrate(&shRole{}, c.model))
			err := db.Use(softcascade.New(append([]softcascade.Option{softcascade.WithModels(c.model)}, opts...)...))
			if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, softcascade.ErrInvalidValue) {
				t.Errorf("WithModels(%T) = %v, want an error with %q", c.model, err, c.want)
			}

			db = d.Open(t, &gorm.Config{DisableForeignKeyConstraintWhenMigrating: true})
			must(t, db.AutoMigrate(&shRole{}, c.model))
			must(t, db.Use(softcascade.New(opts...)))
			must(t, db.Create(&shRole{RoleID: 7}).Error)
			must(t, db.Exec("INSERT INTO ? (id, role_id) VALUES (1, 7)", gorm.Expr(db.Statement.Quote(tableName(t, db, c.model)))).Error)
			err = db.Delete(c.model, 1).Error
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Delete(%T) = %v, want an error with %q", c.model, err, c.want)
			}
			var n int64
			must(t, db.Model(c.model).Where("id = 1").Count(&n).Error)
			eq(t, "live rows after the refused delete", n, int64(1))
			must(t, db.Model(&shRole{}).Count(&n).Error)
			eq(t, "live roles after the refused delete", n, int64(1))
		}
	})
}

func tableName(t *testing.T, db *gorm.DB, model any) string {
	t.Helper()
	stmt := &gorm.Statement{DB: db}
	must(t, stmt.Parse(model))
	return stmt.Schema.Table
}

// A deletion logged before plans carried their references still loads,
// and purge checks it against the relations the models declare now.
func TestPurgeChecksAnOldPlanWithoutReferences(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db, clk := openShared(t, d)
		must(t, db.Create(&shRole{RoleID: 7, Name: "editor"}).Error)
		must(t, db.Create(&shMember{Name: "bob", RoleID: 7}).Error)
		deleteAt(t, db, clk, 40*day, &shRole{RoleID: 7})
		del := deletions(t, db)[0]
		if len(del.Plan.References) == 0 {
			t.Fatal("the stored plan has no references")
		}
		old, err := json.Marshal(map[string]any{"root": del.Plan.Root, "tables": del.Plan.Tables, "edges": del.Plan.Edges})
		must(t, err)
		must(t, db.Model(&softcascade.Deletion{}).Where("id = ?", del.ID).Update("plan", string(old)).Error)
		if del = deletions(t, db)[0]; del.Plan == nil || len(del.Plan.References) != 0 || del.Plan.Root != "sh_roles" {
			t.Fatalf("old plan loaded as %+v", del.Plan)
		}

		rep, err := softcascade.Purge(db, softcascade.PurgeOptions{})
		must(t, err)
		eqMap(t, "Tables", rep.Tables, nil)
		eqMap(t, "Skipped", rep.Skipped, map[string]int64{"sh_roles": 1})
		var role shRole
		must(t, db.Unscoped().First(&role, 7).Error)
	})
}
