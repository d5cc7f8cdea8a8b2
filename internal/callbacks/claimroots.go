package callbacks

import (
	"reflect"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/errs"
)

// lockAndClaim locks the live rows the Delete matches and records the
// deletion d with a stamp from ms (purge-after: its time plus
// retention), and reports whether there are live
// rows (false: nothing recorded). Where the database takes row locks and
// the Delete has conditions, both are one statement
// (deletionlog.ClaimLocked); otherwise as lockRoots and claim.
func lockAndClaim(db *gorm.DB, root plan.Table, d *deletionlog.Deletion, ms int64, retention time.Duration) (bool, error) {
	if db.DryRun || !cascade.Locks(db) || !hasConditions(db) {
		live, err := lockRoots(db, root)
		if err != nil || !live {
			return live, err
		}
		return true, claim(db, d, ms, retention)
	}
	count := func() (int64, error) { return countLocked(db, root) }
	return deletionlog.ClaimLocked(session(db), d, ms, retention, rootsQuery(db, root), count)
}

// rootsQuery is SELECT 1 FROM root WHERE <the Delete's conditions> FOR
// UPDATE: the live rows the Delete matches, locked.
func rootsQuery(db *gorm.DB, root plan.Table) *gorm.DB {
	where, _ := db.Statement.Clauses["WHERE"].Expression.(clause.Where)
	model := reflect.New(db.Statement.Schema.ModelType).Interface() // resolves clause.PrimaryColumn
	return cascade.On(session(db).Model(model), root.Name).Select("1").
		Clauses(clause.Where{Exprs: where.Exprs}, clause.Locking{Strength: clause.LockingStrengthUpdate})
}

// countLocked locks and counts the live rows the Delete matches.
func countLocked(db *gorm.DB, root plan.Table) (int64, error) {
	var n int64
	err := session(db).Table("(?) AS ?", rootsQuery(db, root), clause.Table{Name: "sc_roots"}).Count(&n).Error
	if err != nil {
		return 0, errs.Wrap(err, "lock %s", root.Name)
	}
	return n, nil
}
