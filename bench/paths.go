package main

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	modelstest "github.com/softcascade/softcascade/models_test"
)

// env is one run's database: the same tables seen through plain GORM and
// through GORM with softcascade installed, and the measured tree.
type env struct {
	dialect string
	version string
	plugin  *gorm.DB // softcascade installed
	plain   *gorm.DB // plain GORM, same database and wire
	wire    *wire

	project uint      // the root of the measured tree
	task    uint      // one of its tasks
	stamp   time.Time // the deleted-at of the last deletion (restore)
}

// A path is one way of doing an operation; paths of one op are timed
// against each other, alternating, round after round.
type path struct {
	name string
	// run does the operation once. A nil run is a path that does not
	// exist yet: the op is reported as pending.
	run func(e *env) error
}

// An op is an operation measured along several paths. Every timed run
// starts from the state setup leaves (the built tree when setup is nil)
// and reset restores that state afterwards; neither is timed.
type op struct {
	name  string
	paths []path
	// compare lists the ratios to report: {numerator, denominator} path names.
	compare [][2]string
	setup   func(e *env) error
	// check, when set, runs after each timed run, before reset, and
	// returns what the run did (rows per table), which must be the same
	// for every path.
	check func(e *env) (string, error)
	reset func(e *env) error
	// latency: the simulated latency applies to this op.
	latency bool
}

// ops is the table of what the bench measures.
func ops() []op {
	return []op{
		{
			name: "cascade delete",
			paths: []path{
				{"plugin", pluginDelete},
				{"hand-written", handWrittenDelete},
				{"row-by-row", rowByRowDelete},
			},
			compare: [][2]string{{"plugin", "hand-written"}, {"row-by-row", "plugin"}},
			check:   deletedRows,
			reset:   revive,
			latency: true,
		},
		{
			// TODO(restore): time softcascade.Restore against the
			// hand-written restore once Restore is merged: set the plugin
			// path's run to
			//	func(e *env) error {
			//		_, err := softcascade.Restore(e.plugin, &modelstest.Project{ID: e.project})
			//		return err
			//	}
			// setup deletes the tree with the plugin (untimed) and notes
			// its stamp; check verifies that both paths leave it live.
			name: "restore",
			paths: []path{
				{"plugin", nil},
				{"hand-written", handWrittenRestore},
			},
			compare: [][2]string{{"plugin", "hand-written"}},
			setup:   deleteForRestore,
			check:   liveRows,
			reset:   revive,
			latency: true,
		},
		{
			// TODO(purge): time softcascade.Purge against a hand-written
			// batched DELETE loop with the same batch size, on an expired
			// backlog of at least a million rows: setup builds the backlog
			// (trees deleted by the plugin with a clock set back past the
			// retention), the plugin path runs softcascade.Purge with
			// PurgeOptions{BatchSize: n}, the hand-written path runs
			// DELETE ... WHERE id IN (SELECT id ... LIMIT n) per table,
			// children first, until nothing is left; report rows/s.
			name: "purge",
			paths: []path{
				{"plugin", nil},
				{"hand-written", nil},
			},
			compare: [][2]string{{"plugin", "hand-written"}},
		},
	}
}

// pluginDelete is db.Delete(&project) with softcascade installed.
func pluginDelete(e *env) error {
	return e.plugin.Delete(&modelstest.Project{ID: e.project}).Error
}

// deleteForRestore deletes the tree with the plugin and notes the
// deletion's time, which the hand-written restore keys on.
func deleteForRestore(e *env) error {
	if err := pluginDelete(e); err != nil {
		return err
	}
	var d softcascade.Deletion
	if err := e.plain.Order("stamp DESC").First(&d).Error; err != nil {
		return err
	}
	e.stamp = d.DeletedAt
	return nil
}

// softDeleteTables are the seed's soft-deletable tables in the tree.
var softDeleteTables = []string{"projects", "tasks", "comments", "reactions", "attachments", "documents", "document_versions"}

// deletedRows counts the soft-deleted rows per table, e.g.
// "projects=1 tasks=500 ...".
func deletedRows(e *env) (string, error) { return countRows(e, "deleted_at IS NOT NULL") }

// liveRows counts the live rows per table.
func liveRows(e *env) (string, error) { return countRows(e, "deleted_at IS NULL") }

func countRows(e *env, cond string) (string, error) {
	var b strings.Builder
	for i, t := range softDeleteTables {
		var n int64
		if err := e.plain.Table(t).Where(cond).Count(&n).Error; err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%d", t, n)
	}
	return b.String(), nil
}

// revive brings the tree back to live between rounds and empties the
// plugin's deletion log and ledger.
//
// TODO(restore): use softcascade.Restore once it exists (and keep this
// hand-written revive for the other paths' deletions, which the plugin
// does not know about).
func revive(e *env) error {
	return e.plain.Transaction(func(tx *gorm.DB) error {
		for _, t := range softDeleteTables {
			if err := tx.Exec("UPDATE " + t + " SET deleted_at = NULL WHERE deleted_at IS NOT NULL").Error; err != nil {
				return fmt.Errorf("revive %s: %w", t, err)
			}
		}
		for _, t := range []string{"softcascade_ledger", "softcascade_deletions"} {
			if err := tx.Exec("DELETE FROM " + t).Error; err != nil {
				return fmt.Errorf("revive %s: %w", t, err)
			}
		}
		return nil
	})
}

// vacuum reclaims the dead row versions the rounds leave behind
// (PostgreSQL), so that every round starts from the same state.
func vacuum(e *env) error {
	if e.dialect != dialectPostgres {
		return nil
	}
	return e.plain.Exec("VACUUM (ANALYZE) " + strings.Join(append(append([]string{}, softDeleteTables...), "softcascade_deletions", "softcascade_ledger"), ", ")).Error
}

// A read is an everyday query, run with the plugin installed and without.
type read struct {
	name string
	run  func(db *gorm.DB, e *env) error
}

// reads are the everyday queries on tasks: every query of an application
// passes the plugin's callbacks.
var reads = []read{
	{"Find", func(db *gorm.DB, e *env) error {
		var ts []modelstest.Task
		return db.Where("project_id = ?", e.project).Order("id").Limit(100).Find(&ts).Error
	}},
	{"First", func(db *gorm.DB, e *env) error {
		var t modelstest.Task
		return db.First(&t, e.task).Error
	}},
	{"Count", func(db *gorm.DB, e *env) error {
		var n int64
		return db.Model(&modelstest.Task{}).Where("project_id = ?", e.project).Count(&n).Error
	}},
}
