package callbacks

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/softdelete"
)

// plainGORM marks the nested deletes GORM runs for Select("Assoc"): they
// keep GORM's own meaning and are not deletions of their own.
type plainGORM struct{}

// target returns the plan of a Delete the plugin handles: a soft delete
// (not Unscoped) of a soft-deletable model under its own table name.
func (c *Config) target(db *gorm.DB) (*plan.Plan, bool) {
	if err := refused(db); err != nil { // see refuse.go
		_ = db.AddError(err)
		return nil, false
	}
	s := db.Statement
	if db.Error != nil || s.Schema == nil || s.Unscoped || s.SQL.Len() > 0 || !ownTable(s) {
		return nil, false
	}
	if nested, _ := s.Context.Value(plainGORM{}).(bool); nested {
		return nil, false
	}
	if _, ok := softdelete.Of(s.Schema); !ok {
		return nil, false
	}
	p, err := c.Graph.Plan(db, s.Schema)
	if err == nil {
		err = p.Validate() // the names it will store and quote
	}
	if err == nil {
		_, err = c.labelSource(s.Schema) // a bad label tag, refused before any statement
	}
	if err != nil {
		_ = db.AddError(err)
		return nil, false
	}
	return p, true
}

// ownTable reports whether s is on its model's own table. For a
// schema-qualified TableName ("app.projects") GORM keeps the bare name in
// Table and the quoted qualified one in TableExpr.
func ownTable(s *gorm.Statement) bool {
	if s.Table == s.Schema.Table {
		return true
	}
	_, bare, qualified := strings.Cut(s.Schema.Table, ".")
	e := s.TableExpr
	return qualified && e != nil && s.Table == bare && len(e.Vars) == 0 && e.SQL == s.Quote(s.Schema.Table)
}

// begin runs first of all callbacks. It starts the Delete's transaction
// (GORM's own begin then finds it and leaves it to finish; this also
// covers SkipDefaultTransaction), or, in the caller's transaction, sets a
// savepoint, so that a failed Delete leaves nothing behind even if the
// caller commits.
func (c *Config) begin(db *gorm.DB) {
	p, ok := c.target(db)
	if !ok {
		return
	}
	st := newState(db)
	st.plan = p
	if db.DryRun {
		return
	}
	if _, inTx := db.Statement.ConnPool.(gorm.TxCommitter); inTx {
		st.callerTx = true
		name := fmt.Sprintf("softcascade_%p", db.Statement)
		if err := session(db).SavePoint(name).Error; err != nil {
			_ = db.AddError(err)
			return
		}
		st.savepoint = name
		return
	}
	ownTransaction(db, st)
}

// ownTransaction starts a transaction for a statement that has none;
// finish commits or rolls it back.
func ownTransaction(db *gorm.DB, st *state) {
	if _, inTx := db.Statement.ConnPool.(gorm.TxCommitter); inTx {
		return
	}
	tx := db.Begin()
	if tx.Error != nil {
		_ = db.AddError(tx.Error)
		return
	}
	db.Statement.ConnPool = tx.Statement.ConnPool
	st.started = true
}

// prepare locks the rows the Delete matches (the roots), records the
// deletion (claiming its stamp) and builds the root UPDATE that stamps
// them. GORM's gorm:delete then runs it, with its own missing-WHERE guard,
// RETURNING and RowsAffected. When no live row matches, no deletion is
// recorded and the UPDATE matches nothing.
func (c *Config) prepare(db *gorm.DB) {
	st := stateOf(db)
	if st == nil || st.plan == nil || db.Error != nil {
		return
	}
	if err := c.stage(db, st); err != nil {
		_ = db.AddError(err)
		return
	}
	build(db)
}

// stage does prepare's work up to the build: check the tenant, scope the
// statement to the roots, lock them, claim the deletion (kept for the root
// table's retention), ledger the roots
// of a table without a unique stamp, and add the SET.
func (c *Config) stage(db *gorm.DB, st *state) error {
	s := db.Statement
	ctx := s.Context
	tenant, _, err := deletionlog.Tenant(ctx)
	if err != nil {
		return err
	}
	root, _ := st.plan.Table(st.plan.Root)
	marker := *root.Marker // target took only soft-deletable models
	st.byValue = byValue(s)
	scopeRoots(db, st)
	ms := db.NowFunc().UnixMilli()
	d := &deletionlog.Deletion{Table: st.plan.Root, Actor: deletionlog.Actor(ctx), Reason: deletionlog.Reason(ctx), Tenant: tenant, Plan: st.plan}
	live, err := lockAndClaim(db, root, d, ms, c.retention(d.Table)) // see claimroots.go
	if err != nil {
		return err
	}
	if !live {
		setDeleted(s, marker, deletionlog.StampTime(ms))
		s.AddClause(clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "1 = 0"}}})
		return nil
	}
	st.deletion = d
	setDeleted(s, marker, d.StampTime())
	return ledgerRoots(db, root, marker, d.ID)
}

// scopeRoots narrows the statement to the live rows the Delete names: its
// primary keys and the model's query clauses (the alive filter and GORM's
// soft-delete marker). When GORM's association delete runs next for a
// Select the cascade does not handle, its nested deletes keep GORM's
// meaning; resume takes the mark off again.
func scopeRoots(db *gorm.DB, st *state) {
	s := db.Statement
	if keepGORMSelects(s, st.plan) {
		st.context = s.Context
		s.Context = context.WithValue(s.Context, plainGORM{}, true)
	}
	addPrimaryKeys(s)
	for _, qc := range s.Schema.QueryClauses {
		s.AddClause(qc)
	}
}

// claim records the deletion d with the stamp ms (unique across
// deletions); a dry run only gives d its time.
func claim(db *gorm.DB, d *deletionlog.Deletion, ms int64, retention time.Duration) error {
	if db.DryRun {
		d.StampAt(ms, retention)
		return nil
	}
	return deletionlog.Retained(session(db), d, ms, retention)
}

// ledgerRoots writes the roots of a table whose soft-delete field cannot
// carry the deletion's unique stamp (flag or unix seconds) into the
// ledger under deletion id, and restricts the UPDATE to them.
func ledgerRoots(db *gorm.DB, root plan.Table, marker softdelete.Marker, id string) error {
	if marker.Stamped() || db.DryRun || !hasConditions(db) {
		return nil
	}
	s := db.Statement
	where, _ := s.Clauses["WHERE"].Expression.(clause.Where)
	insert := cascade.LedgerInsert(root, id, where.Exprs, cascade.Locks(db))
	if err := cascade.On(session(db), root.Name).Exec("?", insert).Error; err != nil {
		return err
	}
	if err := session(db).Exec("?", cascade.DropStaleLedger(root, id)).Error; err != nil {
		return err
	}
	s.AddClause(clause.Where{Exprs: []clause.Expression{cascade.InLedger(root, clause.CurrentTable, id)}})
	return nil
}

// setDeleted adds the SET that soft-deletes with stamp, and sets the
// deleted-at field of the value passed to Delete, as GORM does.
func setDeleted(s *gorm.Statement, marker softdelete.Marker, stamp time.Time) {
	set := marker.DeleteSet(stamp)
	s.AddClause(set)
	for _, a := range set {
		s.SetColumn(a.Column.Name, a.Value, true)
	}
}

// build writes the root UPDATE into the statement.
func build(db *gorm.DB) {
	db.Statement.AddClauseIfNotExists(clause.Update{})
	db.Statement.Build(db.Callback().Update().Clauses...)
}

// lockRoots locks the live rows the Delete matches (SELECT ... FOR UPDATE)
// and reports whether there are any, before the deletion claims a stamp: a
// concurrent Delete of the same rows waits here, then finds nothing to
// delete and records nothing. Without row locks (SQLite), without
// conditions (GORM's guard then refuses the Delete) or in a dry run, it
// reports true and locks nothing. Where it locks, lockAndClaim does it in
// the claim's own statement instead.
func lockRoots(db *gorm.DB, root plan.Table) (bool, error) {
	if db.DryRun || !cascade.Locks(db) || !hasConditions(db) {
		return true, nil
	}
	n, err := countLocked(db, root)
	return n > 0, err
}

// resume gives the statement back its own context after GORM's
// association delete, so that deletes in the model's AfterDelete hook are
// deletions of their own.
func (c *Config) resume(db *gorm.DB) {
	if st := stateOf(db); st != nil && st.context != nil {
		db.Statement.Context = st.context
	}
}

// cascade soft-deletes what the stamped roots reach and completes the log.
func (c *Config) cascade(db *gorm.DB) {
	st := stateOf(db)
	if st == nil || st.deletion == nil || db.Error != nil || db.DryRun {
		return
	}
	d := st.deletion
	tx := session(db)
	if db.RowsAffected == 0 { // nothing matched: no deletion
		_ = db.AddError(tx.Delete(d).Error)
		st.deletion = nil
		return
	}
	run := cascade.Run{Tx: tx, Plan: d.Plan, Mark: cascade.Mark{ID: d.ID, Stamp: d.StampTime()}, Lock: cascade.Locks(db)}
	if err := run.Cascade(); err != nil {
		_ = db.AddError(err)
		return
	}
	d.Roots = db.RowsAffected
	d.Tables = map[string]int64{d.Table: db.RowsAffected}
	d.Rows = db.RowsAffected
	for t, n := range run.Counts {
		d.Tables[t] += n
		d.Rows += n
	}
	root, _ := d.Plan.Table(d.Plan.Root)
	src, err := c.labelSource(db.Statement.Schema)
	if err != nil {
		_ = db.AddError(err)
		return
	}
	if err := describeRoots(db, st, d, src, root, run.Mark); err != nil {
		_ = db.AddError(err)
		return
	}
	// The log's UPDATE also checks that the deletion's mark finds its rows
	// again (cascade.Found); when it does not, it changes nothing.
	found := cascade.Found(d.Plan, run.Mark, d.Tables)
	res := tx.Model(d).Select("Rows", "Tables", "Roots", "RootKeys", "Labels", "LabelSearch").Clauses(clause.Where{Exprs: found}).Updates(d)
	switch {
	case res.Error != nil:
		_ = db.AddError(res.Error)
	case res.RowsAffected != 1:
		_ = db.AddError(cascade.Lost(tx, d.Plan, run.Mark, d.Tables))
	}
}

// finish rolls a failed Delete back to its savepoint, commits or rolls
// back a transaction begin started, then reports a committed deletion.
func (c *Config) finish(db *gorm.DB) {
	st := stateOf(db)
	if st == nil {
		return
	}
	if st.savepoint != "" && db.Error != nil {
		tx := session(db)
		tx.Error = nil
		tx.RollbackTo(st.savepoint)
	}
	if st.started {
		if db.Error != nil {
			db.Rollback()
		} else {
			_ = db.AddError(db.Commit().Error)
		}
		db.Statement.ConnPool = db.ConnPool
	}
	d := st.deletion
	if d == nil || st.callerTx || db.Error != nil || db.DryRun || c.Committed == nil {
		return
	}
	c.Committed(db.Statement.Context, d)
}

// session is a fresh statement on the Delete's connection (its
// transaction), context and dry-run setting.
func session(db *gorm.DB) *gorm.DB {
	return db.Session(&gorm.Session{NewDB: true, SkipHooks: true})
}

// hasConditions mirrors GORM's missing-WHERE guard: the soft-delete
// condition alone does not count.
func hasConditions(db *gorm.DB) bool {
	where, _ := db.Statement.Clauses["WHERE"].Expression.(clause.Where)
	return db.AllowGlobalUpdate || len(where.Exprs) > 1
}

// addPrimaryKeys restricts the UPDATE to the primary keys of the value
// passed to Delete (and of Model, when it differs), as GORM does.
func addPrimaryKeys(s *gorm.Statement) {
	values := []reflect.Value{s.ReflectValue}
	if s.ReflectValue.CanAddr() && s.Dest != s.Model && s.Model != nil {
		values = append(values, reflect.ValueOf(s.Model))
	}
	for _, rv := range values {
		_, keys := schema.GetIdentityFieldValuesMap(s.Context, rv, s.Schema.PrimaryFields)
		column, vals := schema.ToQueryValues(s.Table, s.Schema.PrimaryFieldDBNames, keys)
		if len(vals) > 0 {
			s.AddClause(clause.Where{Exprs: []clause.Expression{clause.IN{Column: column, Values: vals}}})
		}
	}
}

// keepGORMSelects removes, from a Delete's Select, the relations that the
// cascade handles, so that GORM's one-level association delete does not
// soft-delete them first without the deletion's stamp. The others keep
// GORM's meaning. It reports whether any are left for GORM.
func keepGORMSelects(s *gorm.Statement, p *plan.Plan) bool {
	if len(s.Selects) == 0 {
		return false
	}
	cascaded := map[string]bool{}
	for _, e := range p.From(p.Root) {
		if name, ok := strings.CutPrefix(e.Name, s.Schema.Name+"."); ok {
			cascaded[name] = true
		}
	}
	var keep []string
	for _, sel := range s.Selects {
		if sel == clause.Associations {
			s.Schema.Relationships.Mux.RLock()
			for name, rel := range s.Schema.Relationships.Relations {
				if rel.Schema == s.Schema && !cascaded[name] {
					keep = append(keep, name)
				}
			}
			s.Schema.Relationships.Mux.RUnlock()
			continue
		}
		if name, _, _ := strings.Cut(sel, "."); !cascaded[name] {
			keep = append(keep, sel)
		}
	}
	s.Selects = keep
	return len(keep) > 0
}
