package main

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// The limit the plugin is measured against: what one writes by hand for
// the seed's schema alone, one set-based UPDATE per edge, the parents of
// each edge found by the deletion's time (deleted_at = now), in one
// transaction.

// handWrittenDelete soft-deletes the measured tree with hand-written SQL.
func handWrittenDelete(e *env) error {
	now := stampNow()
	// Subtasks to any depth: one statement per level until none is left.
	// MySQL refuses an UPDATE whose sub-query reads the same table, unless
	// the sub-query is materialised as a derived table.
	subtasks := "UPDATE tasks SET deleted_at = ? WHERE deleted_at IS NULL AND parent_id IN (SELECT id FROM tasks WHERE deleted_at = ?)"
	if e.dialect == dialectMySQL {
		subtasks = "UPDATE tasks SET deleted_at = ? WHERE deleted_at IS NULL AND parent_id IN (SELECT id FROM (SELECT id FROM tasks WHERE deleted_at = ?) d)"
	}
	return e.plain.Transaction(func(tx *gorm.DB) error {
		exec := func(q string, args ...any) (int64, error) {
			res := tx.Exec(q, args...)
			if res.Error != nil {
				return 0, fmt.Errorf("hand-written: %s: %w", q, res.Error)
			}
			return res.RowsAffected, nil
		}
		if _, err := exec("UPDATE projects SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL", now, e.project); err != nil {
			return err
		}
		if _, err := exec("UPDATE tasks SET deleted_at = ? WHERE project_id = ? AND deleted_at IS NULL", now, e.project); err != nil {
			return err
		}
		for {
			n, err := exec(subtasks, now, now)
			if err != nil {
				return err
			}
			if n == 0 {
				break
			}
		}
		for _, q := range []string{
			"UPDATE comments SET deleted_at = ? WHERE deleted_at IS NULL AND task_id IN (SELECT id FROM tasks WHERE deleted_at = ?)",
			"UPDATE attachments SET deleted_at = ? WHERE deleted_at IS NULL AND owner_type = 'tasks' AND owner_id IN (SELECT id FROM tasks WHERE deleted_at = ?)",
			"UPDATE reactions SET deleted_at = ? WHERE deleted_at IS NULL AND comment_id IN (SELECT id FROM comments WHERE deleted_at = ?)",
			"UPDATE attachments SET deleted_at = ? WHERE deleted_at IS NULL AND owner_type = 'comments' AND owner_id IN (SELECT id FROM comments WHERE deleted_at = ?)",
		} {
			if _, err := exec(q, now, now); err != nil {
				return err
			}
		}
		if _, err := exec("UPDATE documents SET deleted_at = ? WHERE project_id = ? AND deleted_at IS NULL", now, e.project); err != nil {
			return err
		}
		_, err := exec("UPDATE document_versions SET deleted_at = ? WHERE deleted_at IS NULL AND document_id IN (SELECT id FROM documents WHERE deleted_at = ?)", now, now)
		return err
	})
}

// handWrittenRestore brings back what the deletion at e.stamp took: one
// UPDATE per table.
func handWrittenRestore(e *env) error {
	return e.plain.Transaction(func(tx *gorm.DB) error {
		for _, t := range softDeleteTables {
			if err := tx.Exec("UPDATE "+t+" SET deleted_at = NULL WHERE deleted_at = ?", e.stamp).Error; err != nil {
				return fmt.Errorf("hand-written restore %s: %w", t, err)
			}
		}
		return nil
	})
}

// stampNow is the deletion time of the hand-written paths: UTC, to the
// millisecond, as every dialect stores it (MySQL's DATETIME(3)).
func stampNow() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }
