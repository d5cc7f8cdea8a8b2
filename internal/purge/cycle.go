package purge

import (
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/errs"
)

// cycleAlias names a row of a self-referencing table that references a
// row of a cycle.
const cycleAlias = "sc_y"

// selfEdges returns the cascading and restricting edges of t to itself: a
// row with a child through one of them waits. (A reference of t to itself
// keeps a row only while the referencing row is live, and the rows of a
// cycle are not.)
func (u *unit) selfEdges(t plan.Table) []plan.Edge {
	var out []plan.Edge
	for _, e := range u.childEdges(t) {
		if e.Child == t.Name {
			out = append(out, e)
		}
	}
	return out
}

// cycles purges the rows of self-referencing table t left by the sweep
// that only rows of the unit going with them keep: cycles (ann's boss is
// bob, bob's boss is ann; eve is her own boss), which have no leaf to
// start from, and the rows above them. It finds the rows that must stay —
// kept by a foreign key, by a child or reference through another
// relation, or by a row of t outside that set — and then their parents in
// t, round by round, until none is added; the rest goes in one statement,
// so that a foreign key checked at the end of the statement sees no row
// left behind. Where the database checks the key row by row (MySQL;
// SQLite and PostgreSQL for RESTRICT), the references between those rows
// are set to NULL first, in the same transaction; if even that is
// refused, the rows are held (Report.Skipped) with a warning that says
// why.
func (r *runner) cycles(u *unit, t plan.Table, cond clause.Expression, held map[string][]any) error {
	self := u.selfEdges(t)
	if t.Marker == nil || len(self) == 0 {
		return nil
	}
	left, err := r.selectKeysUpTo(t, withHeld(t.Name, t, []clause.Expression{cond}, held), false, maxHeld)
	if err != nil || len(left) == 0 {
		return wrapPurge(t, err)
	}
	if len(left) == maxHeld {
		r.opts.Logger.WarnContext(r.ctx, "softcascade: purge: too many rows left in self-referencing cycles; they wait for the next run",
			"table", t.Name, "rows", len(left))
		return nil
	}
	others, err := r.guardOf(u, t, func(e plan.Edge) bool { return e.Child != t.Name })
	if err != nil {
		return err
	}
	stay := map[string][]any{}
	for k, v := range held {
		stay[k] = v
	}
	for {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		// A row must stay when another guard keeps it, or when a row of t
		// references it that is not one of the rows that may go.
		may := func(alias string) clause.Expression {
			return clause.And(withHeld(alias, t, []clause.Expression{u.member(t, alias)}, stay)...)
		}
		keeps := make([]clause.Expression, 0, len(self)+len(others))
		keeps = append(keeps, others...)
		for _, e := range self {
			keeps = append(keeps, notExists(clause.Table{Name: t.Name, Alias: cycleAlias},
				append(selfJoin(e, t.Name), negation{may(cycleAlias)})...))
		}
		where := withHeld(t.Name, t, []clause.Expression{cond}, stay)
		where = append(where, negation{clause.And(keeps...)})
		more, err := r.selectKeysUpTo(t, where, false, maxHeld)
		if err != nil {
			return wrapPurge(t, err)
		}
		if len(more) == 0 {
			break
		}
		for _, k := range more {
			stay[cascade.KeyString(k)] = k
		}
		if len(stay) > maxHeld {
			return nil
		}
	}
	var gone [][]any
	for _, k := range left {
		if _, ok := stay[cascade.KeyString(k)]; !ok {
			gone = append(gone, k)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	return r.deleteCycle(u, t, cond, gone, self, held)
}

// deleteCycle deletes the rows of t with these keys, which reference only
// each other through self: in one statement (or one transaction), else,
// after a foreign key refused that, in one transaction that first sets
// their self-references to NULL. Rows refused even so are held.
func (r *runner) deleteCycle(u *unit, t plan.Table, cond clause.Expression, keys [][]any, self []plan.Edge, held map[string][]any) error {
	n, err := r.deleteBatch(t, cond, keys)
	if err == nil {
		r.counted(u, t.Name, n)
		return nil
	}
	if !r.foreignKey(err) {
		return wrapPurge(t, err)
	}
	refused := err
	set := nullSelf(t, append(self, u.references(t)...))
	if len(set) > 0 {
		ok, err := r.nullable(t, set)
		if err != nil {
			return err
		}
		if !ok {
			set = nil
		}
	}
	if len(set) > 0 {
		err = r.q().Transaction(func(tx *gorm.DB) error {
			per := max(1, maxVars/len(t.PrimaryKeys))
			n = 0
			for start := 0; start < len(keys); start += per {
				in := clause.And(keysIn{table: t.Name, cols: t.PrimaryKeys, keys: keys[start:min(start+per, len(keys))]}, cond)
				if err := tx.Session(&gorm.Session{NewDB: true}).Exec("UPDATE ? ? WHERE ?", clause.Table{Name: t.Name}, set, in).Error; err != nil {
					return err
				}
			}
			for start := 0; start < len(keys); start += per {
				in := clause.And(keysIn{table: t.Name, cols: t.PrimaryKeys, keys: keys[start:min(start+per, len(keys))]}, cond)
				res := tx.Session(&gorm.Session{NewDB: true}).Exec("DELETE FROM ? WHERE ?", clause.Table{Name: t.Name}, in)
				if res.Error != nil {
					return res.Error
				}
				n += res.RowsAffected
			}
			return nil
		})
		if err == nil {
			r.counted(u, t.Name, n)
			return nil
		}
		if !r.foreignKey(err) {
			return wrapPurge(t, err)
		}
		refused = err
	}
	for _, k := range keys {
		held[cascade.KeyString(k)] = k
	}
	r.opts.Logger.WarnContext(r.ctx, "softcascade: purge: rows of a self-referencing cycle held: a foreign key refuses their deletion, and their references to each other cannot be set to NULL first (a NOT NULL or key column) or that did not help",
		"table", t.Name, "rows", len(keys), "error", refused)
	return nil
}

// nullable reports whether every column set assigns accepts NULL.
func (r *runner) nullable(t plan.Table, set clause.Set) (bool, error) {
	cts, err := r.q().Migrator().ColumnTypes(t.Name)
	if err != nil {
		return false, wrapPurge(t, err)
	}
	for _, a := range set {
		found := false
		for _, ct := range cts {
			if ct.Name() == a.Column.Name {
				n, ok := ct.Nullable()
				if !ok || !n {
					return false, nil
				}
				found = true
			}
		}
		if !found {
			return false, nil
		}
	}
	return true, nil
}

// nullSelf is SET col = NULL for the columns through which rows of t
// reference rows of t (the edges of es from t to t); nil when one of them is part of the primary key.
func nullSelf(t plan.Table, self []plan.Edge) clause.Set {
	var set clause.Set
	seen := map[string]bool{}
	for _, e := range self {
		if e.Child != t.Name {
			continue
		}
		for _, c := range e.ChildKeys {
			for _, pk := range t.PrimaryKeys {
				if pk == c {
					return nil
				}
			}
			if !seen[c] {
				seen[c] = true
				set = append(set, clause.Assignment{Column: clause.Column{Name: c}, Value: nil})
			}
		}
	}
	return set
}

// selfJoin is "the row named cycleAlias references this row of table
// (named table) through e".
func selfJoin(e plan.Edge, table string) []clause.Expression {
	where := make([]clause.Expression, 0, len(e.ChildKeys)+1)
	for i, k := range e.ChildKeys {
		where = append(where, clause.Eq{Column: col(cycleAlias, k), Value: col(table, e.ParentKeys[i])})
	}
	if e.TypeColumn != "" {
		where = append(where, clause.Eq{Column: col(cycleAlias, e.TypeColumn), Value: e.TypeValue})
	}
	return where
}

// withHeld adds "the row of t named alias is none of keys" to where.
func withHeld(alias string, t plan.Table, where []clause.Expression, keys map[string][]any) []clause.Expression {
	if len(keys) == 0 {
		return where
	}
	k := keysIn{not: true, table: alias, cols: t.PrimaryKeys}
	for _, key := range keys {
		k.keys = append(k.keys, key)
	}
	return append(where, k)
}

// negation is NOT (expr).
type negation struct{ expr clause.Expression }

// Build writes the expression.
func (n negation) Build(b clause.Builder) {
	b.WriteString("NOT (")
	n.expr.Build(b)
	b.WriteByte(')')
}

func wrapPurge(t plan.Table, err error) error {
	if err == nil {
		return nil
	}
	return errs.Wrap(err, "purge %s", t.Name)
}
