package softcascade_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// Purge racing restore and purge, on real concurrent connections.

// beforePurgeOf gates a purge before its first statement that reads or
// deletes rows of table (earlier tables are purged and committed by then).
func beforePurgeOf(table string) *gate {
	return newGate(func(db *gorm.DB, at point) bool {
		sql := db.Statement.SQL.String()
		deletes := strings.Contains(sql, `DELETE FROM "`+table+`"`) || strings.Contains(sql, "DELETE FROM `"+table+"`")
		switch at {
		case "row": // a batch that selects its keys, or a key-order batch (PostgreSQL)
			return db.Statement.Table == table || deletes
		case "raw":
			return deletes
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
// three ways of restoring (the deletion by ID, its root row, one root of a
// deletion of two): the end state is what the restore brings back
// restored whole (and nothing of it purged) and the rest purged whole, or
// all of it purged (and the restore refused), never part of each, and the
// log agrees.
func TestRaceRestoreAndPurgeOfTheSameDeletion(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		concurrentOnly(t, d)
		for _, first := range []string{"restore", "purge"} {
			for _, how := range []string{"by ID", "by row", "one root of two"} {
				t.Run(first+" first/"+how, func(t *testing.T) {
					db, clk := openClocked(t, d)
					installHooks(t, db)
					es := seedEdges(t, db)
					p := modelstest.SeedProject(t, db, "p", leanShape)
					roots := []modelstest.Project{{ID: p.ID}}
					if how == "one root of two" {
						roots = append(roots, modelstest.Project{ID: modelstest.SeedProject(t, db, "q", leanShape).ID})
					}
					modelstest.SeedProject(t, db, "live", leanShape)
					whole := dumpDB(t, db, false)
					deleteAt(t, db, clk, 40*day, &roots)
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
					switch {
					case first == "restore" && how == "one root of two":
						// p restored whole, q purged whole.
						must(t, restoreErr)
						eqMap(t, "rows purged", rep.Tables, leanTree)
						want := expect(before, leanTree)
						for table, n := range leanTree {
							if table != "time_entries" && table != "project_members" {
								want[table+" deleted"] -= n
								want[table+" live"] += n
							}
						}
						want["purged projects"] = 1
						eqMap(t, "state", state(t, db), want)
						var tasks []string
						for _, l := range whole["tasks"] {
							if fields(l)["project_id"] == fmt.Sprint(p.ID) {
								tasks = append(tasks, l)
							}
						}
						got := dumpTableWhere(t, db, "tasks", clause.Eq{Column: clause.Column{Name: "project_id"}, Value: p.ID})
						if diff := sameDump(map[string][]string{"tasks": tasks}, map[string][]string{"tasks": got}); diff != "" {
							t.Errorf("p not restored whole: %s", diff)
						}
						if del.RestoredRows != sum(leanTree)-leanTree["time_entries"]-leanTree["project_members"] {
							t.Errorf("deletion restored %d rows", del.RestoredRows)
						}
					case first == "restore":
						// Restored whole; the purge found nothing left.
						must(t, restoreErr)
						if diff := sameDump(whole, dumpDB(t, db, false)); diff != "" {
							t.Errorf("not restored whole: %s", diff)
						}
						eq(t, "rows purged", rep.Rows, int64(0))
						if del.RestoredAt == nil {
							t.Error("deletion not marked restored")
						}
					default:
						// Purged whole; the restore was refused.
						if !errors.Is(restoreErr, gorm.ErrRecordNotFound) {
							t.Errorf("restore during the purge: %v, want gorm.ErrRecordNotFound", restoreErr)
						}
						want := expect(before, scale(leanTree, int64(len(roots))))
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

// Two purges at once: the second finds the first holding the purge lock
// and returns at once, with nothing done and no error; the first does the
// work, once.
func TestRaceTwoPurgesAtOnce(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		concurrentOnly(t, d)
		db, clk := openClocked(t, d)
		installHooks(t, db)
		for _, name := range []string{"a", "b"} {
			deleteAt(t, db, clk, 40*day, ptr(modelstest.SeedProject(t, db, name, leanShape)))
		}
		modelstest.SeedProject(t, db, "live", leanShape)
		before := state(t, db)
		opts := softcascade.PurgeOptions{BatchSize: 5}

		g := beforePurgeOf("tasks")
		var first softcascade.Report
		ch1 := async(func() (err error) {
			first, err = softcascade.Purge(db.WithContext(withHooks(context.Background(), g.hook)), opts)
			return err
		})
		g.wait(t)
		second, err := softcascade.Purge(db, opts)
		must(t, err)
		eq(t, "rows the second purge removed", second.Rows, int64(0))
		if !second.Busy {
			t.Error("the second purge does not report the lock as busy")
		}
		g.open()
		must(t, result(t, ch1))
		eqMap(t, "rows the first purge removed", first.Tables, scale(leanTree, 2))
		want := expect(before, scale(leanTree, 2))
		want["purged projects"] = 2
		eqMap(t, "state", state(t, db), want)
		checkLog(t, db)
	})
}
