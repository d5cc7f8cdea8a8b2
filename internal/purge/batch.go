package purge

import (
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/dialect"
	"github.com/softcascade/softcascade/internal/errs"
)

// maxVars bounds the bound parameters of one statement (SQLite allows
// 32766, PostgreSQL and MySQL 65535); a larger batch is split into several
// statements inside one transaction.
const maxVars = 30000

// maxHeld bounds the keys a foreign key kept that one table remembers per
// run (they are excluded from the next batches by key); past it, the
// table's remaining rows wait for the next run.
const maxHeld = 10000

// sweep deletes, in batches, the rows of t matching cond that have no child
// row left (guard), and returns the rows matching cond left in t when it
// knows them without a count (known). A self-referencing table goes leaves
// first: each batch takes only rows without children, until none is left.
// Rows a foreign key from outside the cascade keeps are remembered (held)
// for the rest of the run.
func (r *runner) sweep(u *unit, t plan.Table, cond clause.Expression, guard []clause.Expression) (left int64, known bool, err error) {
	held := r.skipped[t.Name]
	if held == nil {
		held = map[string][]any{}
		r.skipped[t.Name] = held
	}
	self := false
	for _, e := range append(u.childEdges(t), u.references(t)...) {
		self = self || e.Child == t.Name
	}
	if r.dialect.KeyOrder() && len(t.PrimaryKeys) == 1 {
		left, known, err = r.sweepInKeyOrder(u, t, cond, guard, self, held)
	} else {
		err = r.sweepUpTo(u, t, cond, guard, self, held)
	}
	if err != nil || !self || (known && left == 0) || len(held) > maxHeld {
		return left, known, err
	}
	// Rows that reference each other (a cycle) have no leaf to start from.
	return 0, false, r.cycles(u, t, cond, held)
}

// sweepUpTo is sweep where batches do not go in key order. A batch is one
// statement, DELETE ... WHERE the row is among up to BatchSize rows
// matching (no ORDER BY, so that the database streams them from its best
// index and stops early). Where that statement cannot be written (MySQL,
// self-referencing table) or a foreign key refuses it, the batch selects
// its keys first and deletes them, row by row after a refusal; the rows
// still refused are excluded from later batches.
func (r *runner) sweepUpTo(u *unit, t plan.Table, cond clause.Expression, guard []clause.Expression, self bool, held map[string][]any) error {
	for {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		if r.tooManyHeld(t, held) {
			return nil
		}
		where := append([]clause.Expression{cond}, guard...)
		if len(held) > 0 {
			where = append(where, notHeld(t, held))
		}
		if stmt := r.dialect.DeleteUpTo(t.Name, clause.And(where...), r.opts.BatchSize, self); stmt != nil {
			res := r.q().Exec("?", stmt)
			if res.Error == nil {
				r.counted(u, t.Name, res.RowsAffected)
				if res.RowsAffected == 0 || (!self && res.RowsAffected < int64(r.opts.BatchSize)) {
					return nil
				}
				continue
			}
			if !r.foreignKey(res.Error) {
				return errs.Wrap(res.Error, "purge %s", t.Name)
			}
		}
		keys, err := r.selectKeys(t, where, false)
		if err != nil {
			return errs.Wrap(err, "purge %s", t.Name)
		}
		if len(keys) == 0 {
			return nil
		}
		if _, err := r.deleteKeys(u, t, cond, keys, held); err != nil {
			return err
		}
	}
}

// tooManyHeld reports, and logs, that a foreign key held more of t's rows
// than a run remembers: the rest of the table waits for the next run.
func (r *runner) tooManyHeld(t plan.Table, held map[string][]any) bool {
	if len(held) <= maxHeld {
		return false
	}
	r.opts.Logger.WarnContext(r.ctx, "softcascade: purge: too many rows held by foreign keys; the rest of the table waits for the next run",
		"table", t.Name, "held", len(held))
	return true
}

// notHeld is "the row's key is none of held".
func notHeld(t plan.Table, held map[string][]any) clause.Expression {
	k := keysIn{not: true, table: t.Name, cols: t.PrimaryKeys}
	for _, key := range held {
		k.keys = append(k.keys, key)
	}
	return k
}

// selectKeys returns up to BatchSize primary keys of t's rows matching
// where, in key order if ordered.
func (r *runner) selectKeys(t plan.Table, where []clause.Expression, ordered bool) ([][]any, error) {
	return r.selectKeysUpTo(t, where, ordered, r.opts.BatchSize)
}

// selectKeysUpTo is selectKeys for up to limit keys.
func (r *runner) selectKeysUpTo(t plan.Table, where []clause.Expression, ordered bool, limit int) ([][]any, error) {
	sel := clause.Select{}
	order := clause.OrderBy{}
	for _, c := range t.PrimaryKeys {
		sel.Columns = append(sel.Columns, col(t.Name, c))
		order.Columns = append(order.Columns, clause.OrderByColumn{Column: col(t.Name, c)})
	}
	q := cascade.On(r.q(), t.Name).Clauses(sel, clause.Where{Exprs: where})
	if ordered {
		q = q.Clauses(order)
	}
	rows, err := q.Limit(limit).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys [][]any
	for rows.Next() {
		key := make([]any, len(t.PrimaryKeys))
		ptrs := make([]any, len(key))
		for i := range key {
			ptrs[i] = &key[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, v := range key {
			if b, ok := v.([]byte); ok {
				key[i] = string(b)
			}
		}
		keys = append(keys, key)
	}
	return keys, rows.Err()
}

// deleteKeys deletes the rows of t with these keys that still match cond,
// and returns how many went (counted into the result already). When a
// foreign key refuses the batch, it goes row by row, and the rows still
// refused are remembered in held for the rest of the run.
func (r *runner) deleteKeys(u *unit, t plan.Table, cond clause.Expression, keys [][]any, held map[string][]any) (done int64, err error) {
	defer func() { r.counted(u, t.Name, done) }()
	n, err := r.deleteBatch(t, cond, keys)
	if err == nil {
		return n, nil
	}
	if !r.foreignKey(err) {
		return 0, errs.Wrap(err, "purge %s", t.Name)
	}
	for _, k := range keys {
		if err := r.ctx.Err(); err != nil {
			return done, err
		}
		n, err := r.deleteBatch(t, cond, [][]any{k})
		switch {
		case err == nil:
			done += n
		case r.foreignKey(err):
			held[cascade.KeyString(k)] = k
			r.opts.Logger.DebugContext(r.ctx, "softcascade: purge: row held by a foreign key", "table", t.Name, "key", k, "error", err)
		default:
			return done, errs.Wrap(err, "purge %s", t.Name)
		}
	}
	return done, nil
}

// deleteBatch runs DELETE FROM t WHERE key IN (keys) AND cond, in one
// statement, or in one transaction when the keys need more parameters than
// one statement takes.
func (r *runner) deleteBatch(t plan.Table, cond clause.Expression, keys [][]any) (int64, error) {
	per := max(1, maxVars/len(t.PrimaryKeys))
	del := func(tx *gorm.DB, keys [][]any) (int64, error) {
		res := tx.Session(&gorm.Session{NewDB: true}).Exec("DELETE FROM ? WHERE ?", clause.Table{Name: t.Name},
			clause.And(keysIn{table: t.Name, cols: t.PrimaryKeys, keys: keys}, cond))
		return res.RowsAffected, res.Error
	}
	if len(keys) <= per {
		return del(r.q(), keys)
	}
	var total int64
	err := r.q().Transaction(func(tx *gorm.DB) error {
		for start := 0; start < len(keys); start += per {
			n, err := del(tx, keys[start:min(start+per, len(keys))])
			if err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return total, nil
}

// joins deletes (counts, in a dry run) the rows of join table j that
// reference rows of the unit, in batches.
func (r *runner) joins(u *unit, j plan.Join) error {
	owner, ok := u.plan.Table(j.Owner)
	if !ok {
		return nil
	}
	m := u.member(owner, cascade.OwnerAlias)
	if m == nil {
		return nil
	}
	if ok, err := r.tableExists(j.Table); err != nil || !ok {
		return err
	}
	cond := cascade.OwnedBy(j, m)
	if r.opts.DryRun {
		return r.countInto(u, j.Table, cond)
	}
	err := r.drain(j.Table, cond, func(n int64) { r.counted(u, j.Table, n) })
	if err != nil && r.ctx.Err() == nil {
		return errs.Wrap(err, "purge join table %s", j.Table)
	}
	return err
}

// drain deletes the rows of table matching cond, at most BatchSize per
// statement, until a batch comes back short, telling done each batch's
// count. It stops between batches when the context ends.
func (r *runner) drain(table string, cond clause.Expression, done func(int64)) error {
	for {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		res := r.q().Exec("?", r.dialect.DeleteUpTo(table, cond, r.opts.BatchSize, false))
		if res.Error != nil {
			return res.Error
		}
		done(res.RowsAffected)
		if res.RowsAffected < int64(r.opts.BatchSize) {
			return nil
		}
	}
}

// noChildren is the guard of t's rows: no child row left through any of
// t's cascading or restricting edges (to tables that exist), and no live
// row referencing them (notReferenced).
func (r *runner) noChildren(u *unit, t plan.Table) ([]clause.Expression, error) {
	return r.guardOf(u, t, nil)
}

// guardOf is noChildren for the child edges keep accepts (all when nil);
// every reference counts.
func (r *runner) guardOf(u *unit, t plan.Table, keep func(plan.Edge) bool) ([]clause.Expression, error) {
	var out []clause.Expression
	for _, e := range u.childEdges(t) {
		if keep != nil && !keep(e) {
			continue
		}
		ok, err := r.tableExists(e.Child)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, noChild(e, t.Name))
		}
	}
	refs, err := r.notReferenced(u, t)
	return append(out, refs...), err
}

// count counts table's rows matching cond.
func (r *runner) count(table string, cond clause.Expression) (int64, error) {
	var n int64
	err := cascade.On(r.q(), table).Clauses(clause.Where{Exprs: []clause.Expression{cond}}).Count(&n).Error
	if err != nil {
		return 0, errs.Wrap(err, "purge count %s", table)
	}
	return n, nil
}

// countInto counts table's rows matching cond into the result (dry run).
func (r *runner) countInto(u *unit, table string, cond clause.Expression) error {
	n, err := r.count(table, cond)
	if err == nil {
		r.counted(u, table, n)
	}
	return err
}

// foreignKey reports whether err is a foreign key violation, whatever
// gorm.Config.TranslateError says.
func (r *runner) foreignKey(err error) bool {
	return dialect.For(r.conn).ForeignKeyViolation(r.conn, err)
}
