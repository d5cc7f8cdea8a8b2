package cascade

import (
	"database/sql"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade/plan"
)

// ParentCheck is one question of FirstParentDeleted: is a row of the
// parent table Parent matching Where (conditions on ParentAlias)
// soft-deleted?
type ParentCheck struct {
	Parent plan.Table
	Where  []clause.Expression
}

// FirstParentDeleted asks every check of ParentsDeleted at once and
// returns the index of the first whose parent is soft-deleted, -1 when
// none is. It is one statement, one column per check:
//
//	SELECT (SELECT MAX(gone) FROM (SELECT CASE ... FROM parent1 WHERE ...
//	        FOR SHARE) AS sc_d), (SELECT MAX(gone) FROM (... parent2 ...)), ...
//
// With lock every check takes its shared locks as ParentsDeleted does, all
// before the answer comes back. Checks whose parent table is not
// soft-deletable are never deleted. A probe (Probe.Expr, or nil) rides
// along as the first column; the caller settles the error.
func FirstParentDeleted(tx *gorm.DB, checks []ParentCheck, lock bool, probe clause.Expression) (int, error) {
	var cols []clause.Expression
	var at []int // the check of each column
	if probe != nil {
		cols, at = append(cols, probe), append(at, -1)
	}
	for i, c := range checks {
		if c.Parent.Marker == nil {
			continue
		}
		cols = append(cols, goneOf(tx, c, lock))
		at = append(at, i)
	}
	switch {
	case len(cols) == 0:
		return -1, nil
	case len(cols) == 1 && probe == nil:
		gone, err := ParentsDeleted(tx, checks[at[0]].Parent, checks[at[0]].Where, lock)
		if err != nil || !gone {
			return -1, err
		}
		return at[0], nil
	}
	got := make([]sql.NullInt64, len(cols))
	dest := make([]any, len(cols))
	for i := range got {
		dest[i] = &got[i]
	}
	if err := tx.Session(&gorm.Session{NewDB: true}).Raw("?", selectAll(cols)).Row().Scan(dest...); err != nil {
		return -1, err
	}
	for i, g := range got {
		if at[i] >= 0 && g.Valid && g.Int64 == 1 {
			return at[i], nil
		}
	}
	return -1, nil
}

// goneOf is one check as a scalar sub-query: (SELECT MAX(gone) FROM
// (SELECT CASE WHEN deleted THEN 1 ELSE 0 END AS gone FROM parent AS sc_p
// WHERE ... [FOR SHARE]) AS sc_d).
func goneOf(tx *gorm.DB, c ParentCheck, lock bool) clause.Expression {
	fresh := tx.Session(&gorm.Session{NewDB: true})
	rows := fresh.Table("? AS ?", clause.Table{Name: c.Parent.Name}, clause.Table{Name: ParentAlias}).
		Select("CASE WHEN ? THEN 1 ELSE 0 END AS ?", c.Parent.Marker.IsDeleted(ParentAlias), clause.Column{Name: goneColumn}).
		Clauses(clause.Where{Exprs: c.Where})
	if lock {
		rows = rows.Clauses(clause.Locking{Strength: clause.LockingStrengthShare})
	}
	return clause.Expr{SQL: "(SELECT MAX(?) FROM (?) AS ?)", Vars: []any{
		clause.Column{Table: derivedAlias, Name: goneColumn}, rows, clause.Table{Name: derivedAlias}}}
}

// selectAll is SELECT e1, e2, ...
type selectAll []clause.Expression

func (s selectAll) Build(b clause.Builder) {
	b.WriteString("SELECT ")
	for i, e := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		e.Build(b)
	}
}
