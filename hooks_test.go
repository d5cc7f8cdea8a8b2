package softcascade_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade/internal/modelstest"
)

// Statement hooks for the fault and race tests: GORM callbacks that run
// before every statement (and before GORM's own commit of a Delete or
// Create) of an operation whose context carries them. They run inside the
// operation's transaction, on its connection.

// point names where a hook runs: the processor of the statement about to
// run ("create", "query", "update", "delete", "row", "raw"), or "commit".
type point string

// stmtHook is called with the statement about to run.
type stmtHook func(db *gorm.DB, at point)

type hooksKey struct{}

// withHooks returns a context whose statements call hooks, in order.
func withHooks(ctx context.Context, hooks ...stmtHook) context.Context {
	prev, _ := ctx.Value(hooksKey{}).([]stmtHook)
	return context.WithValue(ctx, hooksKey{}, append(append([]stmtHook{}, prev...), hooks...))
}

// installHooks registers the callbacks that call a context's hooks.
func installHooks(t testing.TB, db *gorm.DB) {
	t.Helper()
	run := func(at point) func(*gorm.DB) {
		return func(db *gorm.DB) {
			if db.Error != nil || db.DryRun {
				return
			}
			hooks, _ := db.Statement.Context.Value(hooksKey{}).([]stmtHook)
			for _, h := range hooks {
				h(db, at)
			}
		}
	}
	cb := db.Callback()
	// GORM's own transaction callbacks are left out of the chains when
	// SkipDefaultTransaction is set; the plugin's finish commits then.
	commit := "gorm:commit_or_rollback_transaction"
	if db.SkipDefaultTransaction {
		commit = "softcascade:finish"
	}
	for _, err := range []error{
		cb.Create().Before("gorm:create").Register("test:create", run("create")),
		cb.Query().Before("gorm:query").Register("test:query", run("query")),
		cb.Update().Before("gorm:update").Register("test:update", run("update")),
		cb.Delete().Before("gorm:delete").Register("test:delete", run("delete")),
		cb.Row().Before("gorm:row").Register("test:row", run("row")),
		cb.Raw().Before("gorm:raw").Register("test:raw", run("raw")),
		cb.Delete().Before(commit).Register("test:delete_commit", run("commit")),
		cb.Create().Before("gorm:commit_or_rollback_transaction").Register("test:create_commit", run("commit")),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// nth returns a hook that calls fire before the n-th statement (1-based)
// and counts the statements in *seen.
func nth(n int, seen *int, fire func(db *gorm.DB)) stmtHook {
	var mu sync.Mutex
	return func(db *gorm.DB, _ point) {
		mu.Lock()
		*seen++
		hit := *seen == n
		mu.Unlock()
		if hit {
			fire(db)
		}
	}
}

// onTable returns a hook that calls fire once, before the first statement
// at p on table.
func onTable(p point, table string, fire func(db *gorm.DB)) stmtHook {
	var once sync.Once
	return func(db *gorm.DB, at point) {
		// MySQL's multi-table UPDATEs of the cascade run as raw statements.
		if (at == p || p == "update" && at == "raw") && db.Statement.Table == table {
			once.Do(func() { fire(db) })
		}
	}
}

// untilDeadline waits until the statement's context is done, so that the
// statement runs past its deadline.
func untilDeadline(db *gorm.DB) { <-db.Statement.Context.Done() }

// connID returns the server's id for the connection the statement runs on
// (PostgreSQL backend pid, MySQL connection id).
func connID(db *gorm.DB, d modelstest.Dialect) (int64, error) {
	q := "SELECT pg_backend_pid()"
	if d.IsMySQL() {
		q = "SELECT CONNECTION_ID()"
	}
	var id int64
	err := db.Statement.ConnPool.QueryRowContext(context.Background(), q).Scan(&id)
	return id, err
}

// admin is a connection pool of its own to the test's database, for
// killing and watching the connections of db.
func admin(t testing.TB, db *gorm.DB) *sql.DB {
	t.Helper()
	s, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// killer returns a fire function that kills the statement's own
// connection from another connection and waits until it is gone.
func killer(t testing.TB, d modelstest.Dialect, db *gorm.DB) func(*gorm.DB) {
	a := admin(t, db)
	return func(stmt *gorm.DB) {
		id, err := connID(stmt, d)
		if err != nil {
			t.Errorf("connection id: %v", err)
			return
		}
		ctx := context.Background()
		if d.IsPostgres() {
			_, err = a.ExecContext(ctx, "SELECT pg_terminate_backend($1)", id)
		} else {
			_, err = a.ExecContext(ctx, fmt.Sprintf("KILL %d", id))
		}
		if err != nil {
			t.Errorf("kill %d: %v", id, err)
			return
		}
		waitFor(t, fmt.Sprintf("connection %d gone", id), func() bool {
			var n int64
			q := "SELECT count(*) FROM pg_stat_activity WHERE pid = $1"
			if d.IsMySQL() {
				q = "SELECT count(*) FROM information_schema.processlist WHERE id = ?"
			}
			if err := a.QueryRowContext(ctx, q, id).Scan(&n); err != nil {
				t.Errorf("watch %d: %v", id, err)
				return true
			}
			return n == 0
		})
	}
}

// waitFor polls cond every 5 ms for up to 15 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Errorf("timed out waiting for %s", what)
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// session records the server connection of one operation (at its first
// statement), so that a test can see when it waits for a lock.
type session struct {
	d    modelstest.Dialect
	once sync.Once
	id   chan int64
}

func newSession(d modelstest.Dialect) *session {
	return &session{d: d, id: make(chan int64, 1)}
}

func (s *session) hook(db *gorm.DB, _ point) {
	s.once.Do(func() {
		id, err := connID(db, s.d)
		if err != nil {
			id = -1
		}
		s.id <- id
	})
}

// waitBlocked waits until the session's transaction waits for a row lock.
func (s *session) waitBlocked(t testing.TB, db *gorm.DB) {
	t.Helper()
	id := s.connID(t)
	waitFor(t, fmt.Sprintf("connection %d to wait for a lock", id), func() bool { return s.blocked(db, id) })
}

// connID waits for the session's first statement and returns its connection.
func (s *session) connID(t testing.TB) int64 {
	t.Helper()
	select {
	case id := <-s.id:
		s.id <- id
		return id
	case <-time.After(15 * time.Second):
		t.Fatal("the operation never ran a statement")
		return 0
	}
}

// blocked reports whether connection id waits for a lock now.
func (s *session) blocked(db *gorm.DB, id int64) bool {
	a, err := db.DB()
	if err != nil {
		return false
	}
	if s.d.IsPostgres() {
		var ev sql.NullString
		err := a.QueryRow("SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1", id).Scan(&ev)
		return err == nil && ev.String == "Lock"
	}
	// InnoDB refreshes INNODB_TRX only when it was not read for 100 ms:
	// polling it faster would see the same stale snapshot for ever.
	time.Sleep(150 * time.Millisecond)
	var n int64
	err = a.QueryRow("SELECT count(*) FROM information_schema.innodb_trx WHERE trx_mysql_thread_id = ? AND trx_state = 'LOCK WAIT'", id).Scan(&n)
	return err == nil && n > 0
}

// gate holds the first statement for which when is true until released:
// the operation keeps its transaction and locks open meanwhile.
type gate struct {
	when    func(db *gorm.DB, at point) bool
	once    sync.Once
	reached chan struct{}
	release chan struct{}
}

func newGate(when func(db *gorm.DB, at point) bool) *gate {
	return &gate{when: when, reached: make(chan struct{}), release: make(chan struct{})}
}

func (g *gate) hook(db *gorm.DB, at point) {
	if !g.when(db, at) {
		return
	}
	g.once.Do(func() {
		close(g.reached)
		<-g.release
	})
}

// wait waits until the gated operation reached the gate.
func (g *gate) wait(t testing.TB) {
	t.Helper()
	select {
	case <-g.reached:
	case <-time.After(15 * time.Second):
		t.Fatal("the operation never reached its gate")
	}
}

func (g *gate) open() { close(g.release) }

// async runs fn in a goroutine and returns its result on a channel.
func async(fn func() error) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- fn() }()
	return ch
}

func result(t testing.TB, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("the operation did not finish")
		return nil
	}
}
