package main

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// wire wraps the connection pool that every *gorm.DB of a run shares: it
// counts round trips (statements, BEGIN, COMMIT, ROLLBACK) and, with a
// latency, sleeps before each one, as a network between the application
// and the database would. Every path goes through it, so the simulated
// latency applies to all of them equally.
type wire struct {
	db      *sql.DB
	latency atomic.Int64 // a time.Duration
	trips   atomic.Int64
	// record, when set, receives every statement and its arguments (for
	// -explain); set it only while no other goroutine uses the wire.
	record func(query string, args []any)
	// timed, when set, receives every round trip and how long it took
	// (for -trace); set it only while no other goroutine uses the wire.
	timed func(query string, d time.Duration)
}

// time runs one round trip and hands its duration to timed, if set.
func (w *wire) time(query string, f func()) {
	if w.timed == nil {
		f()
		return
	}
	start := time.Now()
	f()
	w.timed(query, time.Since(start))
}

// Trips returns the round trips counted so far.
func (w *wire) Trips() int64 { return w.trips.Load() }

// SetLatency sets the simulated latency per round trip.
func (w *wire) SetLatency(d time.Duration) { w.latency.Store(int64(d)) }

func (w *wire) trip() {
	w.trips.Add(1)
	if d := time.Duration(w.latency.Load()); d > 0 {
		time.Sleep(d)
	}
}

func (w *wire) statement(query string, args []any) {
	w.trip()
	if w.record != nil {
		w.record(query, args)
	}
}

// pool is the wire's gorm.ConnPool outside a transaction.
func (w *wire) pool() gorm.ConnPool { return &wirePool{wireConn{w: w, conn: w.db}} }

// conn is what both *sql.DB and *sql.Tx offer.
type conn interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// wireConn sends statements through the wire.
type wireConn struct {
	w    *wire
	conn conn
}

// wirePool is the wire outside a transaction: a gorm.ConnPoolBeginner.
type wirePool struct{ wireConn }

func (p *wireConn) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	p.w.trip()
	return p.conn.PrepareContext(ctx, query)
}

func (p *wireConn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	p.w.statement(query, args)
	var res sql.Result
	var err error
	p.w.time(query, func() { res, err = p.conn.ExecContext(ctx, query, args...) })
	return res, err
}

func (p *wireConn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	p.w.statement(query, args)
	var rows *sql.Rows
	var err error
	p.w.time(query, func() { rows, err = p.conn.QueryContext(ctx, query, args...) })
	return rows, err
}

func (p *wireConn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	p.w.statement(query, args)
	var row *sql.Row
	p.w.time(query, func() { row = p.conn.QueryRowContext(ctx, query, args...) })
	return row
}

// BeginTx implements gorm.ConnPoolBeginner.
func (p *wirePool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	p.w.trip()
	var tx *sql.Tx
	var err error
	p.w.time("BEGIN", func() { tx, err = p.w.db.BeginTx(ctx, opts) })
	if err != nil {
		return nil, err
	}
	return &wireTx{wireConn: wireConn{w: p.w, conn: tx}, tx: tx}, nil
}

// GetDBConn implements gorm.GetDBConnector, for (*gorm.DB).DB.
func (p *wirePool) GetDBConn() (*sql.DB, error) { return p.w.db, nil }

// wireTx is the wire inside a transaction: a gorm.TxCommitter, so GORM
// and the plugin see that a transaction is open, and not a beginner, so
// that GORM does not start another one inside it.
type wireTx struct {
	wireConn
	tx *sql.Tx
}

func (t *wireTx) Commit() error {
	t.w.trip()
	var err error
	t.w.time("COMMIT", func() { err = t.tx.Commit() })
	return err
}

func (t *wireTx) Rollback() error {
	t.w.trip()
	return t.tx.Rollback()
}

// StmtContext implements gorm.Tx.
func (t *wireTx) StmtContext(ctx context.Context, stmt *sql.Stmt) *sql.Stmt {
	return t.tx.StmtContext(ctx, stmt)
}
