package purge

import (
	"strconv"

	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/errs"
)

// Aliases of the key-order batch statement's parts.
const (
	windowAlias  = "sc_k"  // the batch's window: its rows' keys, in order
	deletedAlias = "sc_d"  // the rows the batch deleted
	locAlias     = "sc_at" // a window row's ctid
)

// sweepInKeyOrder is sweep for a table with a one-column key, on a
// database that runs a keyWindow (PostgreSQL). Each batch takes the window
// of the next BatchSize rows of the unit in key order, after the last key
// the previous batch reached, and deletes those of them that may go (keep:
// no child row left, not held by a foreign key), in one statement. A batch
// so reads its own rows only, however large the table: rows of other
// deletions and rows that must stay are passed over once per pass instead
// of once per batch. A self-referencing table takes passes, leaves first,
// until a pass leaves nothing or deletes nothing.
//
// It returns the rows of the unit left in t, which the windows saw: known
// is false when it stopped early (too many rows held).
func (r *runner) sweepInKeyOrder(u *unit, t plan.Table, cond clause.Expression, guard []clause.Expression, self bool, held map[string][]any) (left int64, known bool, err error) {
	for {
		var after any
		var deleted int64
		left = 0
		for {
			if err := r.ctx.Err(); err != nil {
				return 0, false, err
			}
			if r.tooManyHeld(t, held) {
				return 0, false, nil
			}
			keep := append([]clause.Expression{cond}, guard...)
			if self && len(held) > 0 {
				keep = append(keep, notHeld(t, held)) // a later pass comes by them again
			}
			n, seen, last, err := r.window(t, cond, clause.And(keep...), after)
			switch {
			case err == nil:
				r.counted(u, t.Name, n)
			case r.foreignKey(err):
				if n, seen, last, err = r.windowByKeys(u, t, cond, clause.And(keep...), after, held); err != nil {
					return 0, false, err
				}
			default:
				return 0, false, errs.Wrap(err, "purge %s", t.Name)
			}
			deleted, left = deleted+n, left+seen-n
			if seen < int64(r.opts.BatchSize) {
				break
			}
			after = last
		}
		if !self || deleted == 0 || left == 0 {
			return left, true, nil
		}
	}
}

// window runs one key-order batch, which deletes the rows of its window
// that match keep (cond included), and returns the rows it deleted, the
// rows its window held and the window's last key.
func (r *runner) window(t plan.Table, cond, keep clause.Expression, after any) (deleted, seen int64, last any, err error) {
	stmt := keyWindow{table: t.Name, key: t.PrimaryKeys[0], cond: cond, keep: keep, n: r.opts.BatchSize, after: after}
	err = r.q().Raw("?", stmt).Row().Scan(&deleted, &seen, &last)
	if b, ok := last.([]byte); ok {
		last = string(b)
	}
	return deleted, seen, last, err
}

// windowByKeys is window for a batch that a foreign key from outside the
// cascade refused: it reads the window's keys, then deletes them, row by
// row where refused (counting them into the result); the rows still
// refused are held for the rest of the run.
func (r *runner) windowByKeys(u *unit, t plan.Table, cond, keep clause.Expression, after any, held map[string][]any) (deleted, seen int64, last any, err error) {
	where := []clause.Expression{cond}
	if after != nil {
		where = append(where, clause.Gt{Column: col(t.Name, t.PrimaryKeys[0]), Value: after})
	}
	keys, err := r.selectKeys(t, where, true)
	if err != nil || len(keys) == 0 {
		if err != nil {
			err = errs.Wrap(err, "purge %s", t.Name)
		}
		return 0, 0, nil, err
	}
	deleted, err = r.deleteKeys(u, t, keep, keys, held)
	return deleted, int64(len(keys)), keys[len(keys)-1][0], err
}

// keyWindow is one batch of a sweep in key order, on PostgreSQL:
//
//	WITH sc_k AS MATERIALIZED (SELECT key, ctid AS sc_at FROM t WHERE cond [AND key > after] ORDER BY key LIMIT n),
//	     sc_d AS (DELETE FROM t WHERE ctid = ANY(ARRAY(SELECT sc_at FROM sc_k)) AND keep RETURNING 1)
//	SELECT (SELECT count(*) FROM sc_d), (SELECT count(*) FROM sc_k),
//	       (SELECT key FROM sc_k ORDER BY key DESC LIMIT 1)
//
// The window is a range scan of the key's index (or, for a small
// deletion, its rows from the soft-delete column's index, sorted); the
// DELETE reaches its rows by ctid (a TID scan, whatever the planner
// thinks of the window's size) and checks the children of those rows
// only. A row updated meanwhile (restored) has a new ctid and stays; keep
// includes cond, checked again all the same.
type keyWindow struct {
	table      string
	key        string
	cond, keep clause.Expression
	n          int
	after      any
}

// Build writes the statement.
func (w keyWindow) Build(b clause.Builder) {
	key := col(w.table, w.key)
	windowKey := col(windowAlias, w.key)
	window := clause.Table{Name: windowAlias}
	tbl := clause.Table{Name: w.table}
	b.WriteString("WITH ")
	b.WriteQuoted(window)
	b.WriteString(" AS MATERIALIZED (SELECT ")
	b.WriteQuoted(key)
	b.WriteString(", ")
	b.WriteQuoted(tbl)
	b.WriteString(".ctid AS ")
	b.WriteQuoted(clause.Column{Name: locAlias})
	b.WriteString(" FROM ")
	b.WriteQuoted(tbl)
	b.WriteString(" WHERE ")
	where := w.cond
	if w.after != nil {
		where = clause.And(w.cond, clause.Gt{Column: key, Value: w.after})
	}
	where.Build(b)
	b.WriteString(" ORDER BY ")
	b.WriteQuoted(key)
	b.WriteString(" LIMIT " + strconv.Itoa(w.n) + "), ")
	b.WriteQuoted(clause.Table{Name: deletedAlias})
	b.WriteString(" AS (DELETE FROM ")
	b.WriteQuoted(tbl)
	b.WriteString(" WHERE ")
	b.WriteQuoted(tbl)
	b.WriteString(".ctid = ANY(ARRAY(SELECT ")
	b.WriteQuoted(col(windowAlias, locAlias))
	b.WriteString(" FROM ")
	b.WriteQuoted(window)
	b.WriteString(")) AND ")
	w.keep.Build(b)
	b.WriteString(" RETURNING 1) SELECT (SELECT count(*) FROM ")
	b.WriteQuoted(clause.Table{Name: deletedAlias})
	b.WriteString("), (SELECT count(*) FROM ")
	b.WriteQuoted(window)
	b.WriteString("), (SELECT ")
	b.WriteQuoted(windowKey)
	b.WriteString(" FROM ")
	b.WriteQuoted(window)
	b.WriteString(" ORDER BY ")
	b.WriteQuoted(windowKey)
	b.WriteString(" DESC LIMIT 1)")
}
