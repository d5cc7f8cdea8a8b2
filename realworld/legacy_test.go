package realworld_test

import (
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	modelstest "github.com/softcascade/softcascade/models_test"
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
		trashed: func(all bool) map[string]int {
			if all {
				return map[string]int{"legacy_projects": 1, "legacy_tasks": 3, "legacy_notes": 6}
			}
			return map[string]int{"legacy_projects": 1, "legacy_tasks": 3}
		},
		known: func(d modelstest.Dialect, _ bool) (string, string) {
			if d.IsSQLite() {
				return "", ""
			}
			return "12.2", "whole-second deleted_at columns (PostgreSQL timestamp(0), MySQL DATETIME): the project is deleted, its tasks stay live, no error"
		},
	})
}
