package softcascade_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	modelstest "github.com/softcascade/softcascade/models_test"
)

// Purge racing restore and purge, on real concurrent connections.

// beforePurgeOf gates a purge before its first statement that reads or
// deletes rows of table (earlier tables are purged and committed by then).
func beforePurgeOf(table string) *gate {
	return newGate(func(db *gorm.DB, at point) bool {
		switch at {
		case "row":
			return db.Statement.Table == table
		case "raw":
			sql := db.Statement.SQL.String()
			return strings.HasPrefix(sql, `DELETE FROM "`+table+`"`) || strings.HasPrefix(sql, "DELETE FROM `"+table+"`")
		}
		return false
	})
}

// leanShape is a project whose first rows to go at purge are time entries,
// which a restore does not touch (and so does not lock).
var leanShape = modelstest.Shape{Tasks: 3, SubtaskDepth: 1, TimeEntriesPerTask: 2, Documents: 1, VersionsPerDocument: 2, Members: 2}

// leanTree is what purging a leanShape project removes.
var leanTree = map[string]int64{"projects": 1, "tasks": 6, "time_entries": 12, "documents": 1, "document_versions": 2, "project_members": 2}

// A restore and a purge of the same expired deletion, in both orders and
// both ways of restoring (the deletion by ID, its root row): the end state
// is the deletion restored whole (and nothing of it purged) or purged whole
// (and the restore refused), never part of each, and the log agrees.
func TestRaceRestoreAndPurgeOfTheSameDeletion(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		concurrentOnly(t, d)
		for _, first := range []string{"restore", "purge"} {
			for _, how := range []string{"by ID", "by row"} {
				t.Run(first+" first/"+how, func(t *testing.T) {
					db, clk := openClocked(t, d)
					installHooks(t, db)
					es := seedEdges(t, db)
					p := modelstest.SeedProject(t, db, "p", leanShape)
					modelstest.SeedProject(t, db, "live", leanShape)
					whole := dumpDB(t, db, false)
					deleteAt(t, db, clk, 40*day, &modelstest.Project{ID: p.ID})
					before := state(t, db)
					id := deletions(t, db)[0].ID

					restore := func(ctx context.Context) error {
						var err error
						if how == "by ID" {
							_, err = softcascade.RestoreDeletion(db.WithContext(ctx), id)
						} else {
							_, err = softcascade.Restore(db.WithContext(ctx), &modelstest.Project{ID: p.ID})
						}
						return err
					}
					var rep softcascade.Report
					purge := func(ctx context.Context) (err error) {
						rep, err = softcascade.Purge(db.WithContext(ctx), softcascade.PurgeOptions{BatchSize: 5})
						return err
					}

					// The first holds: a restore with the rows changed, before
					// it records itself; a purge with the leaves of the tree
					// gone, before its first statement on tasks.
					g, op1, op2 := beforeRecord(), restore, purge
					if first == "purge" {
						g, op1, op2 = beforePurgeOf("tasks"), purge, restore
					}
					ch1 := async(func() error { return op1(withHooks(context.Background(), g.hook)) })
					g.wait(t)
					if first == "purge" {
						eq(t, "time entries left when the purge holds", modelstest.CountRows(t, db, &modelstest.TimeEntry{}).Live, leanTree["time_entries"])
					}
					s := newSession(d)
					ch2 := async(func() error { return op2(withHooks(context.Background(), s.hook)) })
					done, err2 := settle(t, db, s, ch2)
					g.open()
					err1 := result(t, ch1)
					if !done {
						err2 = result(t, ch2)
					}
					restoreErr, purgeErr := err1, err2
					if first == "purge" {
						restoreErr, purgeErr = err2, err1
					}
					t.Logf("restore: %v; purge: %v, %d rows", restoreErr, purgeErr, rep.Rows)
					if first == "restore" && done {
						t.Error("the purge did not wait for the restore holding the deletion")
					}
					must(t, purgeErr)
					del := deletions(t, db)[0]
					if first == "restore" {
						// Restored whole; the purge found nothing left.
						must(t, restoreErr)
						if diff := sameDump(whole, dumpDB(t, db, false)); diff != "" {
							t.Errorf("not restored whole: %s", diff)
						}
						eq(t, "rows purged", rep.Rows, int64(0))
						if del.RestoredAt == nil {
							t.Error("deletion not marked restored")
						}
					} else {
						// Purged whole; the restore was refused.
						if !errors.Is(restoreErr, gorm.ErrRecordNotFound) {
							t.Errorf("restore during the purge: %v, want gorm.ErrRecordNotFound", restoreErr)
						}
						want := expect(before, leanTree)
						want["purged projects"] = 1
						eqMap(t, "state", state(t, db), want)
						if del.RestoredAt != nil || del.RestoredRows != 0 {
							t.Errorf("deletion restored %d rows at %v", del.RestoredRows, del.RestoredAt)
						}
					}
					if del.PurgedAt == nil {
						t.Error("deletion not marked purged")
					}
					checkNoOrphans(t, db, es)
					checkLog(t, db)
				})
			}
		}
	})
}
