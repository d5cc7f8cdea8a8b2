// Package restore brings back exactly the rows one deletion took: all of
// them (by deletion ID, from the stored plan, without Go model types), or
// the part beneath given root rows. It works set-based, one statement per
// table or per edge and level, in one transaction.
package restore

import (
	"reflect"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/unique"
)

// Result counts restored rows per table.
type Result struct {
	Rows   int64
	Tables map[string]int64
	// Parts counts the rows restored per deletion, in the order the
	// deletions were restored; rows soft-deleted outside the plugin are
	// in Rows and Tables only.
	Parts []Part
}

// Part is the rows one restore brought back from one deletion.
type Part struct {
	Deletion string
	Rows     int64
	Tables   map[string]int64
}

// addPart adds a deletion's restored rows to Parts (Rows and Tables are
// added to by the caller). A call restores from each deletion once
// (byDeletion groups the rows by deletion), so each has one Part.
func (r *Result) addPart(id string, part Result) {
	r.Parts = append(r.Parts, Part{Deletion: id, Rows: part.Rows, Tables: part.Tables})
}

func (r *Result) add(table string, n int64) {
	if n == 0 {
		return
	}
	if r.Tables == nil {
		r.Tables = map[string]int64{}
	}
	r.Tables[table] += n
	r.Rows += n
}

// member selects the rows of one table that a restore brings back.
type member func(t plan.Table, alias string) clause.Expression

func markMember(m cascade.Mark) member {
	return func(t plan.Table, alias string) clause.Expression { return cascade.Member(t, alias, m) }
}

// selector selects the rows of one table for the restoring UPDATE.
type selector func(t plan.Table) ([]clause.Expression, *cascade.Via)

func markSelector(m cascade.Mark) selector {
	return func(t plan.Table) ([]clause.Expression, *cascade.Via) { return cascade.MemberSelect(t, m) }
}

func memberSelector(in member) selector {
	return func(t plan.Table) ([]clause.Expression, *cascade.Via) { return []clause.Expression{in(t, t.Name)}, nil }
}

// checkParents fails with ErrParentDeleted when a row about to be restored
// has a cascading parent in the trash that is not being restored with it:
// among the rows in, or the other rows of the same call (together; nil for
// none), so that rows restored together count as live parents of each
// other (a cycle of managers comes back whole). The error names one
// blocking parent and its deletion (parentError).
// With lock the parents are locked (shared) and judged after the lock, so
// that a delete of a parent under way is seen, and one that starts later
// waits for this restore and takes its rows.
//
// The rows are a deletion's (or the part of it beneath rows of table
// root), so a row of another table that has a single cascading edge into
// it came in through that edge, with its parent: the parent is restored
// with it and that edge needs no check. (A row leaves a deletion only with
// the rows beneath it, by a partial restore.)
func checkParents(tx *gorm.DB, p *plan.Plan, tables []string, in, together member, req Request, root string) error {
	var edges []plan.Edge
	var checks []cascade.ParentCheck
	for _, name := range tables {
		t, ok := p.Table(name)
		if !ok || t.Marker == nil {
			continue
		}
		came, sole := soleEdgeInto(p, name)
		for _, e := range p.Incoming {
			if e.Child != name || (sole && name != root && reflect.DeepEqual(e, came)) {
				continue
			}
			pt, ok := p.Table(e.Parent)
			if !ok || pt.Marker == nil {
				continue
			}
			// The parents of the rows, but for those restored with them.
			restored := in(pt, cascade.ParentAlias)
			if together != nil {
				restored = clause.Or(restored, together(pt, cascade.ParentAlias))
			}
			outside := clause.Or(pt.Marker.IsAlive(cascade.ParentAlias), cascade.Not(restored))
			edges = append(edges, e)
			checks = append(checks, cascade.ParentCheck{Parent: pt, Where: []clause.Expression{cascade.ChildIn(e, in(t, t.Name)), outside}})
		}
	}
	// All edges in one statement (see cascade.FirstParentDeleted).
	i, err := cascade.FirstParentDeleted(tx, checks, req.Lock, req.Probe.Expr())
	// The stored plan's error when the plan is at fault, as it is (a
	// *cascade.NotLive is not wrapped); otherwise the check's own.
	if err := req.Probe.Settle(errs.Wrap(err, "restore: check parents")); err != nil {
		return err
	}
	if i >= 0 {
		return parentError(tx, edges[i], checks[i].Parent, checks[i].Where, req)
	}
	return nil
}

// soleEdgeInto returns the cascading edge into table name when the plan
// has exactly one.
func soleEdgeInto(p *plan.Plan, name string) (plan.Edge, bool) {
	var found []plan.Edge
	for _, e := range p.Edges {
		if e.Child == name {
			found = append(found, e)
		}
	}
	if len(found) != 1 {
		return plan.Edge{}, false
	}
	return found[0], true
}

// checkUnique fails with a *unique.ConflictError when a row about to be
// restored holds a unique-while-live value that a live row took meanwhile.
func checkUnique(tx *gorm.DB, p *plan.Plan, tables []string, in member) error {
	for _, name := range tables {
		t, ok := p.Table(name)
		if !ok || t.Marker == nil || len(t.Unique) == 0 {
			continue
		}
		if err := unique.Check(tx, t, in(t, t.Name), t.Unique); err != nil {
			return err
		}
	}
	return nil
}

// precheck runs every check that must pass before a restore changes a row
// (of a deletion, or of the part of it beneath rows of table root;
// together: the other rows restored in the same call, or nil).
func precheck(tx *gorm.DB, p *plan.Plan, tables []string, in, together member, req Request, root string) error {
	if err := checkParents(tx, p, tables, in, together, req, root); err != nil {
		return err
	}
	return checkUnique(tx, p, tables, in)
}

// apply makes the selected rows of tables alive, then drops their ledger rows.
func apply(tx *gorm.DB, p *plan.Plan, tables []string, in selector, res *Result) error {
	for _, name := range tables {
		t, ok := p.Table(name)
		if !ok || t.Marker == nil {
			continue
		}
		where, via := in(t)
		n, err := cascade.Update(tx, t.Name, t.Marker.RestoreSet(), where, via)
		if err != nil {
			return errs.Wrap(err, "restore %s", t.Name)
		}
		res.add(t.Name, n)
		if !t.Marker.Stamped() && n > 0 {
			if err := dropLiveLedger(tx, t); err != nil {
				return err
			}
		}
	}
	return nil
}

// dropLiveLedger deletes the ledger rows of t's rows that are alive again.
func dropLiveLedger(tx *gorm.DB, t plan.Table) error {
	key := clause.Column{Table: deletionlog.LedgerTable, Name: cascade.LedgerKey(t)}
	alive := cascade.Exists(clause.Table{Name: t.Name}, clause.Eq{Column: clause.Column{Table: t.Name, Name: t.PrimaryKeys[0]}, Value: key}, t.Marker.IsAlive(t.Name))
	err := tx.Where(clause.Eq{Column: clause.Column{Table: deletionlog.LedgerTable, Name: "table_name"}, Value: t.Name}).
		Where(alive).Delete(&deletionlog.LedgerRow{}).Error
	if err != nil {
		return errs.Wrap(err, "restore %s: ledger", t.Name)
	}
	return nil
}
