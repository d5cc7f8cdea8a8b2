package purge

import (
	"context"
	"slices"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/dialect"
	"github.com/softcascade/softcascade/internal/errs"
)

// deletionPage is how many deletions one query of the log loads.
const deletionPage = 100

// runner is one run of Purge on one connection.
type runner struct {
	conn    *gorm.DB
	ctx     context.Context
	opts    Options
	dialect dialect.Purge
	res     *Result
	// skipped holds, per table, the keys that a foreign key kept in this
	// run, so that later batches do not try them again.
	skipped map[string]map[string][]any
	exists  map[string]bool // the database's tables, listed on first use
	live    *cascade.Live   // the stored plans' tables, read on first use
	// invalid holds the deletions left alone because their stored plan
	// does not match the database (cascade.Live): Run returns them.
	invalid []error
	// unreadable holds the IDs of the deletions whose stored plan could
	// not be read (readPlans): kept and reported like invalid ones.
	unreadable map[string]bool
	// pass is the query of the log the run is working through.
	pass pass
	// fks holds, per table, the database's foreign keys into it that
	// change referencing rows on delete (foreignKeys), listed on first use.
	fks map[string][]plan.Edge
	// catalog is every foreign key of the schema, read once per run.
	catalog []catalogKey
}

// q is a fresh statement on the run's connection and context. Every
// statement of a run is its own transaction (GORM's default transaction
// would add BEGIN and COMMIT round trips to each UPDATE of the log).
func (r *runner) q() *gorm.DB {
	return r.conn.Session(&gorm.Session{NewDB: true, SkipHooks: true, SkipDefaultTransaction: true})
}

// run purges the due deletions, pass by pass (see passes), oldest first
// within each, then the Models' rows.
func (r *runner) run() error {
	for _, p := range r.opts.passes() {
		r.pass = p
		if err := r.runPass(); err != nil {
			return err
		}
	}
	if _, ok, _ := deletionlog.Tenant(r.ctx); ok {
		return nil // rows outside the plugin belong to no tenant
	}
	for _, p := range orderModels(r.opts.Models) {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		held, err := r.unit(modelUnit(p, r.opts.Cutoff, r.dialect))
		if err != nil {
			return err
		}
		r.addSkipped(held)
	}
	return nil
}

// runPass purges the deletions r.pass finds, a page at a time.
func (r *runner) runPass() error {
	var last *deletionlog.Deletion
	for {
		ds, err := r.expired(last)
		if err != nil {
			return err
		}
		if r.opts.References != nil {
			for i := range ds {
				ds[i].Plan = r.opts.References(ds[i].Plan)
			}
		}
		for i := 0; i < len(ds); {
			if err := r.ctx.Err(); err != nil {
				return err
			}
			n := sharedPlan(ds[i:])
			if err := r.deletions(ds[i : i+n]); err != nil {
				return err
			}
			i += n
			last = &ds[i-1]
		}
		if len(ds) < deletionPage {
			return nil
		}
	}
}

// expired loads the next page of the pass's unpurged due deletions (of
// the context's tenant, when it has one), after last (nil: the first).
func (r *runner) expired(last *deletionlog.Deletion) ([]deletionlog.Deletion, error) {
	tenant, err := tenantOf(r)
	if err != nil {
		return nil, err
	}
	page := func() *gorm.DB { return r.pass.page(r.q(), tenant, last, deletionPage) }
	var ds []deletionlog.Deletion
	err = page().Find(&ds).Error
	if err != nil && deletionlog.PlanError(err) != nil {
		// A stored plan that is not a plan: read the page without plans,
		// then each plan on its own, so that only that deletion is kept.
		ds = nil
		if err = page().Omit("plan").Find(&ds).Error; err == nil {
			err = r.readPlans(ds)
		}
	}
	if err != nil {
		return nil, errs.Wrap(err, "purge: read the deletion log")
	}
	return ds, nil
}

// readPlans reads the stored plan of each of ds. A deletion whose plan is
// not readable keeps a nil Plan and is kept, like one whose plan does not
// match the database (checkPlan): Run reports it.
func (r *runner) readPlans(ds []deletionlog.Deletion) error {
	for i := range ds {
		var one deletionlog.Deletion
		err := r.q().Select("plan").
			Where(clause.Eq{Column: clause.Column{Name: "id"}, Value: ds[i].ID}).Take(&one).Error
		if err == nil {
			ds[i].Plan = one.Plan
			continue
		}
		bad := deletionlog.PlanError(err)
		if bad == nil {
			return err
		}
		bad = errs.Wrap(bad, "purge deletion %s kept", ds[i].ID)
		r.invalid = append(r.invalid, bad)
		if r.unreadable == nil {
			r.unreadable = map[string]bool{}
		}
		r.unreadable[ds[i].ID] = true
		r.opts.Logger.WarnContext(r.ctx, "softcascade: purge: deletion kept: its stored plan cannot be read",
			"deletion", ds[i].ID, "table", ds[i].Table, "error", bad)
	}
	return nil
}

// finish purges the rows of deletion d, whose purge has started, then its
// ledger rows, and marks it purged; a deletion with rows that could not go
// stays as it is.
func (r *runner) finish(d *deletionlog.Deletion) error {
	held, err := r.unit(deletionUnit(d))
	if err != nil || r.opts.DryRun {
		return err
	}
	if held != nil {
		r.addSkipped(held)
		r.res.Held++
		r.opts.Logger.WarnContext(r.ctx, "softcascade: purge: deletion kept: some rows could not go",
			"deletion", d.ID, "table", d.Table)
		return nil
	}
	if usesLedger(d.Plan) {
		ledger := clause.Eq{Column: clause.Column{Table: deletionlog.LedgerTable, Name: "deletion_id"}, Value: d.ID}
		if err := r.drain(deletionlog.LedgerTable, ledger, func(int64) {}); err != nil {
			if r.ctx.Err() != nil {
				return err
			}
			return errs.Wrap(err, "purge deletion %s: ledger", d.ID)
		}
	}
	return r.markPurged(d)
}

// addSkipped adds rows that could not go to the result.
func (r *runner) addSkipped(held map[string]int64) {
	for table, n := range held {
		r.res.Skipped[table] += n
	}
}

// markPurged marks deletions purged, in one statement, and adds them to
// the result's Deletions.
func (r *runner) markPurged(ds ...*deletionlog.Deletion) error {
	now := r.conn.NowFunc()
	res := r.q().Model(&deletionlog.Deletion{}).
		Clauses(clause.Where{Exprs: []clause.Expression{
			clause.IN{Column: clause.Column{Name: "id"}, Values: idsOf(ds)},
			clause.Eq{Column: clause.Column{Name: "purged_at"}, Value: nil},
		}}).
		UpdateColumn("purged_at", now)
	if res.Error != nil {
		return errs.Wrap(res.Error, "purge deletion %s: mark purged", ds[0].ID)
	}
	r.res.Purged += int(res.RowsAffected) // 0 when a concurrent purger marked it first
	if res.RowsAffected == 0 {
		return nil
	}
	for _, d := range ds { // all of them when a concurrent purger marked some (SQLite)
		done := *d
		done.Plan, done.PurgedAt = nil, &now
		r.res.Deletions = append(r.res.Deletions, done)
	}
	return nil
}

// usesLedger reports whether a deletion of plan p may have ledger rows: a
// table of it has a soft-delete column that cannot hold the stamp.
func usesLedger(p *plan.Plan) bool {
	for _, t := range p.Tables {
		if t.Marker != nil && !t.Marker.Stamped() {
			return true
		}
	}
	return false
}

// start marks deletions as being purged, in one statement that commits
// before any of their rows goes, and returns those still to purge (not
// those a concurrent purger finished meanwhile).
//
// A restore locks the deletion's log row (FOR UPDATE) before it changes a
// row, and refuses a deletion marked this way. So the UPDATE here waits
// for a restore of one of them under way, and the purge then finds the
// rows it brought back live and leaves them; a restore that comes later is
// refused. Either the restore happens whole or the purge does, never part
// of each, however many short transactions the purge takes. On SQLite,
// whose writers take turns, a restore that read the deletion before the
// mark cannot write after it (SQLITE_BUSY, nothing changed).
func (r *runner) start(ds []*deletionlog.Deletion) ([]*deletionlog.Deletion, error) {
	ids := idsOf(ds)
	// A legal hold (held_at) and this mark exclude each other: Hold sets
	// held_at only while purge_started_at is NULL, and the mark is set only
	// while held_at is NULL, each in one UPDATE, so whichever commits first
	// wins and a held deletion never loses a row.
	unpurged := []clause.Expression{
		clause.IN{Column: clause.Column{Name: "id"}, Values: ids},
		clause.Eq{Column: clause.Column{Name: "purged_at"}, Value: nil},
		clause.Eq{Column: clause.Column{Name: "held_at"}, Value: nil},
	}
	now := r.conn.NowFunc()
	set := map[string]any{"purge_started_at": now}
	if !r.pass.stored { // due by an override or an old log row: due from now on
		set["purge_after"] = now.UTC()
		for _, d := range ds {
			d.PurgeAfter = now.UTC()
		}
	}
	res := r.q().Model(&deletionlog.Deletion{}).
		Clauses(clause.Where{Exprs: append(unpurged, clause.Eq{Column: clause.Column{Name: "purge_started_at"}, Value: nil})}).
		UpdateColumns(set)
	if res.Error != nil {
		return nil, errs.Wrap(res.Error, "purge deletion %s: mark started", ds[0].ID)
	}
	if res.RowsAffected == int64(len(ds)) {
		return ds, nil
	}
	// Some were started by an earlier run (or a concurrent purger): go on
	// with those not finished meanwhile.
	var left []string
	if err := r.q().Model(&deletionlog.Deletion{}).Clauses(clause.Where{Exprs: unpurged}).Pluck("id", &left).Error; err != nil {
		return nil, errs.Wrap(err, "purge deletion %s", ds[0].ID)
	}
	var out []*deletionlog.Deletion
	for _, d := range ds {
		if slices.Contains(left, d.ID) {
			out = append(out, d)
		}
	}
	return out, nil
}

// idsOf lists the deletions' IDs.
func idsOf(ds []*deletionlog.Deletion) []any {
	ids := make([]any, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	return ids
}

// unit deletes (or counts) a unit's rows table by table, children first,
// and returns, per table, the rows that could not go (none: nil).
func (r *runner) unit(u *unit) (held map[string]int64, err error) {
	for _, t := range u.order {
		ok, err := r.tableExists(t.Name)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue // a table dropped since: its rows are gone
		}
		cond := u.rows(t)
		if cond == nil {
			continue
		}
		if t.Marker != nil {
			for _, j := range u.joinsOf(t) {
				if err := r.joins(u, j); err != nil {
					return nil, err
				}
			}
		}
		if r.opts.DryRun {
			if err := r.countInto(u, t.Name, cond); err != nil {
				return nil, err
			}
			continue
		}
		guard, err := r.noChildren(u, t)
		if err != nil {
			return nil, err
		}
		left, known, err := r.sweep(u, t, cond, guard)
		if err != nil {
			return nil, err
		}
		if !known {
			if left, err = r.count(t.Name, cond); err != nil {
				return nil, err
			}
		}
		if left > 0 {
			if held == nil {
				held = map[string]int64{}
			}
			held[t.Name] = left
		}
	}
	return held, nil
}

// checkPlan checks a deletion's stored plan against the database
// (cascade.Live) before any of its rows goes. A deletion whose plan does not
// match (a table dropped since, a column renamed, a tampered plan) is kept
// as it is, neither started nor marked purged, and reported: Run returns
// its error once the other deletions are done.
func (r *runner) checkPlan(d *deletionlog.Deletion) error {
	err := r.liveSchema().Check(d.Plan)
	if err != nil {
		err = errs.Wrap(err, "purge deletion %s kept", d.ID)
		r.invalid = append(r.invalid, err)
		r.opts.Logger.WarnContext(r.ctx, "softcascade: purge: deletion kept: its stored plan does not match the database",
			"deletion", d.ID, "table", d.Table, "error", err)
	}
	return err
}

// liveSchema is the run's reader of the stored plans' tables.
func (r *runner) liveSchema() *cascade.Live {
	if r.live == nil {
		r.live = cascade.NewLive(r.q())
	}
	return r.live
}

// tableExists reports whether a table exists; the tables are listed once
// per run. (Migrator.HasTable would take a failed query for a missing
// table, and purge would then mark a deletion purged with rows left.)
func (r *runner) tableExists(name string) (bool, error) {
	if strings.Contains(name, ".") {
		// Schema-qualified: not among GetTables, and MySQL's HasTable does
		// not split it. Read it; one that cannot be read is an error, not
		// a table whose rows are gone.
		if err := r.liveSchema().Readable(name); err != nil {
			return false, errs.Wrap(err, "purge")
		}
		return true, nil
	}
	if r.exists == nil {
		names, err := r.q().Migrator().GetTables()
		if err != nil {
			return false, errs.Wrap(err, "purge: list tables")
		}
		r.exists = make(map[string]bool, len(names))
		for _, n := range names {
			r.exists[n] = true
		}
	}
	return r.exists[name], nil
}

// counted adds n deleted (or counted) rows of table to the result and
// reports the batch.
func (r *runner) counted(u *unit, table string, n int64) {
	if n == 0 {
		return
	}
	r.res.Rows += n
	r.res.Tables[table] += n
	if r.opts.Progress != nil {
		r.opts.Progress(Progress{Deletion: u.deletion, Table: table, Batch: n, Rows: r.res.Rows, DryRun: r.opts.DryRun})
	}
}
