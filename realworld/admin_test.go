package realworld_test

import (
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/modelstest"
)

// An admin panel, shaped like the system models of Go admin panels
// (gin-vue-admin and its kind): a common base struct embedded everywhere,
// roles with a natural key and a hand-rolled *time.Time DeletedAt (not a
// GORM soft delete), users pointing at one role through a field GORM
// parses as has-one, many-to-many user/role and role/menu tables that are
// also mapped by plain join structs, menus with an embedded meta struct,
// parameters and buttons, and dictionaries with trees of details.

// AdminBase is the base struct every admin model embeds.
type AdminBase struct {
	ID        uint `gorm:"primarykey"`
	CreatedAt time.Time
	UpdatedAt time.Time
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

// AdminRole: natural primary key, many users share one.
type AdminRole struct {
	CreatedAt  time.Time
	UpdatedAt  time.Time
	DeletedAt  *time.Time `sql:"index"`
	RoleCode   uint       `gorm:"not null;unique;primaryKey;autoIncrement:false"`
	RoleName   string
	ParentCode *uint
	Menus      []AdminMenu `gorm:"many2many:admin_role_menus;"`
	Users      []AdminUser `gorm:"many2many:admin_user_roles;"`
}

func (AdminRole) TableName() string { return "admin_roles" }

// AdminUser: Role is parsed as has-one (admin_roles.role_code references
// admin_users.role_code), yet every user of a role shares it.
type AdminUser struct {
	AdminBase
	UUID     string             `gorm:"size:36;index"`
	Login    string             `gorm:"size:64;index"`
	RoleCode uint               `gorm:"default:888"`
	Role     AdminRole          `gorm:"foreignKey:RoleCode;references:RoleCode"`
	Roles    []AdminRole        `gorm:"many2many:admin_user_roles;"`
	Settings []AdminUserSetting `gorm:"constraint:OnDelete:CASCADE"`
	Logins   []AdminLoginRecord // cascades with CascadeAll only
}

func (AdminUser) TableName() string { return "admin_users" }

// AdminUserSetting is soft-deletable, cascades from its user.
type AdminUserSetting struct {
	AdminBase
	AdminUserID uint
	Key         string
	Value       string
}

// AdminLoginRecord is not soft-deletable (an audit row).
type AdminLoginRecord struct {
	ID          uint `gorm:"primarykey"`
	AdminUserID uint
	At          time.Time
	IP          string
}

// AdminUserRole maps the many-to-many table with a plain struct.
type AdminUserRole struct {
	AdminUserID       uint `gorm:"column:admin_user_id"`
	AdminRoleRoleCode uint `gorm:"column:admin_role_role_code"`
}

func (*AdminUserRole) TableName() string { return "admin_user_roles" }

// AdminMenuMeta is embedded in AdminMenu.
type AdminMenuMeta struct {
	ActiveName string
	KeepAlive  bool
	Title      string
	Icon       string
}

// AdminMenu: a tree by ParentID (0 for top menus) that GORM does not
// know as a relation, an embedded struct, parameters and buttons.
type AdminMenu struct {
	AdminBase
	MenuLevel     uint
	ParentID      uint
	Path          string
	Name          string
	Hidden        bool
	Sort          int
	AdminMenuMeta `gorm:"embedded"`
	Roles         []AdminRole       `gorm:"many2many:admin_role_menus;"`
	Children      []AdminMenu       `gorm:"-"`
	Parameters    []AdminMenuParam  `gorm:"constraint:OnDelete:CASCADE"`
	Buttons       []AdminMenuButton // cascades with CascadeAll only
}

func (AdminMenu) TableName() string { return "admin_menus" }

// AdminMenuParam belongs to a menu.
type AdminMenuParam struct {
	AdminBase
	AdminMenuID uint
	Type        string
	Key         string
	Value       string
}

// AdminMenuButton belongs to a menu.
type AdminMenuButton struct {
	AdminBase
	Name        string
	Desc        string
	AdminMenuID uint
}

// AdminRoleMenu maps the role/menu table with a plain struct.
type AdminRoleMenu struct {
	MenuID   uint `gorm:"column:admin_menu_id"`
	RoleCode uint `gorm:"column:admin_role_role_code"`
}

func (AdminRoleMenu) TableName() string { return "admin_role_menus" }

var adminModels = []any{
	&AdminRole{}, &AdminUser{}, &AdminUserSetting{}, &AdminLoginRecord{}, &AdminUserRole{},
	&AdminMenu{}, &AdminMenuParam{}, &AdminMenuButton{}, &AdminRoleMenu{},
}

func adminRoles(t *testing.T, db *gorm.DB) []AdminRole {
	parent := uint(888)
	roles := []AdminRole{
		{RoleCode: 888, RoleName: "user"},
		{RoleCode: 8881, RoleName: "user child", ParentCode: &parent},
		{RoleCode: 9528, RoleName: "tester"},
	}
	create(t, db, &roles)
	return roles
}

func seedAdminUsers(t *testing.T, db *gorm.DB, s *seeder) {
	var roles []AdminRole
	s.shared(func() { roles = adminRoles(t, db) })
	for i, name := range []string{"alice", "bob", "carol"} {
		u := &AdminUser{UUID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1), Login: name, RoleCode: 888}
		s.root(name, u, func() {
			create(t, db, u)
			settings := []AdminUserSetting{{AdminUserID: u.ID, Key: "theme", Value: "dark"}, {AdminUserID: u.ID, Key: "lang", Value: "en"}}
			create(t, db, &settings)
			logins := []AdminLoginRecord{{AdminUserID: u.ID, At: db.NowFunc(), IP: "10.0.0.1"}, {AdminUserID: u.ID, At: db.NowFunc(), IP: "10.0.0.2"}, {AdminUserID: u.ID, At: db.NowFunc(), IP: "10.0.0.3"}}
			create(t, db, &logins)
			if err := db.Model(u).Association("Roles").Append(&roles[0], &roles[2]); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func seedAdminMenus(t *testing.T, db *gorm.DB, s *seeder) {
	var roles []AdminRole
	s.shared(func() { roles = adminRoles(t, db) })
	for i, name := range []string{"dashboard", "system"} {
		m := &AdminMenu{Path: name, Name: name, Sort: i, AdminMenuMeta: AdminMenuMeta{Title: name, Icon: "odometer", KeepAlive: true}}
		s.root(name, m, func() {
			create(t, db, m)
			children := []AdminMenu{{ParentID: m.ID, MenuLevel: 1, Path: name + "/a", Name: name + "A"}, {ParentID: m.ID, MenuLevel: 1, Path: name + "/b", Name: name + "B"}}
			create(t, db, &children)
			create(t, db, &[]AdminMenuParam{{AdminMenuID: m.ID, Type: "query", Key: "tab", Value: "1"}, {AdminMenuID: m.ID, Type: "params", Key: "id", Value: "7"}})
			create(t, db, &[]AdminMenuButton{{AdminMenuID: m.ID, Name: "add", Desc: "Add"}, {AdminMenuID: m.ID, Name: "del", Desc: "Delete"}})
			// One role through the association, one through the join struct.
			if err := db.Model(m).Association("Roles").Append(&roles[0]); err != nil {
				t.Fatal(err)
			}
			create(t, db, &AdminRoleMenu{MenuID: m.ID, RoleCode: roles[2].RoleCode})
		})
	}
}

func TestAdminPanel(t *testing.T) {
	runSets(t,
		set{
			name:   "users",
			models: adminModels,
			// as the admin panels do: GORM would make admin_roles.role_code
			// a foreign key to the non-unique admin_users.role_code.
			noForeignKeys: true,
			seed:          seedAdminUsers,
			trashed: func(all bool) map[string]int {
				return map[string]int{"admin_users": 1, "admin_user_settings": 2}
			},
			goes: func(all bool) map[string]int {
				if all {
					return map[string]int{"admin_user_roles": 2, "admin_login_records": 3}
				}
				return map[string]int{"admin_user_roles": 2}
			},
			known: func(d modelstest.Dialect, all bool) (string, string) {
				if all {
					return "12.1", "CascadeAll cascades AdminUser.Role (parsed has-one, shared by every user of the role); Purge hard-deletes the role other live users hold"
				}
				return "", ""
			},
		},
		set{
			name:          "users deleted by condition",
			models:        adminModels,
			noForeignKeys: true,
			seed:          seedAdminUsers,
			deleteBy: func(db *gorm.DB) *gorm.DB {
				return db.Where("login = ?", "alice").Delete(&AdminUser{})
			},
			trashed: func(bool) map[string]int {
				return map[string]int{"admin_users": 1, "admin_user_settings": 2}
			},
			goes: func(all bool) map[string]int {
				if all {
					return map[string]int{"admin_user_roles": 2, "admin_login_records": 3}
				}
				return map[string]int{"admin_user_roles": 2}
			},
			known: func(d modelstest.Dialect, all bool) (string, string) {
				if all {
					return "12.1", "CascadeAll cascades AdminUser.Role (parsed has-one, shared by every user of the role); Purge hard-deletes the role other live users hold"
				}
				return "", ""
			},
		},
		set{
			name:          "users deleted by a slice of IDs",
			models:        adminModels,
			noForeignKeys: true,
			seed:          seedAdminUsers,
			deleteBy: func(db *gorm.DB) *gorm.DB {
				return db.Delete(&[]AdminUser{}, []uint{1})
			},
			trashed: func(bool) map[string]int {
				return map[string]int{"admin_users": 1, "admin_user_settings": 2}
			},
			goes: func(all bool) map[string]int {
				if all {
					return map[string]int{"admin_user_roles": 2, "admin_login_records": 3}
				}
				return map[string]int{"admin_user_roles": 2}
			},
			known: func(d modelstest.Dialect, all bool) (string, string) {
				if all {
					return "12.1", "CascadeAll cascades AdminUser.Role (parsed has-one, shared by every user of the role); Purge hard-deletes the role other live users hold"
				}
				return "", ""
			},
		},
		set{
			name:   "menus",
			models: adminModels,
			// as the admin panels do: GORM would make admin_roles.role_code
			// a foreign key to the non-unique admin_users.role_code.
			noForeignKeys: true,
			seed:          seedAdminMenus,
			trashed: func(all bool) map[string]int {
				if all {
					return map[string]int{"admin_menus": 1, "admin_menu_params": 2, "admin_menu_buttons": 2}
				}
				return map[string]int{"admin_menus": 1, "admin_menu_params": 2}
			},
			goes: func(bool) map[string]int { return map[string]int{"admin_role_menus": 2} },
		},
	)
}

// Dictionary has details; details form trees by ParentID.
type Dictionary struct {
	AdminBase
	Name    string
	Type    string `gorm:"size:64"`
	Status  *bool
	Desc    string
	Details []DictionaryDetail // cascades with CascadeAll only
}

// DictionaryDetail: a dictionary's entry, with child entries.
type DictionaryDetail struct {
	AdminBase
	Label        string             `gorm:"column:label"`
	Value        string             `gorm:"column:value"`
	Status       *bool              `gorm:"column:status"`
	Sort         int                `gorm:"column:sort"`
	DictionaryID int                `gorm:"column:dictionary_id"`
	ParentID     *uint              `gorm:"column:parent_id"`
	Children     []DictionaryDetail `gorm:"foreignKey:ParentID;constraint:OnDelete:CASCADE"`
	Level        int                `gorm:"column:level"`
	Path         string             `gorm:"column:path"`
	Disabled     bool               `gorm:"-"`
}

func seedDictionaries(t *testing.T, db *gorm.DB, s *seeder) {
	on := true
	for _, name := range []string{"gender", "status", "colour"} {
		dict := &Dictionary{Name: name, Type: name, Status: &on}
		s.root(name, dict, func() {
			create(t, db, dict)
			// two top entries, each with two children, the first of which
			// has one grandchild: 2 + 4 + 2 = 8 details.
			for i := range 2 {
				top := DictionaryDetail{Label: fmt.Sprintf("%s %d", name, i), Value: fmt.Sprint(i), Status: &on, DictionaryID: int(dict.ID)}
				create(t, db, &top)
				for j := range 2 {
					child := DictionaryDetail{Label: fmt.Sprintf("%s %d.%d", name, i, j), DictionaryID: int(dict.ID), ParentID: &top.ID, Level: 1, Path: fmt.Sprint(top.ID)}
					create(t, db, &child)
					if j == 0 {
						create(t, db, &DictionaryDetail{Label: "leaf", DictionaryID: int(dict.ID), ParentID: &child.ID, Level: 2, Path: fmt.Sprintf("%d,%d", top.ID, child.ID)})
					}
				}
			}
		})
	}
}

// seedDetailRoots seeds one dictionary; its top details are the roots.
func seedDetailRoots(t *testing.T, db *gorm.DB, s *seeder) {
	on := true
	dict := &Dictionary{Name: "region", Type: "region", Status: &on}
	s.shared(func() { create(t, db, dict) })
	for i := range 3 {
		top := &DictionaryDetail{Label: fmt.Sprintf("region %d", i), Value: fmt.Sprint(i), Status: &on, DictionaryID: int(dict.ID)}
		s.root(top.Label, top, func() {
			create(t, db, top)
			for j := range 2 {
				child := DictionaryDetail{Label: fmt.Sprintf("%s.%d", top.Label, j), DictionaryID: int(dict.ID), ParentID: &top.ID, Level: 1}
				create(t, db, &child)
				create(t, db, &DictionaryDetail{Label: child.Label + ".leaf", DictionaryID: int(dict.ID), ParentID: &child.ID, Level: 2})
			}
		})
	}
}

func TestDictionaryTrees(t *testing.T) {
	runSets(t, set{
		name:   "details of a live dictionary",
		models: []any{&Dictionary{}, &DictionaryDetail{}},
		seed:   seedDetailRoots,
		trashed: func(bool) map[string]int {
			return map[string]int{"dictionary_details": 5}
		},
	}, set{
		name:   "dictionaries",
		models: []any{&Dictionary{}, &DictionaryDetail{}},
		seed:   seedDictionaries,
		trashed: func(all bool) map[string]int {
			if all {
				return map[string]int{"dictionaries": 1, "dictionary_details": 8}
			}
			return map[string]int{"dictionaries": 1}
		},
		held: func(all bool) map[string]int {
			if all {
				return nil
			}
			// the details stay live, and their foreign key holds the dictionary
			return map[string]int{"dictionaries": 1}
		},
	})
}

// Member points at a soft-deletable package through a field GORM parses
// as has-one (packages.package_id references members.package_id), although
// many members share one package.
type Member struct {
	ID        uint
	Name      string
	PackageID uint
	Package   Package `gorm:"foreignKey:PackageID;references:PackageID"`
	DeletedAt gorm.DeletedAt
}

// Package is shared by members.
type Package struct {
	ID        uint
	PackageID uint `gorm:"uniqueIndex"`
	Name      string
	DeletedAt gorm.DeletedAt
}

func seedMembers(t *testing.T, db *gorm.DB, s *seeder) {
	s.shared(func() { create(t, db, &[]Package{{PackageID: 10, Name: "gold"}, {PackageID: 20, Name: "silver"}}) })
	for _, name := range []string{"alice", "bob", "carol"} {
		m := &Member{Name: name, PackageID: 10}
		s.root(name, m, func() { create(t, db, m) })
	}
}

func TestSharedHasOne(t *testing.T) {
	runSets(t, set{
		name:          "members share a package",
		models:        []any{&Package{}, &Member{}},
		noForeignKeys: true,
		seed:          seedMembers,
		trashed: func(bool) map[string]int {
			return map[string]int{"members": 1}
		},
		known: func(_ modelstest.Dialect, all bool) (string, string) {
			if all {
				return "12.1", "CascadeAll cascades Member.Package (parsed has-one, shared by members): deleting alice trashes the package bob still uses"
			}
			return "", ""
		},
	})
}
