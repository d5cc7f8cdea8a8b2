package purge

import (
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/errs"
)

// pass is one way of finding due deletions in the log: one indexed
// condition, read a page at a time in the order of that index.
type pass struct {
	where []clause.Expression
	// byPurgeAfter: pages go in (purge_after, stamp) order, on the
	// purge_after index; otherwise in stamp order, on the stamp index.
	byPurgeAfter bool
	// stored: the deletions found carry a purge-after that is due.
	// Otherwise (an override, or deletions logged without one) a purge
	// that starts one sets its purge-after to the start, so that a later
	// run finishes it even when it stops half-way.
	stored bool
}

func logCol(name string) clause.Column { return clause.Column{Name: name} }

// passes are the queries that find the deletions opts makes due:
//
//   - Override (opts.Due zero): every deletion made before Cutoff, by
//     stamp;
//   - otherwise those logged without a purge-after (column NULL) made
//     before Cutoff, by stamp, then those whose purge-after is at or
//     before Due (and made before Before, when set), by purge-after.
//   - Erase (opts.Deletion set): that one deletion, whatever its age.
func (o Options) passes() []pass {
	if o.Deletion != "" {
		return []pass{{where: []clause.Expression{clause.Eq{Column: logCol("id"), Value: o.Deletion}}}}
	}
	before := func(t int64) clause.Expression { return clause.Lt{Column: logCol("stamp"), Value: t} }
	if o.Due.IsZero() {
		return []pass{{where: []clause.Expression{before(o.Cutoff.UnixMilli())}}}
	}
	stored := []clause.Expression{clause.Lte{Column: logCol("purge_after"), Value: o.Due.UTC()}}
	if !o.Before.IsZero() {
		stored = append(stored, before(o.Before.UnixMilli()))
	}
	return []pass{
		{where: []clause.Expression{clause.Eq{Column: logCol("purge_after"), Value: nil}, before(o.Cutoff.UnixMilli())}},
		{where: stored, byPurgeAfter: true, stored: true},
	}
}

// page is the query of the next page of pass p's unpurged deletions (of
// the context's tenant, when it has one) after deletion last (nil: from
// the start).
func (p pass) page(q *gorm.DB, tenant *string, last *deletionlog.Deletion, size int) *gorm.DB {
	where := append([]clause.Expression{clause.Eq{Column: logCol("purged_at"), Value: nil}}, p.where...)
	if tenant != nil {
		where = append(where, clause.Eq{Column: logCol("tenant"), Value: *tenant})
	}
	order := []clause.OrderByColumn{{Column: logCol("stamp")}}
	if p.byPurgeAfter {
		order = append([]clause.OrderByColumn{{Column: logCol("purge_after")}}, order...)
	}
	if last != nil {
		after := clause.Expression(clause.Gt{Column: logCol("stamp"), Value: last.Stamp})
		if p.byPurgeAfter {
			// (purge_after, stamp) > (last's): the first bound keeps it a
			// range on the index.
			pa := last.PurgeAfter.UTC()
			after = clause.And(
				clause.Gte{Column: logCol("purge_after"), Value: pa},
				clause.Or(clause.Gt{Column: logCol("purge_after"), Value: pa},
					clause.And(clause.Eq{Column: logCol("purge_after"), Value: pa}, after)))
		}
		where = append(where, after)
	}
	return q.Clauses(clause.Where{Exprs: where}, clause.OrderBy{Columns: order}).Limit(size)
}

// tenantOf is the context's tenant, nil when it has none.
func tenantOf(r *runner) (*string, error) {
	tenant, ok, err := deletionlog.Tenant(r.ctx)
	if err != nil {
		return nil, errs.Wrap(err, "purge")
	}
	if !ok {
		return nil, nil
	}
	return &tenant, nil
}

// Due lists the unpurged deletions a run with opts would purge (of the
// context's tenant, when it has one), in the order it would take them,
// without their plans. Rows that cannot go are not foreseen: a run may
// keep some of them.
func Due(db *gorm.DB, opts Options) ([]deletionlog.Deletion, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	r := &runner{conn: db, ctx: db.Statement.Context}
	tenant, err := tenantOf(r)
	if err != nil {
		return nil, err
	}
	out := []deletionlog.Deletion{}
	for _, p := range opts.passes() {
		var last *deletionlog.Deletion
		for {
			var ds []deletionlog.Deletion
			if err := p.page(r.q(), tenant, last, deletionPage).Omit("plan").Find(&ds).Error; err != nil {
				return nil, errs.Wrap(err, "purge: read the deletion log")
			}
			out = append(out, ds...)
			if len(ds) < deletionPage {
				break
			}
			last = &ds[len(ds)-1]
		}
	}
	return out, nil
}
