package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
)

// explain prints, on PostgreSQL, EXPLAIN (ANALYZE, BUFFERS) of every
// statement of the plugin's and of the hand-written cascade delete, and on
// MariaDB ANALYZE FORMAT=JSON: it records the statements of one run of
// each path, brings the tree back, and replays them, prefixed, in a
// transaction that it rolls back.
func explain(e *env, w io.Writer, progress func(string)) error {
	prefix := "EXPLAIN (ANALYZE, BUFFERS) "
	switch {
	case e.dialect == dialectMySQL && strings.Contains(e.version, "MariaDB"):
		prefix = "ANALYZE FORMAT=JSON "
	case e.dialect != dialectPostgres:
		progress("-explain: PostgreSQL and MariaDB only, skipped")
		return nil
	}
	for _, p := range []path{{"plugin", pluginDelete}, {"hand-written", handWrittenDelete}} {
		type stmt struct {
			query string
			args  []any
		}
		var stmts []stmt
		e.wire.record = func(q string, args []any) { stmts = append(stmts, stmt{q, args}) }
		err := p.run(e)
		e.wire.record = nil
		if err != nil {
			return fmt.Errorf("explain %s: %w", p.name, err)
		}
		if err := revive(e); err != nil {
			return err
		}
		if err := vacuum(e); err != nil {
			return err
		}
		fmt.Fprintf(w, "\n=== %s%s cascade delete (%d statements)\n", prefix, p.name, len(stmts))
		ctx := context.Background()
		tx, err := e.wire.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for _, s := range stmts {
			fmt.Fprintf(w, "\n%s\n", shorten(s.query, 400))
			plan, err := explainOne(ctx, tx, prefix+s.query, s.args)
			if err != nil {
				_ = tx.Rollback()
				return fmt.Errorf("explain %s: %w", p.name, err)
			}
			fmt.Fprint(w, plan)
		}
		if err := tx.Rollback(); err != nil {
			return err
		}
	}
	return nil
}

func explainOne(ctx context.Context, tx *sql.Tx, query string, args []any) (string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return "", err
		}
		b.WriteString("  " + l + "\n")
	}
	return b.String(), rows.Err()
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("... (%d chars)", len(s))
}
