package softcascade_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// Faults: whatever goes wrong part-way through a delete or a restore —
// the context's deadline, the connection killed, a database error on one
// table — the operation happens whole or not at all, and the deletion log
// agrees with the rows. Purge, which is not one transaction, has its own
// fault test in faults_purge_test.go.

// expiring is a context whose deadline passes when expire is called, so
// that a test can make it pass before exactly one statement.
type expiring struct {
	context.Context
	mu       sync.Mutex
	deadline time.Time
	done     chan struct{}
	// after holds the AfterFunc callbacks not run or stopped yet.
	after map[int]func()
	next  int
}

// AfterFunc makes contexts derived from e (context.WithCancel and the
// like) learn of its end inside expire, rather than later from a
// goroutine that a loaded machine may not run in time.
func (e *expiring) AfterFunc(f func()) (stop func() bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	select {
	case <-e.done:
		go f()
		return func() bool { return false }
	default:
	}
	if e.after == nil {
		e.after = map[int]func(){}
	}
	id := e.next
	e.next++
	e.after[id] = f
	return func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		_, ok := e.after[id]
		delete(e.after, id)
		return ok
	}
}

func newExpiring() *expiring {
	return &expiring{Context: context.Background(), deadline: time.Now().Add(time.Hour), done: make(chan struct{})}
}

func (e *expiring) Deadline() (time.Time, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.deadline, true
}

func (e *expiring) Done() <-chan struct{} { return e.done }

func (e *expiring) Err() error {
	select {
	case <-e.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// expire makes the deadline pass now.
func (e *expiring) expire() {
	e.mu.Lock()
	select {
	case <-e.done:
		e.mu.Unlock()
		return
	default:
	}
	e.deadline = time.Now()
	close(e.done)
	after := e.after
	e.after = nil
	e.mu.Unlock()
	for _, f := range after {
		f()
	}
}

// sweep runs op with a fault before its 1st, 2nd, ... statement until op
// runs to the end without reaching the fault. Every faulted run must fail
// and leave the database exactly as it was. It returns the number of
// statements op ran.
func sweep(t *testing.T, db *gorm.DB, what string, op func(ctx context.Context) error, fault func(ctx context.Context) (context.Context, func(*gorm.DB))) int {
	t.Helper()
	before := dumpDB(t, db, true)
	for n := 1; ; n++ {
		seen := 0
		ctx, fire := fault(context.Background())
		err := op(withHooks(ctx, nth(n, &seen, fire)))
		if seen < n { // the fault was never reached: op ran whole
			if err != nil {
				t.Fatalf("%s without a fault: %v", what, err)
			}
			return seen
		}
		if err == nil {
			t.Fatalf("%s with a fault before statement %d of %d succeeded", what, n, seen)
		}
		requireUnchanged(t, fmt.Sprintf("%s with a fault before statement %d (%v)", what, n, err), db, before)
	}
}

// deadlineFault passes the context's deadline before the statement.
func deadlineFault(ctx context.Context) (context.Context, func(*gorm.DB)) {
	e := newExpiring()
	e.Context = ctx
	return e, func(*gorm.DB) {
		e.expire()
		// Contexts derived from a custom one learn of its end from a
		// goroutine: let the transaction's own context see it, as it
		// would a real deadline.
		time.Sleep(20 * time.Millisecond)
	}
}

func txConfigs() map[string]*gorm.Config {
	return map[string]*gorm.Config{
		"default-tx": {},
		"skip-tx":    {SkipDefaultTransaction: true},
	}
}

func TestFaultDeadlineAtEveryStatementOfADelete(t *testing.T) {
	for name, cfg := range txConfigs() {
		t.Run(name, func(t *testing.T) {
			modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
				db := open(t, d, cfg)
				installHooks(t, db)
				p := modelstest.SeedProject(t, db, "p", modelstest.Small)
				modelstest.SeedProject(t, db, "other", modelstest.Small)
				f := seedKinds(t, db, "f")
				n := sweep(t, db, "delete project", func(ctx context.Context) error {
					return db.WithContext(ctx).Delete(&p).Error
				}, deadlineFault)
				m := sweep(t, db, "delete folder (ledger kinds)", func(ctx context.Context) error {
					return db.WithContext(ctx).Delete(&f).Error
				}, deadlineFault)
				t.Logf("faulted every one of %d + %d statements", n, m)
				eq(t, "deletions", len(deletions(t, db)), 2)
				eq(t, "tasks deleted", modelstest.CountRows(t, db, &modelstest.Task{}).Deleted, int64(9))
				checkLog(t, db)
			})
		})
	}
}

func TestFaultDeadlineAtEveryStatementOfARestore(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		db := open(t, d, nil)
		installHooks(t, db)
		var ps []modelstest.Project
		for _, n := range []string{"a", "b", "c"} {
			ps = append(ps, modelstest.SeedProject(t, db, n, modelstest.Small))
		}
		must(t, db.Where("name IN ?", []string{"a", "b"}).Delete(&modelstest.Project{}).Error)
		must(t, db.Delete(&ps[2]).Error)
		a, b := seedKinds(t, db, "a"), seedKinds(t, db, "b")
		must(t, db.Delete(&[]modelstest.Folder{a, b}).Error)
		ds := deletions(t, db)

		// A part of a multi-root deletion, by row; a whole one, by ID; the
		// rest of the multi-root one; one part of the ledger kinds.
		n1 := sweep(t, db, "restore one root", func(ctx context.Context) error {
			_, err := softcascade.Restore(db.WithContext(ctx), &ps[0])
			return err
		}, deadlineFault)
		n2 := sweep(t, db, "restore deletion", func(ctx context.Context) error {
			_, err := softcascade.RestoreDeletion(db.WithContext(ctx), ds[1].ID)
			return err
		}, deadlineFault)
		n3 := sweep(t, db, "restore the rest", func(ctx context.Context) error {
			_, err := softcascade.RestoreDeletion(db.WithContext(ctx), ds[0].ID)
			return err
		}, deadlineFault)
		n4 := sweep(t, db, "restore one folder", func(ctx context.Context) error {
			_, err := softcascade.Restore(db.WithContext(ctx), &b)
			return err
		}, deadlineFault)
		t.Logf("faulted every one of %d, %d, %d, %d statements", n1, n2, n3, n4)
		eq(t, "projects deleted", modelstest.CountRows(t, db, &modelstest.Project{}).Deleted, int64(0))
		eq(t, "folders deleted", modelstest.CountRows(t, db, &modelstest.Folder{}).Deleted, int64(1))
		checkLog(t, db)
	})
}

// A real deadline: a statement half-way through the cascade takes longer
// than the context allows.
func TestFaultDeadlinePassesMidCascade(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		db := open(t, d, nil)
		installHooks(t, db)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		before := dumpDB(t, db, true)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		err := db.WithContext(withHooks(ctx, onTable("update", "comments", untilDeadline))).Delete(&p).Error
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Logf("error: %v", err)
		}
		if err == nil {
			t.Fatal("delete past its deadline succeeded")
		}
		requireUnchanged(t, "delete past its deadline", db, before)

		must(t, db.Delete(&p).Error)
		before = dumpDB(t, db, true)
		ctx, cancel = context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		_, err = softcascade.Restore(db.WithContext(withHooks(ctx, onTable("update", "comments", untilDeadline))), &p)
		if err == nil {
			t.Fatal("restore past its deadline succeeded")
		}
		requireUnchanged(t, "restore past its deadline", db, before)
		checkLog(t, db)
	})
}

func serverOnly(t *testing.T, d modelstest.Dialect) {
	if d.IsSQLite() {
		t.Skip("an embedded database has no connection to kill")
	}
}

func TestFaultConnectionKilledAtEveryStatement(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		serverOnly(t, d)
		db := open(t, d, nil)
		installHooks(t, db)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		f := seedKinds(t, db, "f")
		kill := func(ctx context.Context) (context.Context, func(*gorm.DB)) { return ctx, killer(t, d, db) }
		n := sweep(t, db, "delete project", func(ctx context.Context) error {
			return db.WithContext(ctx).Delete(&p).Error
		}, kill)
		m := sweep(t, db, "delete folder", func(ctx context.Context) error {
			return db.WithContext(ctx).Delete(&f).Error
		}, kill)
		ds := deletions(t, db)
		r := sweep(t, db, "restore project", func(ctx context.Context) error {
			_, err := softcascade.RestoreDeletion(db.WithContext(ctx), ds[0].ID)
			return err
		}, kill)
		s := sweep(t, db, "restore folder", func(ctx context.Context) error {
			_, err := softcascade.Restore(db.WithContext(ctx), &f)
			return err
		}, kill)
		t.Logf("killed the connection before every one of %d, %d, %d, %d statements", n, m, r, s)
		checkLog(t, db)
		eq(t, "tasks deleted", modelstest.CountRows(t, db, &modelstest.Task{}).Deleted, int64(0))
	})
}

// The connection dies half-way through the cascade of the seed's project
// (500 tasks, 2,000 comments, 300 attachments), from a second connection.
func TestFaultConnectionKilledInALargeCascade(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		serverOnly(t, d)
		for name, cfg := range txConfigs() {
			t.Run(name, func(t *testing.T) {
				db := open(t, d, cfg)
				installHooks(t, db)
				p := modelstest.SeedProject(t, db, "big", modelstest.Seed)
				before := dumpDB(t, db, true)
				ctx := withHooks(context.Background(), onTable("update", "comments", killer(t, d, db)))
				if err := db.WithContext(ctx).Delete(&p).Error; err == nil {
					t.Fatal("delete on a killed connection succeeded")
				} else {
					t.Logf("delete: %v", err)
				}
				requireUnchanged(t, "a killed delete", db, before)

				must(t, db.Delete(&p).Error)
				before = dumpDB(t, db, true)
				ctx = withHooks(context.Background(), onTable("update", "comments", killer(t, d, db)))
				if _, err := softcascade.Restore(db.WithContext(ctx), &p); err == nil {
					t.Fatal("restore on a killed connection succeeded")
				}
				requireUnchanged(t, "a killed restore", db, before)
				checkLog(t, db)
				eq(t, "comments deleted", modelstest.CountRows(t, db, &modelstest.Comment{}).Deleted, int64(2000))
			})
		}
	})
}

// refuse makes the database itself fail any statement that soft-deletes
// (or, with restoring, restores) a row of reactions.
func refuse(t *testing.T, d modelstest.Dialect, db *gorm.DB, restoring bool) {
	t.Helper()
	var stmts []string
	switch {
	case d.IsSQLite():
		cond := "NEW.deleted_at IS NOT NULL"
		if restoring {
			cond = "NEW.deleted_at IS NULL"
		}
		stmts = []string{"CREATE TRIGGER sc_refuse BEFORE UPDATE ON reactions WHEN " + cond + " BEGIN SELECT RAISE(ABORT, 'reactions refuse'); END"}
	case d.IsPostgres():
		cond := "NEW.deleted_at IS NOT NULL"
		if restoring {
			cond = "NEW.deleted_at IS NULL"
		}
		stmts = []string{
			"CREATE FUNCTION sc_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'reactions refuse'; END $$",
			"CREATE TRIGGER sc_refuse BEFORE UPDATE ON reactions FOR EACH ROW WHEN (" + cond + ") EXECUTE FUNCTION sc_refuse()",
		}
	default:
		cond := "NEW.deleted_at IS NOT NULL"
		if restoring {
			cond = "NEW.deleted_at IS NULL"
		}
		stmts = []string{"CREATE TRIGGER sc_refuse BEFORE UPDATE ON reactions FOR EACH ROW BEGIN IF " + cond + " THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'reactions refuse'; END IF; END"}
	}
	for _, s := range stmts {
		must(t, db.Exec(s).Error)
	}
}

func unrefuse(t *testing.T, d modelstest.Dialect, db *gorm.DB) {
	t.Helper()
	must(t, db.Exec("DROP TRIGGER sc_refuse"+map[bool]string{true: " ON reactions", false: ""}[d.IsPostgres()]).Error)
	if d.IsPostgres() {
		must(t, db.Exec("DROP FUNCTION sc_refuse()").Error)
	}
}

func TestFaultDatabaseErrorOnOneTable(t *testing.T) {
	for name, cfg := range txConfigs() {
		t.Run(name, func(t *testing.T) {
			modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
				db := open(t, d, cfg)
				p := modelstest.SeedProject(t, db, "p", modelstest.Small)
				modelstest.SeedProject(t, db, "other", modelstest.Small)
				before := dumpDB(t, db, true)
				refuse(t, d, db, false)
				err := db.Delete(&p).Error
				if err == nil {
					t.Fatal("delete succeeded though reactions refuse")
				}
				t.Logf("delete: %v", err)
				unrefuse(t, d, db)
				requireUnchanged(t, "a delete that failed on reactions", db, before)

				must(t, db.Delete(&p).Error)
				before = dumpDB(t, db, true)
				refuse(t, d, db, true)
				if _, err := softcascade.Restore(db, &p); err == nil {
					t.Fatal("restore succeeded though reactions refuse")
				}
				if _, err := softcascade.RestoreDeletion(db, deletions(t, db)[0].ID); err == nil {
					t.Fatal("restore succeeded though reactions refuse")
				}
				unrefuse(t, d, db)
				requireUnchanged(t, "a restore that failed on reactions", db, before)
				checkLog(t, db)
			})
		})
	}
}

// A failed Delete inside the caller's transaction leaves nothing behind,
// even when the caller goes on and commits.
func TestFaultInCallersTransactionThatCommitsAnyway(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		c := modelstest.Client{Name: "acme"}
		must(t, db.Create(&c).Error)
		q := modelstest.SeedProject(t, db, "q", modelstest.Shape{Tasks: 1})
		must(t, db.Model(&q).Update("client_id", c.ID).Error)
		before := dumpDB(t, db, true)

		refuse(t, d, db, false)
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Delete(&p).Error; err == nil {
				t.Error("delete succeeded though reactions refuse")
			}
			// The restrict check fails after the root UPDATE ran.
			if err := tx.Delete(&c).Error; !errors.Is(err, softcascade.ErrRestricted) {
				t.Errorf("delete client: %v, want ErrRestricted", err)
			}
			return tx.Create(&modelstest.User{Name: "still works"}).Error
		})
		unrefuse(t, d, db)
		must(t, err)
		var u modelstest.User
		must(t, db.Where("name = ?", "still works").First(&u).Error)
		must(t, db.Unscoped().Delete(&u).Error)
		requireUnchanged(t, "failed deletes in a committed transaction", db, before)
		checkLog(t, db)
	})
}
