package softcascade_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// Races on real concurrent connections. The interleavings that matter are
// forced: one operation is held inside its transaction (its locks taken)
// by a gate, the other is started and, where it must, seen waiting for a
// row lock on the server, then the gate opens.
// Purge's races are in races_purge_test.go; TestRaceStress below runs
// purges among its operations.

// ticking is a NowFunc one millisecond later at every call, so that
// concurrent deletions claim different stamps.
func ticking() func() time.Time {
	var n atomic.Int64
	base := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	return func() time.Time { return base.Add(time.Duration(n.Add(1)) * time.Millisecond) }
}

func concurrentOnly(t *testing.T, d modelstest.Dialect) {
	if d.IsSQLite() {
		t.Skip("SQLite runs one writer at a time: there is no interleaving to force")
	}
}

// beforeCommitOf gates GORM's commit of a Delete or Create of table.
func beforeCommitOf(table string) *gate {
	return newGate(func(db *gorm.DB, at point) bool { return at == "commit" && db.Statement.Table == table })
}

// beforeRecord gates a restore after it changed the rows, before it
// records itself in the log.
func beforeRecord() *gate {
	return newGate(func(db *gorm.DB, at point) bool {
		return at == "update" && db.Statement.Table == "softcascade_deletions"
	})
}

// settle waits until the operation has finished or waits for a lock.
func settle(t *testing.T, db *gorm.DB, s *session, ch <-chan error) (done bool, err error) {
	t.Helper()
	id := s.connID(t)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-ch:
			return true, err
		default:
		}
		if s.blocked(db, id) {
			return false, nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the operation neither finished nor waited for a lock")
	return false, nil
}

func TestRaceSameProjectDeletedTwice(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		concurrentOnly(t, d)
		db := open(t, d, &gorm.Config{NowFunc: ticking()})
		installHooks(t, db)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		g := beforeCommitOf("projects")
		first, second := p, p
		var rows1, rows2 int64
		ch1 := async(func() error {
			res := db.WithContext(withHooks(context.Background(), g.hook)).Delete(&first)
			rows1 = res.RowsAffected
			return res.Error
		})
		g.wait(t)
		s := newSession(d)
		ch2 := async(func() error {
			res := db.WithContext(withHooks(context.Background(), s.hook)).Delete(&second)
			rows2 = res.RowsAffected
			return res.Error
		})
		s.waitBlocked(t, db) // on the project row the first delete holds
		g.open()
		must(t, result(t, ch1))
		must(t, result(t, ch2))
		eq(t, "first RowsAffected", rows1, int64(1))
		eq(t, "second RowsAffected", rows2, int64(0))
		ds := deletions(t, db)
		eq(t, "deletions", len(ds), 1)
		eq(t, "rows", ds[0].Rows, int64(79))
		checkLog(t, db)
	})
}

// Many connections delete the same project at the same moment, with no
// forced order: exactly one deletion, no error.
func TestRaceSameProjectDeletedByMany(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		db := open(t, d, nil)
		const workers, rounds = 6, 5
		for r := 0; r < rounds; r++ {
			p := modelstest.SeedProject(t, db, fmt.Sprint("p", r), modelstest.Small)
			var wg sync.WaitGroup
			var mu sync.Mutex
			var total int64
			start := make(chan struct{})
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func(p modelstest.Project) {
					defer wg.Done()
					<-start
					res := db.Delete(&p)
					mu.Lock()
					defer mu.Unlock()
					if res.Error != nil {
						t.Errorf("round %d: %v", r, res.Error)
					}
					total += res.RowsAffected
				}(p)
			}
			close(start)
			wg.Wait()
			eq(t, fmt.Sprint("round ", r, " rows affected"), total, int64(1))
		}
		ds := deletions(t, db)
		eq(t, "deletions", len(ds), rounds)
		for _, del := range ds {
			eq(t, "rows", del.Rows, int64(79))
		}
		checkLog(t, db)
	})
}

// Two deletions overlap on rows of a table that records its deletions in
// the ledger (unix seconds, flag): each keeps exactly its own rows.
func TestRaceOverlappingDeletesOnLedgerTables(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		concurrentOnly(t, d)
		for _, level := range []string{"roots", "children"} {
			t.Run(level, func(t *testing.T) {
				db := open(t, d, &gorm.Config{NowFunc: ticking()})
				installHooks(t, db)
				a, b := seedKinds(t, db, "a"), seedKinds(t, db, "b")
				before := dumpDB(t, db, false)
				var page modelstest.Page
				must(t, db.Where("note_id = ?", a.Notes[0].ID).Order("id").First(&page).Error)
				var line modelstest.Line
				must(t, db.Where("page_id = ?", page.ID).Order("id").First(&line).Error)

				// The first deletion takes a folder (or one line), and holds.
				g := beforeCommitOf("folders")
				first := func(ctx context.Context) error { return db.WithContext(ctx).Delete(&modelstest.Folder{ID: a.ID}).Error }
				second := func(ctx context.Context) error {
					return db.WithContext(ctx).Where("name IN ?", []string{"a", "b"}).Delete(&modelstest.Folder{}).Error
				}
				if level == "children" {
					g = beforeCommitOf("lines")
					first = func(ctx context.Context) error {
						return db.WithContext(ctx).Delete(&modelstest.Line{ID: line.ID}).Error
					}
					second = func(ctx context.Context) error {
						return db.WithContext(ctx).Delete(&modelstest.Page{ID: page.ID}).Error
					}
				}
				ch1 := async(func() error { return first(withHooks(context.Background(), g.hook)) })
				g.wait(t)
				s := newSession(d)
				ch2 := async(func() error { return second(withHooks(context.Background(), s.hook)) })
				s.waitBlocked(t, db)
				g.open()
				must(t, result(t, ch1))
				must(t, result(t, ch2))
				checkLog(t, db)
				checkNoOrphans(t, db, seedEdges(t, db))

				// Undoing the second, then the first, gives back the start.
				ds := deletions(t, db)
				eq(t, "deletions", len(ds), 2)
				_, err := softcascade.RestoreDeletion(db, ds[1].ID)
				must(t, err)
				checkLog(t, db)
				_, err = softcascade.RestoreDeletion(db, ds[0].ID)
				must(t, err)
				if diff := sameDump(before, dumpDB(t, db, false)); diff != "" {
					t.Errorf("after undoing both: %s", diff)
				}
				_ = b
			})
		}
	})
}

func TestRaceDeleteAndRestoreOfTheSameProject(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		concurrentOnly(t, d)
		for _, first := range []string{"restore", "delete"} {
			t.Run(first+" first", func(t *testing.T) {
				db := open(t, d, &gorm.Config{NowFunc: ticking()})
				installHooks(t, db)
				p := modelstest.SeedProject(t, db, "p", modelstest.Small)
				modelstest.SeedProject(t, db, "other", modelstest.Small)
				es := seedEdges(t, db)
				if first == "restore" {
					must(t, db.Delete(&modelstest.Project{ID: p.ID}).Error)
				}
				id := ""
				if ds := deletions(t, db); len(ds) > 0 {
					id = ds[0].ID
				}
				var g *gate
				var ch1 <-chan error
				if first == "restore" {
					g = beforeRecord()
					ch1 = async(func() error {
						_, err := softcascade.RestoreDeletion(db.WithContext(withHooks(context.Background(), g.hook)), id)
						return err
					})
				} else {
					g = beforeCommitOf("projects")
					ch1 = async(func() error {
						return db.WithContext(withHooks(context.Background(), g.hook)).Delete(&modelstest.Project{ID: p.ID}).Error
					})
				}
				g.wait(t)
				s := newSession(d)
				ch2 := async(func() error {
					ctx := withHooks(context.Background(), s.hook)
					if first == "restore" {
						return db.WithContext(ctx).Delete(&modelstest.Project{ID: p.ID}).Error
					}
					_, err := softcascade.Restore(db.WithContext(ctx), &modelstest.Project{ID: p.ID})
					return err
				})
				done, err2 := settle(t, db, s, ch2)
				g.open()
				must(t, result(t, ch1))
				if !done {
					err2 = result(t, ch2)
				}
				if err2 != nil && !errors.Is(err2, softcascade.ErrNotDeleted) {
					t.Fatalf("second operation: %v", err2)
				}
				t.Logf("second operation: %v", err2)
				whole(t, db, p.ID)
				checkLog(t, db)
				checkNoOrphans(t, db, es)
			})
		}
	})
}

// whole fails unless the project and its tree are all live or all deleted.
func whole(t *testing.T, db *gorm.DB, project uint) {
	t.Helper()
	var tasks []modelstest.Task
	must(t, db.Unscoped().Where("project_id = ?", project).Find(&tasks).Error)
	var pr modelstest.Project
	must(t, db.Unscoped().First(&pr, project).Error)
	for _, task := range tasks {
		if task.DeletedAt.Valid != pr.DeletedAt.Valid {
			t.Errorf("project deleted %v, its task %d deleted %v", pr.DeletedAt.Valid, task.ID, task.DeletedAt.Valid)
		}
	}
}

// A task deleted on its own is restored while its project is being
// deleted: it comes back only if the project deletion takes it again.
func TestRaceRestoreOfAChildWhileItsParentIsDeleted(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		concurrentOnly(t, d)
		for _, first := range []string{"delete", "restore"} {
			t.Run(first+" first", func(t *testing.T) {
				db := open(t, d, &gorm.Config{NowFunc: ticking()})
				installHooks(t, db)
				p := modelstest.SeedProject(t, db, "p", modelstest.Small)
				es := seedEdges(t, db)
				var task modelstest.Task
				must(t, db.Where("project_id = ? AND parent_id IS NULL", p.ID).Order("id").First(&task).Error)
				must(t, db.Delete(&task).Error)
				id := deletions(t, db)[0].ID

				restore := func(ctx context.Context) error {
					_, err := softcascade.RestoreDeletion(db.WithContext(ctx), id)
					return err
				}
				del := func(ctx context.Context) error {
					return db.WithContext(ctx).Delete(&modelstest.Project{ID: p.ID}).Error
				}
				g, op1, op2 := beforeCommitOf("projects"), del, restore
				if first == "restore" {
					g, op1, op2 = beforeRecord(), restore, del
				}
				ch1 := async(func() error { return op1(withHooks(context.Background(), g.hook)) })
				g.wait(t)
				s := newSession(d)
				ch2 := async(func() error { return op2(withHooks(context.Background(), s.hook)) })
				done, err2 := settle(t, db, s, ch2)
				g.open()
				must(t, result(t, ch1))
				if !done {
					err2 = result(t, ch2)
				}
				t.Logf("second operation (%s): %v", map[bool]string{true: "restore", false: "delete"}[first == "delete"], err2)
				if err2 != nil && !errors.Is(err2, softcascade.ErrParentDeleted) {
					t.Fatalf("second operation: %v", err2)
				}
				checkNoOrphans(t, db, es)
				checkLog(t, db)
			})
		}
	})
}

// A row is created under a project while the project is being deleted.
// With GuardChildren no live row is left under the deleted project: a
// Create that comes second is refused, a Create that comes first is taken
// by the deletion.
func TestRaceCreateWhileDeleting(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		concurrentOnly(t, d)
		for _, level := range []string{"task", "comment"} {
			for _, first := range []string{"delete", "create"} {
				t.Run(level+"/"+first+" first", func(t *testing.T) {
					db := open(t, d, &gorm.Config{NowFunc: ticking()}, softcascade.GuardChildren())
					installHooks(t, db)
					p := modelstest.SeedProject(t, db, "p", modelstest.Small)
					es := seedEdges(t, db)
					var task modelstest.Task
					must(t, db.Where("project_id = ?", p.ID).Order("id").First(&task).Error)
					create := func(ctx context.Context) error {
						if level == "task" {
							return db.WithContext(ctx).Create(&modelstest.Task{ProjectID: p.ID, Title: "late"}).Error
						}
						return db.WithContext(ctx).Create(&modelstest.Comment{TaskID: task.ID, Body: "late"}).Error
					}
					del := func(ctx context.Context) error {
						return db.WithContext(ctx).Delete(&modelstest.Project{ID: p.ID}).Error
					}
					g, op1, op2 := beforeCommitOf("projects"), del, create
					if first == "create" {
						g, op1, op2 = beforeCommitOf(map[string]string{"task": "tasks", "comment": "comments"}[level]), create, del
					}
					ch1 := async(func() error { return op1(withHooks(context.Background(), g.hook)) })
					g.wait(t)
					s := newSession(d)
					ch2 := async(func() error { return op2(withHooks(context.Background(), s.hook)) })
					s.waitBlocked(t, db)
					g.open()
					must(t, result(t, ch1))
					err := result(t, ch2)
					if first == "delete" && !errors.Is(err, softcascade.ErrParentDeleted) {
						t.Errorf("create after the delete: %v, want ErrParentDeleted", err)
					}
					if first == "create" {
						must(t, err)
						ds := deletions(t, db)
						want := map[string]int64{"task": 10, "comment": 18 + 1}[level]
						table := map[string]string{"task": "tasks", "comment": "comments"}[level]
						eq(t, "rows of "+table+" the deletion took", ds[0].Tables[table], want)
					}
					checkNoOrphans(t, db, es)
					checkLog(t, db)
				})
			}
		}
	})
}

// Without GuardChildren the guarantee does not hold: a task created while
// its project is being deleted, and committed after the delete's cascade,
// stays live under the deleted project.
func TestRaceCreateWhileDeletingWithoutGuard(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		concurrentOnly(t, d)
		db := open(t, d, &gorm.Config{NowFunc: ticking()})
		installHooks(t, db)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		g := beforeCommitOf("projects")
		ch1 := async(func() error {
			return db.WithContext(withHooks(context.Background(), g.hook)).Delete(&modelstest.Project{ID: p.ID}).Error
		})
		g.wait(t)
		s := newSession(d)
		ch2 := async(func() error {
			return db.WithContext(withHooks(context.Background(), s.hook)).Create(&modelstest.Task{ProjectID: p.ID}).Error
		})
		done, err := settle(t, db, s, ch2) // MySQL's foreign key check waits for the delete; PostgreSQL's does not
		g.open()
		must(t, result(t, ch1))
		if !done {
			err = result(t, ch2)
		}
		must(t, err)
		eq(t, "live tasks left under the deleted project", modelstest.CountRows(t, db, &modelstest.Task{}).Live, int64(1))
	})
}

// Two restores of the same deletion at once: it is restored once; the
// other finds nothing left in the trash.
func TestRaceSameDeletionRestoredTwice(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		concurrentOnly(t, d)
		for _, how := range []string{"by ID", "by row"} {
			t.Run(how, func(t *testing.T) {
				db := open(t, d, &gorm.Config{NowFunc: ticking()})
				installHooks(t, db)
				p := modelstest.SeedProject(t, db, "p", modelstest.Small)
				must(t, db.Delete(&modelstest.Project{ID: p.ID}).Error)
				id := deletions(t, db)[0].ID
				restore := func(ctx context.Context) (softcascade.Report, error) {
					if how == "by ID" {
						return softcascade.RestoreDeletion(db.WithContext(ctx), id)
					}
					return softcascade.Restore(db.WithContext(ctx), &modelstest.Project{ID: p.ID})
				}
				g := beforeRecord()
				var rep1, rep2 softcascade.Report
				ch1 := async(func() (err error) { rep1, err = restore(withHooks(context.Background(), g.hook)); return })
				g.wait(t)
				s := newSession(d)
				ch2 := async(func() (err error) { rep2, err = restore(withHooks(context.Background(), s.hook)); return })
				s.waitBlocked(t, db) // on the deletion's log row
				g.open()
				must(t, result(t, ch1))
				err := result(t, ch2)
				eq(t, "first restore", rep1.Rows, int64(79))
				if !errors.Is(err, softcascade.ErrNotDeleted) {
					t.Errorf("second restore: %v (%d rows), want ErrNotDeleted", err, rep2.Rows)
				}
				checkLog(t, db)
				whole(t, db, p.ID)
			})
		}
	})
}

// retryable reports whether err is the database refusing a transaction
// that it may run again: a deadlock, a serialization failure, SQLite busy
// (a deferred transaction that read before another writer committed).
func retryable(err error) bool {
	s := err.Error()
	return strings.Contains(s, "Deadlock found") || strings.Contains(s, "40P01") || strings.Contains(s, "40001") ||
		strings.Contains(s, "database is locked")
}

// Several connections delete, restore and create in overlapping trees at
// random, with no forced order. Every operation succeeds, is refused by
// the plugin's rules, or is aborted by the database as a deadlock; none
// leaves a live row under a deleted parent or a log that disagrees with
// the rows, and undoing every deletion brings every row back.
func TestRaceStress(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		db := open(t, d, &gorm.Config{TranslateError: true}, softcascade.GuardChildren())
		var projects []uint
		for i := 0; i < 3; i++ {
			projects = append(projects, modelstest.SeedProject(t, db, fmt.Sprint("p", i), modelstest.Shape{Tasks: 3, SubtaskDepth: 2, CommentsPerTask: 1, ReactionsPerComment: 1}).ID)
		}
		const workers, ops = 4, 40
		var mu sync.Mutex
		outcomes := map[string]int{}
		var purged atomic.Int64
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(w), 9))
				for i := 0; i < ops; i++ {
					var err error
					var op string
					kind := rng.IntN(5)
					if rng.IntN(12) == 0 {
						kind = 5
					}
					switch kind {
					case 0:
						op = "delete project"
						err = db.Delete(&modelstest.Project{ID: projects[rng.IntN(len(projects))]}).Error
					case 1:
						op = "delete task"
						var ids []uint
						db.Model(&modelstest.Task{}).Pluck("id", &ids)
						if len(ids) > 0 {
							err = db.Delete(&modelstest.Task{ID: ids[rng.IntN(len(ids))]}).Error
						}
					case 2:
						op = "restore deletion"
						var ids []string
						db.Model(&softcascade.Deletion{}).Where("restored_at IS NULL AND purged_at IS NULL").Pluck("id", &ids)
						if len(ids) > 0 {
							_, err = softcascade.RestoreDeletion(db, ids[rng.IntN(len(ids))])
						}
					case 3:
						op = "restore task"
						var ids []uint
						db.Scopes(softcascade.Trashed).Model(&modelstest.Task{}).Pluck("id", &ids)
						if len(ids) > 0 {
							_, err = softcascade.Restore(db, &modelstest.Task{ID: ids[rng.IntN(len(ids))]})
						}
					case 4:
						op = "create comment"
						var ids []uint
						db.Unscoped().Model(&modelstest.Task{}).Pluck("id", &ids)
						if len(ids) > 0 {
							err = db.Create(&modelstest.Comment{TaskID: ids[rng.IntN(len(ids))]}).Error
						}
					case 5:
						// Everything deleted so far has expired.
						op = "purge"
						var rep softcascade.Report
						rep, err = softcascade.Purge(db, softcascade.PurgeOptions{Before: db.NowFunc(), OverrideRetention: true, BatchSize: 5})
						purged.Add(rep.Rows)
					}
					outcome := "ok"
					switch {
					case err == nil:
					case errors.Is(err, softcascade.ErrParentDeleted), errors.Is(err, softcascade.ErrNotDeleted):
						outcome = "refused"
					case errors.Is(err, gorm.ErrRecordNotFound) && strings.HasPrefix(op, "restore"):
						outcome = "refused (purged)"
					case errors.Is(err, gorm.ErrForeignKeyViolated) && op == "create comment":
						// The task was purged between the pick and the create.
						outcome = "refused (task purged)"
					case retryable(err):
						outcome = "deadlock"
					default:
						t.Errorf("%s: %v", op, err)
						outcome = "error"
					}
					mu.Lock()
					outcomes[op+": "+outcome]++
					mu.Unlock()
				}
			}(w)
		}
		wg.Wait()
		t.Logf("outcomes: %v; %d rows purged", outcomes, purged.Load())
		checkNoOrphans(t, db, seedEdges(t, db))
		checkLog(t, db)
		// Stamps follow the order in which deletions began, not the order
		// in which they committed: a parent's deletion may carry an older
		// stamp than a child's that committed first. Undo newest first,
		// and again for those whose parent was still in the trash.
		//
		// A deletion whose purge began cannot be undone: its rows left in
		// the trash (when a purge was held) stay there.
		var held []softcascade.Deletion
		must(t, db.Where("purge_started_at IS NOT NULL AND purged_at IS NULL").Find(&held).Error)
		heldRows := map[string]int64{}
		for _, del := range held {
			mark := cascade.Mark{ID: del.ID, Stamp: del.StampTime()}
			for _, tb := range del.Plan.Tables {
				if tb.Marker != nil {
					heldRows[tb.Name] += memberCount(t, db, tb, mark)
				}
			}
		}
		for pass := 0; ; pass++ {
			var ds []softcascade.Deletion
			must(t, db.Where("restored_at IS NULL AND purge_started_at IS NULL").Order("stamp DESC").Find(&ds).Error)
			if len(ds) == 0 {
				break
			}
			if pass == 10 {
				t.Fatalf("%d deletions cannot be undone", len(ds))
			}
			for _, del := range ds {
				if _, err := softcascade.RestoreDeletion(db, del.ID); err != nil && !errors.Is(err, softcascade.ErrParentDeleted) {
					t.Fatal(err)
				}
			}
		}
		for table, c := range counts(t, db) {
			eq(t, table+" deleted after undoing every deletion", c.Deleted, heldRows[table])
		}
		checkLog(t, db)
	})
}
