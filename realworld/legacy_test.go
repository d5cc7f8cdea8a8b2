package realworld_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/modelstest"
)

// Tables made by another migration tool (raw DDL, no AutoMigrate), with
// the whole-second time columns many of them default to: PostgreSQL
// timestamp(0), MySQL DATETIME.

// LegacyProject is the root.
type LegacyProject struct {
	ID        uint
	Name      string
	CreatedAt time.Time
	Tasks     []LegacyTask `gorm:"constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt
}

// LegacyTask is a project's task.
type LegacyTask struct {
	ID              uint
	LegacyProjectID uint
	Title           string
	CreatedAt       time.Time
	Notes           []LegacyNote // cascades with CascadeAll only
	DeletedAt       gorm.DeletedAt
}

// LegacyNote is a task's note.
type LegacyNote struct {
	ID           uint
	LegacyTaskID uint
	Body         string
	DeletedAt    gorm.DeletedAt
}

func legacyDDL(t *testing.T, db *gorm.DB, d modelstest.Dialect) {
	id, ts, fk := "INTEGER PRIMARY KEY AUTOINCREMENT", "DATETIME", "INTEGER"
	switch {
	case d.IsPostgres():
		id, ts, fk = "BIGSERIAL PRIMARY KEY", "TIMESTAMP(0)", "BIGINT"
	case d.IsMySQL():
		id, ts, fk = "BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY", "DATETIME", "BIGINT UNSIGNED"
	}
	for _, ddl := range []string{
		fmt.Sprintf("CREATE TABLE legacy_projects (id %s, name VARCHAR(100), created_at %s, deleted_at %s NULL)", id, ts, ts),
		fmt.Sprintf("CREATE TABLE legacy_tasks (id %s, legacy_project_id %s NOT NULL REFERENCES legacy_projects (id), title VARCHAR(100), created_at %s, deleted_at %s NULL)", id, fk, ts, ts),
		fmt.Sprintf("CREATE TABLE legacy_notes (id %s, legacy_task_id %s NOT NULL, body VARCHAR(100), deleted_at %s NULL)", id, fk, ts),
		"CREATE INDEX idx_legacy_tasks_deleted_at ON legacy_tasks (deleted_at)",
	} {
		if err := db.Exec(ddl).Error; err != nil {
			t.Fatalf("%s: %v", ddl, err)
		}
	}
}

func seedLegacy(t *testing.T, db *gorm.DB, s *seeder) {
	for p := 1; p <= 3; p++ {
		proj := &LegacyProject{Name: fmt.Sprintf("legacy %d", p)}
		s.root(proj.Name, proj, func() {
			create(t, db, proj)
			for i := range 3 {
				task := LegacyTask{LegacyProjectID: proj.ID, Title: fmt.Sprintf("task %d", i)}
				create(t, db, &task)
				create(t, db, &[]LegacyNote{{LegacyTaskID: task.ID, Body: "a"}, {LegacyTaskID: task.ID, Body: "b"}})
			}
		})
	}
}

func TestLegacyWholeSecondColumns(t *testing.T) {
	runSets(t, set{
		name:    "whole-second deleted_at",
		models:  []any{&LegacyProject{}, &LegacyTask{}, &LegacyNote{}},
		prepare: legacyDDL,
		ddlOnly: true,
		seed:    seedLegacy,
		held: func(all bool) map[string]int {
			if all {
				return nil
			}
			// Notes do not cascade without CascadeAll: the live notes
			// keep their tasks, and the tasks their project.
			return map[string]int{"legacy_projects": 1, "legacy_tasks": 3}
		},
		trashed: func(all bool) map[string]int {
			if all {
				return map[string]int{"legacy_projects": 1, "legacy_tasks": 3, "legacy_notes": 6}
			}
			return map[string]int{"legacy_projects": 1, "legacy_tasks": 3}
		},
	})
}

// Tables made by a migration tool of another ecosystem (Prisma's
// defaults): PascalCase table names, camelCase columns, text ids made by
// the application, millisecond time columns (PostgreSQL timestamp(3),
// MySQL DATETIME(3)), "updatedAt" without a default.

// PrismaWorkspace maps "Workspace".
type PrismaWorkspace struct {
	ID        string         `gorm:"column:id;primaryKey"`
	Name      string         `gorm:"column:name"`
	CreatedAt time.Time      `gorm:"column:createdAt"`
	UpdatedAt time.Time      `gorm:"column:updatedAt"`
	DeletedAt gorm.DeletedAt `gorm:"column:deletedAt"`
	Boards    []PrismaBoard  `gorm:"foreignKey:WorkspaceID;constraint:OnDelete:CASCADE"`
	Invites   []PrismaInvite `gorm:"foreignKey:WorkspaceID"` // cascades with CascadeAll only
}

func (PrismaWorkspace) TableName() string { return "Workspace" }

// PrismaBoard maps "Board".
type PrismaBoard struct {
	ID          string         `gorm:"column:id;primaryKey"`
	WorkspaceID string         `gorm:"column:workspaceId"`
	Title       string         `gorm:"column:title"`
	UpdatedAt   time.Time      `gorm:"column:updatedAt"`
	DeletedAt   gorm.DeletedAt `gorm:"column:deletedAt"`
}

func (PrismaBoard) TableName() string { return "Board" }

// PrismaInvite maps "Invite".
type PrismaInvite struct {
	ID          string         `gorm:"column:id;primaryKey"`
	WorkspaceID string         `gorm:"column:workspaceId"`
	Email       string         `gorm:"column:email"`
	DeletedAt   gorm.DeletedAt `gorm:"column:deletedAt"`
}

func (PrismaInvite) TableName() string { return "Invite" }

func prismaDDL(t *testing.T, db *gorm.DB, d modelstest.Dialect) { prismaDDLWith(t, db, d, "RESTRICT") }

// prismaDDLWith makes the tables; onDelete is the invites' foreign key's
// ON DELETE action.
func prismaDDLWith(t *testing.T, db *gorm.DB, d modelstest.Dialect, onDelete string) {
	q, ts, text, key := `"`, "TIMESTAMP(3)", "TEXT", "TEXT"
	switch {
	case d.IsMySQL():
		q, ts, text, key = "`", "DATETIME(3)", "VARCHAR(191)", "VARCHAR(191)"
	case d.IsSQLite():
		ts = "DATETIME"
	}
	r := strings.NewReplacer(`"`, q, "{ts}", ts, "{text}", text, "{key}", key, "{onDelete}", onDelete)
	for _, ddl := range []string{
		`CREATE TABLE "Workspace" ("id" {key} NOT NULL, "name" {text} NOT NULL, "createdAt" {ts} NOT NULL DEFAULT CURRENT_TIMESTAMP(3), "updatedAt" {ts} NOT NULL, "deletedAt" {ts} NULL, CONSTRAINT "Workspace_pkey" PRIMARY KEY ("id"))`,
		`CREATE TABLE "Board" ("id" {key} NOT NULL, "workspaceId" {key} NOT NULL, "title" {text} NOT NULL, "updatedAt" {ts} NOT NULL, "deletedAt" {ts} NULL, CONSTRAINT "Board_pkey" PRIMARY KEY ("id"), CONSTRAINT "Board_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE RESTRICT ON UPDATE CASCADE)`,
		`CREATE TABLE "Invite" ("id" {key} NOT NULL, "workspaceId" {key} NOT NULL, "email" {text} NOT NULL, "deletedAt" {ts} NULL, CONSTRAINT "Invite_pkey" PRIMARY KEY ("id"), CONSTRAINT "Invite_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE {onDelete} ON UPDATE CASCADE)`,
		`CREATE INDEX "Board_workspaceId_idx" ON "Board" ("workspaceId")`,
	} {
		ddl = r.Replace(ddl)
		if d.IsSQLite() {
			ddl = strings.ReplaceAll(ddl, "CURRENT_TIMESTAMP(3)", "CURRENT_TIMESTAMP")
		}
		if err := db.Exec(ddl).Error; err != nil {
			t.Fatalf("%s: %v", ddl, err)
		}
	}
}

// PrismaBareWorkspace maps "Workspace" without declaring its invites.
type PrismaBareWorkspace struct {
	ID        string         `gorm:"column:id;primaryKey"`
	Name      string         `gorm:"column:name"`
	CreatedAt time.Time      `gorm:"column:createdAt"`
	UpdatedAt time.Time      `gorm:"column:updatedAt"`
	DeletedAt gorm.DeletedAt `gorm:"column:deletedAt"`
	Boards    []PrismaBoard  `gorm:"foreignKey:WorkspaceID;constraint:OnDelete:CASCADE"`
}

func (PrismaBareWorkspace) TableName() string { return "Workspace" }

func seedBarePrisma(t *testing.T, db *gorm.DB, s *seeder) {
	for w := 1; w <= 3; w++ {
		ws := &PrismaBareWorkspace{ID: fmt.Sprintf("clw%021d", w), Name: fmt.Sprintf("workspace %d", w)}
		s.root(ws.Name, ws, func() {
			create(t, db, ws)
			for b := 1; b <= 3; b++ {
				create(t, db, &PrismaBoard{ID: fmt.Sprintf("clb%018d%03d", w, b), WorkspaceID: ws.ID, Title: fmt.Sprint(b)})
			}
			create(t, db, &PrismaInvite{ID: fmt.Sprintf("cli%021d", w), WorkspaceID: ws.ID, Email: "x@example.com"})
		})
	}
}

func seedPrisma(t *testing.T, db *gorm.DB, s *seeder) {
	for w := 1; w <= 3; w++ {
		ws := &PrismaWorkspace{ID: fmt.Sprintf("clw%021d", w), Name: fmt.Sprintf("workspace %d", w)}
		s.root(ws.Name, ws, func() {
			create(t, db, ws)
			for b := 1; b <= 3; b++ {
				create(t, db, &PrismaBoard{ID: fmt.Sprintf("clb%018d%03d", w, b), WorkspaceID: ws.ID, Title: fmt.Sprint(b)})
			}
			create(t, db, &PrismaInvite{ID: fmt.Sprintf("cli%021d", w), WorkspaceID: ws.ID, Email: "x@example.com"})
		})
	}
}

func TestOtherMigrationTool(t *testing.T) {
	runSets(t, set{
		name:   "ON DELETE CASCADE foreign key outside the cascade",
		models: []any{&PrismaWorkspace{}, &PrismaBoard{}, &PrismaInvite{}},
		prepare: func(t *testing.T, db *gorm.DB, d modelstest.Dialect) {
			prismaDDLWith(t, db, d, "CASCADE")
		},
		ddlOnly: true,
		seed:    seedPrisma,
		trashed: func(all bool) map[string]int {
			if all {
				return map[string]int{"Workspace": 1, "Board": 3, "Invite": 1}
			}
			return map[string]int{"Workspace": 1, "Board": 3}
		},
		held: func(all bool) map[string]int {
			if all {
				return nil
			}
			return map[string]int{"Workspace": 1} // its live invite's foreign key
		},
	}, set{
		// The model of Workspace does not declare Invites: GORM knows no
		// relation behind the invites' ON DELETE CASCADE foreign key.
		name:   "ON DELETE CASCADE foreign key no model declares",
		models: []any{&PrismaBareWorkspace{}, &PrismaBoard{}, &PrismaInvite{}},
		prepare: func(t *testing.T, db *gorm.DB, d modelstest.Dialect) {
			prismaDDLWith(t, db, d, "CASCADE")
		},
		ddlOnly: true,
		seed:    seedBarePrisma,
		trashed: func(bool) map[string]int {
			return map[string]int{"Workspace": 1, "Board": 3}
		},
		held: func(bool) map[string]int {
			return map[string]int{"Workspace": 1} // its live invite's foreign key
		},
	}, set{
		name:    "MySQL ON UPDATE CURRENT_TIMESTAMP",
		only:    modelstest.Dialect.IsMySQL,
		models:  []any{&MySQLAudited{}, &MySQLAuditedItem{}},
		prepare: mysqlAuditedDDL,
		ddlOnly: true,
		seed:    seedMySQLAudited,
		trashed: func(bool) map[string]int {
			return map[string]int{"my_sql_auditeds": 1, "my_sql_audited_items": 2}
		},
		known: func(modelstest.Dialect, bool) (string, string) {
			return "new", "MySQL columns ON UPDATE CURRENT_TIMESTAMP (a documented limit, docs/realworld.md): the delete's and the restore's UPDATEs make the server set updated_at, so Restore brings back every column but that one"
		},
	}, set{
		name:    "prisma-style tables",
		models:  []any{&PrismaWorkspace{}, &PrismaBoard{}, &PrismaInvite{}},
		prepare: prismaDDL,
		ddlOnly: true,
		seed:    seedPrisma,
		trashed: func(all bool) map[string]int {
			if all {
				return map[string]int{"Workspace": 1, "Board": 3, "Invite": 1}
			}
			return map[string]int{"Workspace": 1, "Board": 3}
		},
		held: func(all bool) map[string]int {
			if all {
				return nil
			}
			return map[string]int{"Workspace": 1} // its live invite's foreign key
		},
	})
}

// MySQLAudited maps a MySQL table whose updated_at the server maintains
// (ON UPDATE CURRENT_TIMESTAMP), as MySQL-first schemas often have.
type MySQLAudited struct {
	ID        uint
	Name      string
	UpdatedAt time.Time          `gorm:"->"` // the server's
	Items     []MySQLAuditedItem `gorm:"constraint:OnDelete:CASCADE"`
	DeletedAt gorm.DeletedAt
}

// MySQLAuditedItem is its child, with the same column.
type MySQLAuditedItem struct {
	ID             uint
	MySQLAuditedID uint `gorm:"column:my_sql_audited_id"`
	Qty            int
	UpdatedAt      time.Time `gorm:"->"`
	DeletedAt      gorm.DeletedAt
}

func mysqlAuditedDDL(t *testing.T, db *gorm.DB, _ modelstest.Dialect) {
	for _, ddl := range []string{
		"CREATE TABLE my_sql_auditeds (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100), " +
			"updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), deleted_at DATETIME(3) NULL)",
		"CREATE TABLE my_sql_audited_items (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, my_sql_audited_id BIGINT UNSIGNED NOT NULL, qty INT, " +
			"updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), deleted_at DATETIME(3) NULL, " +
			"FOREIGN KEY (my_sql_audited_id) REFERENCES my_sql_auditeds (id))",
	} {
		if err := db.Exec(ddl).Error; err != nil {
			t.Fatalf("%s: %v", ddl, err)
		}
	}
}

func seedMySQLAudited(t *testing.T, db *gorm.DB, s *seeder) {
	for i := 1; i <= 3; i++ {
		a := &MySQLAudited{Name: fmt.Sprintf("audited %d", i)}
		s.root(a.Name, a, func() {
			create(t, db, a)
			create(t, db, &[]MySQLAuditedItem{{MySQLAuditedID: a.ID, Qty: 1}, {MySQLAuditedID: a.ID, Qty: 2}})
		})
	}
	// Make the server's updated_at differ from the deletion's time.
	if err := db.Exec("UPDATE my_sql_auditeds SET updated_at = '2020-01-01 00:00:00.000'").Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("UPDATE my_sql_audited_items SET updated_at = '2020-01-01 00:00:00.000'").Error; err != nil {
		t.Fatal(err)
	}
}
