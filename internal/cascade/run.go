package cascade

import (
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/errs"
)

// Run soft-deletes everything a deletion's roots reach. Tx must be a
// NewDB session on the deletion's transaction; the roots must already
// carry Mark.
type Run struct {
	Tx   *gorm.DB
	Plan *plan.Plan
	Mark Mark
	// Lock locks the rows recorded in the ledger before updating them
	// (SELECT ... FOR UPDATE; false on SQLite).
	Lock bool
	// Counts receives the rows soft-deleted per table (roots excluded;
	// tables without any left out).
	Counts map[string]int64
}

// Cascade walks the plan's edges breadth first, one statement (two for
// ledger tables) per edge each time the edge's parent table gained rows,
// until no statement changes a row; then it checks restricting edges.
func (r *Run) Cascade() error {
	if r.Counts == nil {
		r.Counts = map[string]int64{}
	}
	queue := []string{r.Plan.Root}
	queued := map[string]bool{r.Plan.Root: true}
	for len(queue) > 0 {
		parent := queue[0]
		queue, queued[parent] = queue[1:], false
		for _, e := range r.Plan.From(parent) {
			n, err := r.edge(e)
			if err != nil {
				return errs.Wrap(err, "cascade %s", e.Name)
			}
			if n == 0 {
				continue
			}
			r.Counts[e.Child] += n
			if !queued[e.Child] {
				queue, queued[e.Child] = append(queue, e.Child), true
			}
		}
	}
	return r.restricts()
}

// edge soft-deletes the live children, through e, of the deletion's rows.
func (r *Run) edge(e plan.Edge) (int64, error) {
	pt, _ := r.Plan.Table(e.Parent)
	ct, _ := r.Plan.Table(e.Child)
	if pt.Marker == nil || ct.Marker == nil {
		return 0, nil // a table that is not soft-deletable stays, and so does its subtree
	}
	alive := ct.Marker.IsAlive(ct.Name)
	parents := ParentVia(e, Member(pt, ParentAlias, r.Mark))
	set := ct.Marker.DeleteSet(r.Mark.Stamp)
	if ct.Marker.Stamped() {
		return Update(r.Tx, ct.Name, set, NonNil(alive, TypeIs(e)), parents)
	}
	where := NonNil(alive, TypeIs(e), parents.In(ct.Name))
	if err := r.Tx.Exec("?", LedgerInsert(ct, r.Mark.ID, where, r.Lock)).Error; err != nil {
		return 0, err
	}
	if err := r.Tx.Exec("?", DropStaleLedger(ct, r.Mark.ID)).Error; err != nil {
		return 0, err
	}
	return Update(r.Tx, ct.Name, set, []clause.Expression{alive}, LedgerVia(ct, r.Mark.ID))
}

// restricts fails with ErrRestricted when a restricting edge out of the
// deletion's rows still has a live child.
func (r *Run) restricts() error {
	for _, e := range r.Plan.Restricts {
		pt, _ := r.Plan.Table(e.Parent)
		if pt.Marker == nil {
			continue
		}
		where := NonNil(TypeIs(e), ParentIn(e, Member(pt, ParentAlias, r.Mark)))
		if ct, ok := r.Plan.Table(e.Child); ok && ct.Marker != nil {
			where = append(where, ct.Marker.IsAlive(e.Child))
		}
		found, err := AnyRow(r.Tx, e.Child, where)
		if err != nil {
			return errs.Wrap(err, "restrict %s", e.Name)
		}
		if found {
			return fmt.Errorf("%w: %s has live rows in %s", errs.ErrRestricted, e.Name, e.Child)
		}
	}
	return nil
}

// AnyRow reports whether table has a row matching where (SELECT 1 ...
// LIMIT 1).
func AnyRow(tx *gorm.DB, table string, where []clause.Expression) (bool, error) {
	var found []int
	err := On(tx, table).Select("1").Clauses(clause.Where{Exprs: where}).Limit(1).Find(&found).Error
	return len(found) > 0, err
}
