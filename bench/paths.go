package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// env is one run's database: the same tables seen through plain GORM and
// through GORM with softcascade installed, and the measured tree.
type env struct {
	dialect string
	version string
	plugin  *gorm.DB // softcascade installed
	plain   *gorm.DB // plain GORM, same database and wire
	wire    *wire

	scale    int
	project  uint      // the root of the measured tree
	task     uint      // one of its tasks
	stamp    time.Time // the deleted-at of the last deletion (restore)
	deletion string    // the ID of the last deletion (restore)

	purgeRows int   // the least rows of a purge backlog
	batch     int   // rows per purge batch
	backlog   int64 // the rows of the current backlog
}

// A path is one way of doing an operation; paths of one op are timed
// against each other, alternating, round after round.
type path struct {
	name string
	// run does the operation once.
	run func(e *env) error
}

// An op is an operation measured along several paths. Every timed run
// starts from the state setup leaves (the built tree when setup is nil)
// and reset restores that state afterwards; neither is timed.
type op struct {
	key   string // its name in -ops
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
	// noWarmUp skips the untimed warm-up run (an expensive op).
	noWarmUp bool
	// rows, when set, is what one run removes: the report gives rows/s.
	rows func(e *env) int64
}

// ops is the table of what the bench measures.
func ops() []op {
	return []op{
		{
			key:  "delete",
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
			// The plugin's restore by deletion ID (a trash view's
			// button) and by row, against one hand-written UPDATE per
			// table keyed on the deletion's time. setup deletes the
			// tree with the plugin (untimed).
			key:  "restore",
			name: "restore",
			paths: []path{
				{"plugin", pluginRestoreDeletion},
				{"plugin by row", pluginRestoreRow},
				{"hand-written", handWrittenRestore},
			},
			compare: [][2]string{{"plugin", "hand-written"}, {"plugin by row", "hand-written"}},
			setup:   deleteForRestore,
			check:   liveRows,
			reset:   revive,
			latency: true,
		},
		{
			// softcascade.Purge against a hand-written loop of batched
			// DELETEs with the same batch size, children first, on a
			// backlog of at least -purge-rows rows: trees of the scale
			// deleted by the plugin past the retention, built anew
			// before every run (untimed).
			key:  "purge",
			name: "purge",
			paths: []path{
				{"plugin", pluginPurge},
				{"hand-written", handWrittenPurge},
				// Purge with DirArchiver: every row written to a gzip
				// JSON Lines file first (-archive).
				{"plugin+archive", pluginArchivePurge},
			},
			compare:  [][2]string{{"plugin", "hand-written"}, {"plugin+archive", "plugin"}},
			setup:    buildBacklog,
			check:    leftRows,
			reset:    clearLog,
			noWarmUp: true,
			rows:     func(e *env) int64 { return e.backlog },
		},
	}
}

// opByKey returns the op named key in -ops.
func opByKey(key string) (op, bool) {
	for _, o := range ops() {
		if o.key == key {
			return o, true
		}
	}
	return op{}, false
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
	e.stamp, e.deletion = d.DeletedAt, d.ID
	return nil
}

// pluginRestoreDeletion is softcascade.RestoreDeletion of the deletion
// setup made.
func pluginRestoreDeletion(e *env) error {
	_, err := softcascade.RestoreDeletion(e.plugin, e.deletion)
	return err
}

// pluginRestoreRow is softcascade.Restore of the deleted project.
func pluginRestoreRow(e *env) error {
	_, err := softcascade.Restore(e.plugin, &modelstest.Project{ID: e.project})
	return err
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

// revive brings the tree back to live between rounds: what the plugin
// deleted with softcascade.RestoreDeletion, newest deletion first, what
// the other paths deleted with a hand-written UPDATE per table (the plugin
// does not know about it). Then it empties the deletion log and ledger.
func revive(e *env) error {
	var ids []string
	if err := e.plain.Model(&softcascade.Deletion{}).Where("restored_at IS NULL AND purged_at IS NULL").
		Order("stamp DESC").Pluck("id", &ids).Error; err != nil {
		return fmt.Errorf("revive: %w", err)
	}
	for _, id := range ids {
		if _, err := softcascade.RestoreDeletion(e.plugin, id); err != nil && !errors.Is(err, softcascade.ErrNotDeleted) {
			return fmt.Errorf("revive: restore deletion %s: %w", id, err)
		}
	}
	err := e.plain.Transaction(func(tx *gorm.DB) error {
		for _, t := range softDeleteTables {
			if err := tx.Exec("UPDATE " + t + " SET deleted_at = NULL WHERE deleted_at IS NOT NULL").Error; err != nil {
				return fmt.Errorf("revive %s: %w", t, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return clearLog(e)
}

// clearLog empties the plugin's deletion log and ledger.
func clearLog(e *env) error {
	for _, t := range []string{"softcascade_ledger", "softcascade_deletions"} {
		if err := e.plain.Exec("DELETE FROM " + t).Error; err != nil {
			return fmt.Errorf("clear %s: %w", t, err)
		}
	}
	return nil
}

// vacuum reclaims the dead row versions the rounds leave behind
// (PostgreSQL), so that every round starts from the same state.
func vacuum(e *env) error {
	if e.dialect != dialectPostgres {
		return nil
	}
	return e.plain.Exec("VACUUM (ANALYZE) " + strings.Join(append(append([]string{}, softDeleteTables...), "time_entries", "softcascade_deletions", "softcascade_ledger"), ", ")).Error
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
