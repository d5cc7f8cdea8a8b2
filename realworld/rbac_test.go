package realworld_test

import (
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/plugin/soft_delete"
)

// Role-based access as other admin backends model it (go-admin and its
// kind): primary keys named RoleId/MenuId, many-to-many tables declared
// with foreignKey, joinForeignKey, references and joinReferences, a common
// struct with the audit columns, a has-many through a unique key that is
// not the primary key, a real has-one; and the soft_delete plugin's unix
// seconds and flags with a unique index that includes the deleted-at
// column, as its README recommends.

// RbacCommon is embedded by the RBAC models.
type RbacCommon struct {
	CreateBy  int
	UpdateBy  int
	CreatedAt time.Time
	UpdatedAt time.Time
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

// RbacRole has a primary key named RoleId.
type RbacRole struct {
	RoleId   uint `gorm:"primaryKey;autoIncrement"`
	RoleName string
	RoleKey  string
	Menus    []RbacMenu `gorm:"many2many:rbac_role_menu;foreignKey:RoleId;joinForeignKey:role_id;references:MenuId;joinReferences:menu_id"`
	Users    []RbacUser `gorm:"many2many:rbac_user_role;foreignKey:RoleId;joinForeignKey:RoleId;references:ID;joinReferences:UserId"`
	RbacCommon
}

// RbacMenu has a primary key named MenuId.
type RbacMenu struct {
	MenuId   uint `gorm:"primaryKey;autoIncrement"`
	Title    string
	ParentId uint
	RbacCommon
}

// RbacUser: orders through a unique code, a profile (has-one).
type RbacUser struct {
	ID      uint
	Name    string
	Code    string      `gorm:"size:32;uniqueIndex"`
	Orders  []RbacOrder `gorm:"foreignKey:UserCode;references:Code;constraint:OnDelete:CASCADE"`
	Profile RbacProfile `gorm:"constraint:OnDelete:CASCADE"`
	Roles   []RbacRole  `gorm:"many2many:rbac_user_role;foreignKey:ID;joinForeignKey:UserId;references:RoleId;joinReferences:RoleId"`
	RbacCommon
}

// RbacOrder points at its user's code.
type RbacOrder struct {
	ID       uint
	UserCode string `gorm:"size:32;index"`
	Total    int
	RbacCommon
}

// RbacProfile is a user's one profile.
type RbacProfile struct {
	ID         uint
	RbacUserID uint `gorm:"uniqueIndex"`
	Bio        string
	RbacCommon
}

var rbacModels = []any{&RbacMenu{}, &RbacRole{}, &RbacUser{}, &RbacOrder{}, &RbacProfile{}}

func seedRbacRoles(t *testing.T, db *gorm.DB, s *seeder) {
	menus := []RbacMenu{{Title: "home"}, {Title: "admin"}, {Title: "reports"}}
	users := []RbacUser{{Name: "u1", Code: "U1"}, {Name: "u2", Code: "U2"}}
	s.shared(func() {
		create(t, db, &menus)
		create(t, db, &users)
	})
	for _, name := range []string{"editor", "viewer"} {
		r := &RbacRole{RoleName: name, RoleKey: name}
		s.root(name, r, func() {
			create(t, db, r)
			if err := db.Model(r).Association("Menus").Append(&menus[0], &menus[2]); err != nil {
				t.Fatal(err)
			}
			if err := db.Model(r).Association("Users").Append(users); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func seedRbacUsers(t *testing.T, db *gorm.DB, s *seeder) {
	roles := []RbacRole{{RoleName: "editor"}, {RoleName: "viewer"}}
	s.shared(func() { create(t, db, &roles) })
	for i := 1; i <= 3; i++ {
		u := &RbacUser{Name: fmt.Sprintf("user %d", i), Code: fmt.Sprintf("C%d", i)}
		s.root(u.Name, u, func() {
			create(t, db, u)
			create(t, db, &RbacProfile{RbacUserID: u.ID, Bio: "hi"})
			create(t, db, &[]RbacOrder{{UserCode: u.Code, Total: 10}, {UserCode: u.Code, Total: 20}, {UserCode: u.Code, Total: 30}})
			if err := db.Model(u).Association("Roles").Append(roles); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// SdAccount uses the soft_delete plugin's unix seconds, in a unique index
// with the name, so that a deleted name can be taken again.
type SdAccount struct {
	ID        uint
	Name      string                `gorm:"size:64;uniqueIndex:udx_sd_account_name"`
	Posts     []SdPost              `gorm:"constraint:OnDelete:CASCADE"`
	DeletedAt soft_delete.DeletedAt `gorm:"uniqueIndex:udx_sd_account_name"`
}

// SdPost uses a flag.
type SdPost struct {
	ID          uint
	SdAccountID uint
	Title       string
	Comments    []SdComment           // cascades with CascadeAll only
	IsDel       soft_delete.DeletedAt `gorm:"softDelete:flag"`
}

// SdComment uses unix milliseconds.
type SdComment struct {
	ID        uint
	SdPostID  uint
	Body      string
	DeletedAt soft_delete.DeletedAt `gorm:"softDelete:milli"`
}

func seedSdAccounts(t *testing.T, db *gorm.DB, s *seeder) {
	for i := 1; i <= 3; i++ {
		a := &SdAccount{Name: fmt.Sprintf("acct%d", i)}
		s.root(a.Name, a, func() {
			create(t, db, a)
			for j := range 2 {
				p := SdPost{SdAccountID: a.ID, Title: fmt.Sprint(j)}
				create(t, db, &p)
				create(t, db, &[]SdComment{{SdPostID: p.ID, Body: "x"}, {SdPostID: p.ID, Body: "y"}})
			}
		})
	}
}

func TestRBAC(t *testing.T) {
	runSets(t,
		set{
			name:   "roles",
			models: rbacModels,
			seed:   seedRbacRoles,
			trashed: func(bool) map[string]int {
				return map[string]int{"rbac_roles": 1}
			},
			goes: func(bool) map[string]int { return map[string]int{"rbac_role_menu": 2, "rbac_user_role": 2} },
		},
		set{
			name:   "users",
			models: rbacModels,
			seed:   seedRbacUsers,
			trashed: func(bool) map[string]int {
				return map[string]int{"rbac_users": 1, "rbac_orders": 3, "rbac_profiles": 1}
			},
			goes: func(bool) map[string]int { return map[string]int{"rbac_user_role": 2} },
		},
		set{
			name:   "soft_delete plugin",
			models: []any{&SdAccount{}, &SdPost{}, &SdComment{}},
			seed:   seedSdAccounts,
			trashed: func(all bool) map[string]int {
				if all {
					return map[string]int{"sd_accounts": 1, "sd_posts": 2, "sd_comments": 4}
				}
				return map[string]int{"sd_accounts": 1, "sd_posts": 2}
			},
			held: func(all bool) map[string]int {
				if all {
					return nil
				}
				return map[string]int{"sd_posts": 2, "sd_accounts": 1} // live comments' foreign key, and the posts' parent
			},
		},
	)
}
