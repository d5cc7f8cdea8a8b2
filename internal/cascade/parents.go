package cascade

import (
	"database/sql"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/errs"
)

// goneColumn is the column, in ParentsDeleted's sub-query, that says
// whether a parent row is soft-deleted.
const goneColumn = "sc_gone"

// ParentsDeleted reports whether a row of the parent table pt matching
// where (conditions on ParentAlias) is soft-deleted. With lock it takes a
// shared lock on every matching row and judges each row after the lock
// (SELECT ... FOR SHARE; LOCK IN SHARE MODE on MariaDB): a delete of the
// parent that is under way is waited for and seen, and a delete that
// starts later waits until the caller's transaction ends. This is what
// lets a restore or a create under a parent refuse a parent that is being
// deleted, instead of leaving a live child under it.
//
// It is one statement: SELECT MAX(gone) FROM (SELECT CASE WHEN deleted
// THEN 1 ELSE 0 END FROM parent WHERE where FOR SHARE).
func ParentsDeleted(tx *gorm.DB, pt plan.Table, where []clause.Expression, lock bool) (bool, error) {
	if pt.Marker == nil {
		return false, nil
	}
	fresh := tx.Session(&gorm.Session{NewDB: true})
	rows := fresh.Table("? AS ?", clause.Table{Name: pt.Name}, clause.Table{Name: ParentAlias}).
		Select("CASE WHEN ? THEN 1 ELSE 0 END AS ?", pt.Marker.IsDeleted(ParentAlias), clause.Column{Name: goneColumn}).
		Clauses(clause.Where{Exprs: where})
	if lock {
		rows = rows.Clauses(clause.Locking{Strength: clause.LockingStrengthShare})
	}
	var gone sql.NullInt64
	err := fresh.Table("(?) AS ?", rows, clause.Table{Name: derivedAlias}).
		Select("MAX(?)", clause.Column{Table: derivedAlias, Name: goneColumn}).Scan(&gone).Error
	if err != nil {
		return false, errs.Wrap(err, "check %s", pt.Name)
	}
	return gone.Valid && gone.Int64 == 1, nil
}

// ChildIn is "the parent row, seen as ParentAlias, has a child through e
// that satisfies child" (child written for the child table's own name),
// as parent keys IN (SELECT child keys ...): databases run it from the
// children, through the parent's primary key.
func ChildIn(e plan.Edge, child clause.Expression) clause.Expression {
	children := &Via{Table: e.Child, Alias: e.Child, ViaKeys: e.ChildKeys, Keys: e.ParentKeys, Where: NonNil(TypeIs(e), child)}
	return children.In(ParentAlias)
}
