package main

import (
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/dialect"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// The 1x tree is the seed's project: 500 tasks (400 top-level, 100 of
// them with a subtask), 2,000 comments, 1,000 reactions, 300 attachments
// (200 on tasks, 100 on comments), 1,000 time entries (not
// soft-deletable), 20 documents with 100 versions. Scale n multiplies
// every count by n. The filters on id spread children evenly over
// parents; ids of one INSERT ... SELECT are consecutive.
const (
	topTasks1x      = 400
	documents1x     = 20
	commentsPerTask = 4
	entriesPerTask  = 2
	versionsPerDoc  = 5
)

// treeStatements insert one tree under the project given as the first
// argument of each; seq is the numbers table (column i, 1..n).
var treeStatements = []struct {
	what, sql string
	perScale  int // a second argument: this count times the scale
}{
	{"tasks", "INSERT INTO tasks (project_id, title) SELECT ?, 'task' FROM bench_seq WHERE i <= ?", topTasks1x},
	{"subtasks", "INSERT INTO tasks (project_id, parent_id, title) SELECT project_id, id, 'subtask' FROM tasks WHERE project_id = ? AND id % 4 = 0", 0},
	{"comments", "INSERT INTO comments (task_id, body) SELECT t.id, 'comment' FROM tasks t CROSS JOIN bench_seq s WHERE t.project_id = ? AND s.i <= 4", 0},
	{"reactions", "INSERT INTO reactions (comment_id, emoji) SELECT c.id, '+1' FROM comments c JOIN tasks t ON t.id = c.task_id WHERE t.project_id = ? AND c.id % 2 = 0", 0},
	{"task attachments", "INSERT INTO attachments (owner_id, owner_type, name) SELECT id, 'tasks', 'file.pdf' FROM tasks WHERE project_id = ? AND id % 5 < 2", 0},
	{"comment attachments", "INSERT INTO attachments (owner_id, owner_type, name) SELECT c.id, 'comments', 'image.png' FROM comments c JOIN tasks t ON t.id = c.task_id WHERE t.project_id = ? AND c.id % 20 = 0", 0},
	{"time entries", "INSERT INTO time_entries (task_id, minutes) SELECT t.id, 30 FROM tasks t CROSS JOIN bench_seq s WHERE t.project_id = ? AND s.i <= 2", 0},
	{"documents", "INSERT INTO documents (project_id, title) SELECT ?, 'doc' FROM bench_seq WHERE i <= ?", documents1x},
	{"versions", "INSERT INTO document_versions (document_id, number) SELECT d.id, s.i FROM documents d CROSS JOIN bench_seq s WHERE d.project_id = ? AND s.i <= 5", 0},
}

// seedTables are the tables of the seed's models, parents first.
var seedTables = []string{"clients", "users", "projects", "tasks", "comments", "reactions", "attachments", "time_entries", "documents", "document_versions"}

// build inserts the measured tree at scale and `others` trees of the same
// size beside it, with set-based INSERT ... SELECT statements (a handful
// per tree, whatever its size), then refreshes the planner's statistics.
// It sets e.project and e.task.
func build(e *env, scale, others int) error {
	ids, err := addTrees(e.plain, scale, 1+others, "tree")
	if err != nil {
		return err
	}
	e.project = ids[0]
	if err := e.plain.Raw("SELECT MAX(id) FROM tasks WHERE project_id = ?", e.project).Scan(&e.task).Error; err != nil {
		return fmt.Errorf("build: %w", err)
	}
	return analyze(e.plain)
}

// addTrees inserts n trees at scale and returns their projects' ids. The
// numbers table lives only while it runs.
func addTrees(db *gorm.DB, scale, n int, name string) ([]uint, error) {
	if err := fillSequence(db, topTasks1x*scale); err != nil {
		return nil, err
	}
	ids := make([]uint, 0, n)
	for i := 0; i < n; i++ {
		p := modelstest.Project{Name: fmt.Sprintf("%s %d", name, i)}
		if err := db.Create(&p).Error; err != nil {
			return nil, fmt.Errorf("build: project: %w", err)
		}
		for _, s := range treeStatements {
			args := []any{p.ID}
			if s.perScale > 0 {
				args = append(args, s.perScale*scale)
			}
			if err := db.Exec(s.sql, args...).Error; err != nil {
				return nil, fmt.Errorf("build: %s: %w", s.what, err)
			}
		}
		ids = append(ids, p.ID)
	}
	if err := db.Exec("DROP TABLE bench_seq").Error; err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	return ids, nil
}

// treeRows is the rows of one tree at scale, time entries included: 1
// project and, per 1x, 500 tasks, 2,000 comments, 1,000 reactions, 300
// attachments, 1,000 time entries, 20 documents and 100 versions.
func treeRows(scale int) int { return 1 + 4920*scale }

// fillSequence creates bench_seq holding 1..n, doubling it per statement.
func fillSequence(db *gorm.DB, n int) error {
	n = max(n, commentsPerTask, entriesPerTask, versionsPerDoc)
	stmts := []func() error{
		func() error { return db.Exec("CREATE TABLE bench_seq (i INTEGER PRIMARY KEY)").Error },
		func() error { return db.Exec("INSERT INTO bench_seq (i) VALUES (1)").Error },
	}
	for have := 1; have < n; have *= 2 {
		stmts = append(stmts, func() error {
			return db.Exec("INSERT INTO bench_seq (i) SELECT i + ? FROM bench_seq WHERE i + ? <= ?", have, have, n).Error
		})
	}
	for _, s := range stmts {
		if err := s(); err != nil {
			return fmt.Errorf("build: numbers: %w", err)
		}
	}
	return nil
}

// analyze refreshes the planner's statistics of the seed's tables; on
// PostgreSQL it also vacuums them, so that the first timed run does not
// pay for setting the new rows' hint bits.
func analyze(db *gorm.DB) error {
	var err error
	switch dialect.For(db).Name() {
	case dialectMySQL:
		err = db.Exec("ANALYZE TABLE " + strings.Join(seedTables, ", ")).Error
	case dialectPostgres:
		err = db.Exec("VACUUM (ANALYZE) " + strings.Join(seedTables, ", ")).Error
	default:
		err = db.Exec("ANALYZE").Error
	}
	if err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}
