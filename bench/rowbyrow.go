package main

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// The seed's way, which the plugin replaces: soft-delete the root, then,
// depth first, for every deleted row that has children: per child table,
// load the ids of its live children (when they have children of their
// own) and run one UPDATE. The number of statements grows with the number
// of rows.

// rbrEdge is one cascading relation of the seed's schema, written by hand
// as the seed's CASCADE_MAP does.
type rbrEdge struct {
	child string
	// ids selects the live children of one parent row (arg: parent id);
	// empty when the child table has no children of its own.
	ids string
	// update soft-deletes the live children of one parent row (args: now, parent id).
	update string
}

var rbrEdges = map[string][]rbrEdge{
	"projects": {
		{"tasks", "SELECT id FROM tasks WHERE project_id = ? AND deleted_at IS NULL", "UPDATE tasks SET deleted_at = ? WHERE project_id = ? AND deleted_at IS NULL"},
		{"documents", "SELECT id FROM documents WHERE project_id = ? AND deleted_at IS NULL", "UPDATE documents SET deleted_at = ? WHERE project_id = ? AND deleted_at IS NULL"},
	},
	"tasks": {
		{"tasks", "SELECT id FROM tasks WHERE parent_id = ? AND deleted_at IS NULL", "UPDATE tasks SET deleted_at = ? WHERE parent_id = ? AND deleted_at IS NULL"},
		{"comments", "SELECT id FROM comments WHERE task_id = ? AND deleted_at IS NULL", "UPDATE comments SET deleted_at = ? WHERE task_id = ? AND deleted_at IS NULL"},
		{"attachments", "", "UPDATE attachments SET deleted_at = ? WHERE owner_type = 'tasks' AND owner_id = ? AND deleted_at IS NULL"},
	},
	"comments": {
		{"reactions", "", "UPDATE reactions SET deleted_at = ? WHERE comment_id = ? AND deleted_at IS NULL"},
		{"attachments", "", "UPDATE attachments SET deleted_at = ? WHERE owner_type = 'comments' AND owner_id = ? AND deleted_at IS NULL"},
	},
	"documents": {
		{"document_versions", "", "UPDATE document_versions SET deleted_at = ? WHERE document_id = ? AND deleted_at IS NULL"},
	},
}

// rowByRowDelete soft-deletes the measured tree the seed's way.
func rowByRowDelete(e *env) error {
	now := stampNow()
	return e.plain.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("UPDATE projects SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL", now, e.project).Error; err != nil {
			return fmt.Errorf("row-by-row: projects: %w", err)
		}
		return cascadeRowByRow(tx, now, "projects", int64(e.project))
	})
}

// cascadeRowByRow soft-deletes the children of one row of table, and
// theirs. A row's children are loaded before they are deleted, so a row
// that two edges reach (a subtask is also its project's task) is visited
// once.
func cascadeRowByRow(tx *gorm.DB, now time.Time, table string, id int64) error {
	for _, edge := range rbrEdges[table] {
		var ids []int64
		if edge.ids != "" {
			if err := tx.Raw(edge.ids, id).Scan(&ids).Error; err != nil {
				return fmt.Errorf("row-by-row: %s ids: %w", edge.child, err)
			}
		}
		if err := tx.Exec(edge.update, now, id).Error; err != nil {
			return fmt.Errorf("row-by-row: %s: %w", edge.child, err)
		}
		for _, c := range ids {
			if err := cascadeRowByRow(tx, now, edge.child, c); err != nil {
				return err
			}
		}
	}
	return nil
}
