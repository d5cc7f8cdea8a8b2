package restore

import (
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/errs"
)

// split moves the part of deletion from that lies beneath the given roots
// (rows of table root matching roots) to the mark to, level by level along
// the plan's edges, and returns the tables it touched. Restoring to then
// brings back that part only: a row of from that another root reached, or
// that was a root itself, stays with from.
func split(tx *gorm.DB, p *plan.Plan, root string, roots clause.Expression, from, to cascade.Mark) ([]string, error) {
	rt, _ := p.Table(root)
	n, err := move(tx, rt, []clause.Expression{roots, cascade.Member(rt, rt.Name, from)}, nil, to)
	if err != nil || n == 0 {
		return nil, err
	}
	touched := []string{root}
	queue, queued := []string{root}, map[string]bool{root: true}
	for len(queue) > 0 {
		parent := queue[0]
		queue, queued[parent] = queue[1:], false
		pt, _ := p.Table(parent)
		for _, e := range p.From(parent) {
			ct, _ := p.Table(e.Child)
			if pt.Marker == nil || ct.Marker == nil {
				continue
			}
			where := cascade.NonNil(cascade.Member(ct, ct.Name, from), cascade.TypeIs(e))
			n, err := move(tx, ct, where, cascade.ParentVia(e, cascade.Member(pt, cascade.ParentAlias, to)), to)
			if err != nil {
				return nil, errs.Wrap(err, "restore %s", e.Name)
			}
			if n > 0 {
				touched = appendOnce(touched, ct.Name)
				if !queued[ct.Name] {
					queue, queued[ct.Name] = append(queue, ct.Name), true
				}
			}
		}
	}
	return touched, nil
}

// move re-marks the rows of t matching where (and via, when not nil) with
// mark to: a new stamp, or ledger rows under to's ID.
func move(tx *gorm.DB, t plan.Table, where []clause.Expression, via *cascade.Via, to cascade.Mark) (int64, error) {
	if t.Marker.Stamped() {
		return cascade.Update(tx, t.Name, t.Marker.DeleteSet(to.Stamp), where, via)
	}
	if via != nil {
		where = append(where, via.In(t.Name))
	}
	where = append(where, clause.Not(cascade.InLedger(t, t.Name, to.ID)))
	r := tx.Exec("?", cascade.LedgerInsert(t, to.ID, where, false))
	return r.RowsAffected, r.Error
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
