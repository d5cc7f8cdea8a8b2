package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// The purge op: a backlog of trees deleted by the plugin longer ago than
// the retention, removed by softcascade.Purge or by a hand-written loop
// of batched DELETEs with the same batch size.

// buildBacklog adds trees of the scale until they hold at least
// e.purgeRows rows, and deletes each with the plugin on a clock set back
// past the retention (untimed). It sets e.backlog to the rows the trees
// hold, time entries included.
func buildBacklog(e *env) error {
	n := (e.purgeRows + treeRows(e.scale) - 1) / treeRows(e.scale)
	ids, err := addTrees(e.plain, e.scale, n, "expired")
	if err != nil {
		return err
	}
	back := softcascade.DefaultRetention + 24*time.Hour
	old := e.plugin.Session(&gorm.Session{NowFunc: func() time.Time { return time.Now().Add(-back) }})
	for _, id := range ids {
		if err := old.Delete(&modelstest.Project{ID: id}).Error; err != nil {
			return fmt.Errorf("backlog: delete tree %d: %w", id, err)
		}
	}
	e.backlog = int64(n * treeRows(e.scale))
	return analyze(e.plain)
}

// pluginPurge is softcascade.Purge of everything past the retention.
func pluginPurge(e *env) error {
	rep, err := softcascade.Purge(e.plugin, softcascade.PurgeOptions{BatchSize: e.batch})
	if err != nil {
		return err
	}
	if rep.Rows != e.backlog {
		return fmt.Errorf("purged %d rows, want %d", rep.Rows, e.backlog)
	}
	return nil
}

// pluginArchivePurge is pluginPurge with PurgeOptions.Archive set to a
// DirArchiver in a temporary directory, removed afterwards.
func pluginArchivePurge(e *env) error {
	dir, err := os.MkdirTemp("", "softcascade-bench-archive-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	rep, err := softcascade.Purge(e.plugin, softcascade.PurgeOptions{BatchSize: e.batch, Archive: softcascade.DirArchiver(dir)})
	if err != nil {
		return err
	}
	if rep.Rows != e.backlog {
		return fmt.Errorf("purged %d rows, want %d", rep.Rows, e.backlog)
	}
	return nil
}

// handPurgeSteps are the hand-written loop's tables, children first, and
// which of their rows are past the retention (arg: the cutoff). Subtasks
// go before their parents; time entries, which are not soft-deletable, go
// with their tasks.
var handPurgeSteps = []struct{ table, where string }{
	{"reactions", "deleted_at < ?"},
	{"attachments", "deleted_at < ?"},
	{"comments", "deleted_at < ?"},
	{"time_entries", "task_id IN (SELECT id FROM tasks WHERE deleted_at < ?)"},
	{"tasks", "parent_id IS NOT NULL AND deleted_at < ?"},
	{"tasks", "deleted_at < ?"},
	{"document_versions", "deleted_at < ?"},
	{"documents", "deleted_at < ?"},
	{"projects", "deleted_at < ?"},
}

// handWrittenPurge deletes what is past the retention as one writes it by
// hand for this schema: per table, children first, DELETE of up to
// e.batch rows per statement (each its own transaction) until a statement
// deletes fewer.
func handWrittenPurge(e *env) error {
	cutoff := time.Now().Add(-softcascade.DefaultRetention)
	var total int64
	for _, s := range handPurgeSteps {
		q := fmt.Sprintf("DELETE FROM %s WHERE id IN (SELECT id FROM %s WHERE %s LIMIT %d)", s.table, s.table, s.where, e.batch)
		switch e.dialect {
		case dialectMySQL:
			q = fmt.Sprintf("DELETE FROM %s WHERE %s LIMIT %d", s.table, s.where, e.batch)
		case dialectPostgres:
			// id = ANY(ARRAY(...)): an index probe per key. With id IN
			// (SELECT ...) PostgreSQL plans a hash semi-join that reads
			// the whole table in every batch.
			q = fmt.Sprintf("DELETE FROM %s WHERE id = ANY(ARRAY(SELECT id FROM %s WHERE %s LIMIT %d))", s.table, s.table, s.where, e.batch)
		}
		for {
			res := e.plain.Exec(q, cutoff)
			if res.Error != nil {
				return fmt.Errorf("hand-written purge %s: %w", s.table, res.Error)
			}
			total += res.RowsAffected
			if res.RowsAffected < int64(e.batch) {
				break
			}
		}
	}
	if total != e.backlog {
		return fmt.Errorf("hand-written purge deleted %d rows, want %d", total, e.backlog)
	}
	return nil
}

// leftRows counts every row of the seed's tables, live or deleted, per
// table: what a purge leaves must be the same for every path.
func leftRows(e *env) (string, error) {
	var b strings.Builder
	for i, t := range append(append([]string{}, softDeleteTables...), "time_entries") {
		var n int64
		if err := e.plain.Table(t).Count(&n).Error; err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%d", t, n)
	}
	return "left " + b.String(), nil
}
