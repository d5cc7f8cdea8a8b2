package purge

import (
	"fmt"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/archive"
	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/dialect"
	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/unique"
)

// archived archives each of ds not archived yet (Options.Archive) and
// returns those whose rows may now go. A deletion whose archive fails is
// kept as it was, in the trash and restorable, and reported at the end of
// the run; the others go on.
func (r *runner) archived(ds []*deletionlog.Deletion) ([]*deletionlog.Deletion, error) {
	if r.opts.Archive == nil || r.opts.DryRun {
		return ds, nil
	}
	out := ds[:0:0]
	for _, d := range ds {
		if d.ArchivedAt != nil {
			out = append(out, d) // archived by a run that stopped before the end
			continue
		}
		if err := r.archive(d); err != nil {
			if r.ctx.Err() != nil {
				return nil, err
			}
			err = errs.Wrap(err, "purge deletion %s kept: archive", d.ID)
			r.invalid = append(r.invalid, err)
			r.opts.Logger.WarnContext(r.ctx, "softcascade: purge: deletion kept: its archive failed",
				"deletion", d.ID, "table", d.Table, "error", err)
			continue
		}
		out = append(out, d)
	}
	return out, nil
}

// archive streams deletion d's rows to the archiver in one transaction
// that also marks d archived and its purge started: the marks commit only
// once the archive has committed, and no row of d goes before the marks
// have. A crash after the archive's commit and before the marks' leaves d
// unarchived and whole, so the next run archives the same rows again (the
// archiver replaces the archive); a run that finds d archived does not
// archive it again, whatever of it is left.
func (r *runner) archive(d *deletionlog.Deletion) error {
	u := deletionUnit(d)
	var tables []plan.Table
	for _, t := range slices.Backward(u.order) { // parents first
		ok, err := r.tableExists(t.Name)
		if err != nil {
			return err
		}
		if ok {
			tables = append(tables, t)
		}
	}
	var joins []string
	for _, j := range d.Plan.Joins {
		if slices.Contains(joins, j.Table) {
			continue
		}
		ok, err := r.tableExists(j.Table)
		if err != nil {
			return err
		}
		if ok {
			joins = append(joins, j.Table)
		}
	}
	now := r.conn.NowFunc()
	set := map[string]any{
		"archived_at":      now,
		"purge_started_at": clause.Expr{SQL: "COALESCE(?, ?)", Vars: []any{clause.Column{Name: "purge_started_at"}, now}},
	}
	if !r.pass.stored { // as start: due from now on, so that any run finishes it
		set["purge_after"] = now.UTC()
	}
	return r.q().Transaction(func(tx *gorm.DB) error {
		// As start's mark, this one is taken only while no legal hold is.
		res := tx.Model(&deletionlog.Deletion{}).Clauses(clause.Where{Exprs: []clause.Expression{
			clause.Eq{Column: clause.Column{Name: "id"}, Value: d.ID},
			clause.Eq{Column: clause.Column{Name: "archived_at"}, Value: nil},
			clause.Eq{Column: clause.Column{Name: "purged_at"}, Value: nil},
			clause.Eq{Column: clause.Column{Name: "held_at"}, Value: nil},
		}}).UpdateColumns(set)
		if res.Error != nil {
			return fmt.Errorf("mark archived: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return nil // archived, purged or held meanwhile: start tells which
		}
		d.ArchivedAt = &now // the archive's log row says when
		err := r.writeArchive(tx, d, u, tables, joins)
		if err != nil {
			d.ArchivedAt = nil
		}
		return err
	})
}

// writeArchive writes d's archive and commits it.
func (r *runner) writeArchive(tx *gorm.DB, d *deletionlog.Deletion, u *unit, tables []plan.Table, joins []string) error {
	w, err := r.opts.Archive.Archive(r.ctx, d)
	if err != nil {
		return err
	}
	if err := r.stream(tx, d, u, tables, joins, w); err != nil {
		_ = w.Abort()
		return err
	}
	return w.Commit()
}

// stream writes the rows of d that its purge removes: its tables' rows
// (parents first), the join rows its rows own, and its ledger rows.
func (r *runner) stream(tx *gorm.DB, d *deletionlog.Deletion, u *unit, tables []plan.Table, joins []string, w archive.Writer) error {
	live := dialect.LiveColumns
	kind, _ := dialect.For(tx).UniqueWhileLive()
	for _, t := range tables {
		cond := u.rows(t)
		if cond == nil {
			continue
		}
		var skip []string // generated columns: the database computes them
		if kind == live {
			for _, ix := range t.Unique {
				for _, c := range ix.Columns {
					skip = append(skip, unique.LiveColumn(c))
				}
			}
		}
		var order []string // a self-referencing table in key order: parents usually first
		if len(u.selfEdges(t)) > 0 {
			order = t.PrimaryKeys
		}
		if err := r.copyRows(tx, w, archive.KindRows, t.Name, cond, skip, order...); err != nil {
			return err
		}
	}
	for _, name := range joins {
		var own []clause.Expression
		for _, j := range d.Plan.Joins {
			owner, ok := d.Plan.Table(j.Owner)
			if j.Table != name || !ok || owner.Marker == nil {
				continue
			}
			if m := u.member(owner, cascade.OwnerAlias); m != nil {
				own = append(own, cascade.OwnedBy(j, m))
			}
		}
		if len(own) == 0 {
			continue
		}
		if err := r.copyRows(tx, w, archive.KindJoin, name, clause.Or(own...), nil); err != nil {
			return err
		}
	}
	if usesLedger(d.Plan) {
		ledger := clause.Eq{Column: clause.Column{Table: deletionlog.LedgerTable, Name: "deletion_id"}, Value: d.ID}
		if err := r.copyRows(tx, w, archive.KindLedger, deletionlog.LedgerTable, ledger, nil); err != nil {
			return err
		}
	}
	return nil
}

// copyRows streams the rows of table matching cond to w, all columns but
// skip, one row in memory at a time, ordered by the columns order names.
func (r *runner) copyRows(tx *gorm.DB, w archive.Writer, kind, table string, cond clause.Expression, skip []string, order ...string) error {
	q := cascade.On(tx.Session(&gorm.Session{NewDB: true}), table).
		Clauses(clause.Select{Columns: []clause.Column{{Name: "*", Raw: true}}}, clause.Where{Exprs: []clause.Expression{cond}})
	if len(order) > 0 {
		by := clause.OrderBy{}
		for _, c := range order {
			by.Columns = append(by.Columns, clause.OrderByColumn{Column: clause.Column{Table: table, Name: c}})
		}
		q = q.Clauses(by)
	}
	rows, err := q.Rows()
	if err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	tb := archive.Table{Name: table, Kind: kind}
	keep := make([]bool, len(types))
	for i, ct := range types {
		if keep[i] = !slices.Contains(skip, ct.Name()); keep[i] {
			tb.Columns = append(tb.Columns, archive.Column{Name: ct.Name(), Type: ct.DatabaseTypeName()})
		}
	}
	if err := w.Table(tb); err != nil {
		return err
	}
	vals := make([]any, len(types))
	ptrs := make([]any, len(types))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read %s: %w", table, err)
		}
		row := make([]any, 0, len(tb.Columns))
		for i, v := range vals {
			if keep[i] {
				row = append(row, v)
			}
			vals[i] = nil
		}
		if err := w.Row(row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	return nil
}
