package restore

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"sort"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/softdelete"
)

// target is the rows a Restore(value) call names.
type target struct {
	schema *schema.Schema
	marker softdelete.Marker
	plan   *plan.Plan
	table  plan.Table
	keys   [][]any // primary key values, one slice per row
}

// Rows restores the rows value points to (a struct or a slice of structs
// with primary keys) and exactly what their deletions cascaded to beneath
// them. It must run in a transaction.
func Rows(tx *gorm.DB, graph *cascade.Graph, value any, req Request) (Result, error) {
	tg, err := parse(tx, graph, value)
	if err != nil {
		return Result{}, err
	}
	return tg.restore(tx, req)
}

// restore brings back the target's rows and their deletions' parts.
func (tg *target) restore(tx *gorm.DB, req Request) (Result, error) {
	var res Result
	if err := tg.count(tx, req); err != nil {
		return res, err
	}
	// Whose rows they are comes before anything else is checked of them:
	// with a tenant, another tenant's row says nothing more than "not found".
	groups, lone, err := tg.byDeletion(tx, req)
	if err != nil {
		return res, err
	}
	if len(lone) > 0 { // soft-deleted outside the plugin: those rows alone
		in := tg.only(lone)
		// The other rows of this call come back too: they count as live parents.
		if err := checkParents(tx, tg.plan, []string{tg.table.Name}, in, tg.only(tg.keys), req, tg.table.Name); err != nil {
			return res, err
		}
		if err := checkUnique(tx, tg.plan, []string{tg.table.Name}, in); err != nil {
			return res, err
		}
		if err := apply(tx, tg.plan, []string{tg.table.Name}, memberSelector(in), &res); err != nil {
			return res, err
		}
	}
	for _, g := range groups {
		if err := tg.restoreFrom(tx, g, req, &res); err != nil {
			return res, err
		}
	}
	if res.Rows == 0 { // a concurrent restore took them while this one waited for their deletion
		return res, fmt.Errorf("%w: the %s rows were restored meanwhile", errs.ErrNotDeleted, tg.table.Name)
	}
	return res, nil
}

// parse validates value and reads its schema and keys.
func parse(tx *gorm.DB, graph *cascade.Graph, value any) (*target, error) {
	tg, err := parseModel(tx, graph, value)
	if err != nil {
		return nil, err
	}
	rv := reflect.ValueOf(value)
	if i := nilElement(rv.Elem()); i != -1 {
		what := fmt.Sprintf("element %d is nil", i)
		if i == -2 {
			what = "points to a nil pointer"
		}
		return nil, fmt.Errorf("%w: %T: %s", errs.ErrInvalidValue, value, what)
	}
	_, tg.keys = schema.GetIdentityFieldValuesMap(tx.Statement.Context, rv.Elem(), tg.schema.PrimaryFields)
	if len(tg.keys) == 0 {
		return nil, fmt.Errorf("%w: %T has no non-zero primary key", errs.ErrInvalidValue, value)
	}
	if i := zeroKey(tx.Statement.Context, rv.Elem(), tg.schema.PrimaryFields); i >= 0 {
		return nil, fmt.Errorf("%w: %T: element %d has a zero primary key", errs.ErrInvalidValue, value, i)
	}
	return tg, nil
}

// parseModel validates value's type and reads its schema and plan.
func parseModel(tx *gorm.DB, graph *cascade.Graph, value any) (*target, error) {
	rv := reflect.ValueOf(value)
	if value == nil || rv.Kind() != reflect.Pointer || rv.IsNil() {
		return nil, fmt.Errorf("%w: Restore needs a non-nil pointer to a struct or slice of structs, got %T", errs.ErrInvalidValue, value)
	}
	stmt := &gorm.Statement{DB: tx}
	if err := stmt.Parse(value); err != nil {
		return nil, fmt.Errorf("%w: %T: %w", errs.ErrInvalidValue, value, err)
	}
	tg := &target{schema: stmt.Schema}
	var ok bool
	if tg.marker, ok = softdelete.Of(stmt.Schema); !ok {
		return nil, fmt.Errorf("%w: %s", errs.ErrNotSoftDeletable, stmt.Schema.Name)
	}
	if len(stmt.Schema.PrimaryFields) == 0 {
		return nil, fmt.Errorf("%w: %s has no primary key", errs.ErrInvalidValue, stmt.Schema.Name)
	}
	p, err := graph.Plan(tx, stmt.Schema)
	if err != nil {
		return nil, err
	}
	tg.plan = p
	tg.table, _ = p.Table(stmt.Schema.Table)
	tg.marker = *tg.table.Marker // as the live column holds it (Coarse)
	return tg, nil
}

// nilElement returns the index of the first nil element of a slice of
// pointers (-2 when v itself is a nil pointer), -1 when there is none.
func nilElement(v reflect.Value) int {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return -2
		}
		return nilElement(v.Elem())
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			e := v.Index(i)
			if (e.Kind() == reflect.Pointer || e.Kind() == reflect.Interface) && e.IsNil() {
				return i
			}
		}
	}
	return -1
}

// zeroKey returns the index of the first element of a slice whose primary
// key is zero, -1 when none (or when v is not a slice).
func zeroKey(ctx context.Context, v reflect.Value, pks []*schema.Field) int {
	if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
		return -1
	}
	for i := 0; i < v.Len(); i++ {
		elem := reflect.Indirect(v.Index(i))
		zero := true
		for _, f := range pks {
			if elem.Kind() == reflect.Struct {
				if _, z := f.ValueOf(ctx, elem); !z {
					zero = false
				}
			}
		}
		if zero {
			return i
		}
	}
	return -1
}

// keyIn is "the row's primary key is one of keys", on alias.
func (tg *target) keyIn(alias string, keys [][]any) clause.Expression {
	col, vals := schema.ToQueryValues(alias, tg.schema.PrimaryFieldDBNames, keys)
	return clause.IN{Column: col, Values: vals}
}

// only selects the given rows of the target's table, when deleted.
func (tg *target) only(keys [][]any) member {
	return func(t plan.Table, alias string) clause.Expression {
		if t.Name != tg.table.Name {
			return clause.Expr{SQL: "1 = 0"}
		}
		return clause.And(t.Marker.IsDeleted(alias), tg.keyIn(alias, keys))
	}
}

// count fails when a row does not exist (ErrRecordNotFound) or is live
// (ErrNotDeleted; with a tenant both are notTenants, as a live row is in no
// deletion of the tenant's). Parents are checked later, once whose rows
// they are is known, with everything the call brings back: the part of
// each deletion beneath the rows, and the rows.
func (tg *target) count(tx *gorm.DB, req Request) error {
	var total, deleted int64
	name := tg.table.Name
	err := cascade.On(tx, name).Select("COUNT(*), COUNT(CASE WHEN ? THEN 1 END)", tg.marker.IsDeleted(name)).
		Where(tg.keyIn(name, tg.keys)).Row().Scan(&total, &deleted)
	if err != nil {
		return errs.Wrap(err, "restore %s", name)
	}
	if req.HasTenant && deleted < int64(len(tg.keys)) {
		return notTenants(name)
	}
	if total < int64(len(tg.keys)) {
		return errs.Wrap(gorm.ErrRecordNotFound, "restore %s: %d of %d rows", name, int64(len(tg.keys))-total, len(tg.keys))
	}
	if deleted < total {
		return fmt.Errorf("%w: %d of %d %s rows are live", errs.ErrNotDeleted, total-deleted, total, name)
	}
	return nil
}

// notTenants is, with a tenant in the context, the one error for rows
// that are not all in that tenant's restorable deletions: word for word the
// same whether a row does not exist, is live, is another tenant's, is in a
// deletion being purged or was soft-deleted outside the plugin, and naming
// neither a row nor a count, so that it tells nothing about other tenants.
func notTenants(table string) error {
	return errs.Wrap(gorm.ErrRecordNotFound, "restore %s: not every row is in a deletion of this tenant", table)
}

// group is the given rows one deletion took.
type group struct {
	deletion *deletionlog.Deletion
	keys     [][]any
}

// byDeletion finds the deletion that took each row: by stamp, or in the
// ledger. Rows no deletion took are returned as lone.
func (tg *target) byDeletion(tx *gorm.DB, req Request) ([]group, [][]any, error) {
	owner, ids, err := tg.owners(tx)
	if err != nil {
		return nil, nil, err
	}
	deletions, err := tg.deletions(tx, ids, req)
	if err != nil {
		return nil, nil, err
	}
	byID := map[string]*group{}
	var groups []group
	var lone [][]any
	for _, k := range tg.keys {
		d, err := tg.ownerOf(k, owner[cascade.KeyString(k)], deletions, req)
		if err != nil {
			return nil, nil, err
		}
		if d == nil {
			lone = append(lone, k)
			continue
		}
		g, ok := byID[d.ID]
		if !ok {
			groups = append(groups, group{deletion: d})
			g = &groups[len(groups)-1]
			byID[d.ID] = g
		}
		g.keys = append(g.keys, k)
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].deletion.Stamp > groups[j].deletion.Stamp })
	return groups, lone, nil
}

// owners finds the deletions that may hold each of the target's rows:
// by key (cascade.KeyString), the stamp its deleted-at column holds, or
// the deletion IDs the ledger lists for it; and all of those, as ids.
func (tg *target) owners(tx *gorm.DB) (map[string][]any, []any, error) {
	owner := map[string][]any{} // key -> deletion stamp or ID
	var ids []any
	if tg.marker.Stamped() {
		rows := reflect.New(reflect.SliceOf(tg.schema.ModelType))
		if err := cascade.On(tx.Unscoped(), tg.table.Name).Where(tg.keyIn(tg.table.Name, tg.keys)).Find(rows.Interface()).Error; err != nil {
			return nil, nil, errs.Wrap(err, "restore %s", tg.table.Name)
		}
		name, _, _ := tg.marker.TimeColumn()
		field := tg.schema.LookUpField(name)
		for i := 0; i < rows.Elem().Len(); i++ {
			row := rows.Elem().Index(i)
			ms, ok := stampOf(field, row, tg.marker)
			if !ok {
				continue
			}
			owner[tg.keyString(row)] = []any{ms}
			ids = append(ids, ms)
		}
	} else {
		var ledger []deletionlog.LedgerRow
		err := tx.Where(clause.Eq{Column: clause.Column{Name: "table_name"}, Value: tg.table.Name}).
			Where(clause.IN{Column: clause.Column{Name: cascade.LedgerKey(tg.table)}, Values: flatten(tg.keys)}).Find(&ledger).Error
		if err != nil {
			return nil, nil, errs.Wrap(err, "restore: ledger")
		}
		for _, l := range ledger {
			var k any = l.KeyText
			if l.KeyInt != nil {
				k = *l.KeyInt
			} else if l.KeyText != nil {
				k = *l.KeyText
			}
			key := cascade.KeyString([]any{k})
			owner[key] = append(owner[key], l.DeletionID)
			ids = append(ids, l.DeletionID)
		}
	}
	return owner, ids, nil
}

// ownerOf is the deletion a row (key k, its owners stamps or IDs) belongs
// to, nil for a row soft-deleted outside the plugin. A row whose deletion
// cannot be restored (purged, being purged) is gorm.ErrRecordNotFound; so
// is, with a tenant, a row of another tenant's deletion or of none: rows
// deleted outside the plugin belong to no tenant.
func (tg *target) ownerOf(k []any, owners []any, deletions map[string]*deletionlog.Deletion, req Request) (*deletionlog.Deletion, error) {
	var found, usable *deletionlog.Deletion
	var unusable error
	for _, o := range owners {
		d, ok := deletions[fmt.Sprint(o)]
		if !ok {
			continue
		}
		found = d
		switch err := restorable(d); {
		case req.HasTenant && d.Tenant != req.Tenant:
		case err != nil:
			unusable = err
		default:
			usable = d
		}
	}
	switch {
	case usable != nil:
		return usable, nil
	case req.HasTenant:
		// The same answer whether the row is another tenant's, purged or
		// outside the plugin: nothing about it is revealed.
		return nil, notTenants(tg.table.Name)
	case unusable != nil:
		return nil, errs.Wrap(unusable, "restore %s: row %v", tg.table.Name, cascade.KeyString(k))
	case found != nil:
		return nil, errs.Wrap(gorm.ErrRecordNotFound, "restore %s: row %v: deletion %s", tg.table.Name, cascade.KeyString(k), found.ID)
	}
	return nil, nil
}

// deletions loads the deletions among ids (stamps or IDs), whatever their
// tenant or state, keyed by both, locking them: ownerOf judges them, so
// that a row of a deletion this restore may not touch is never taken for a
// row soft-deleted outside the plugin.
func (tg *target) deletions(tx *gorm.DB, ids []any, req Request) (map[string]*deletionlog.Deletion, error) {
	out := map[string]*deletionlog.Deletion{}
	if len(ids) == 0 {
		return out, nil
	}
	col := "id"
	if tg.marker.Stamped() {
		col = "stamp"
	}
	q := tx.Where(clause.IN{Column: clause.Column{Name: col}, Values: ids})
	if req.Lock {
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	var ds []deletionlog.Deletion
	if err := q.Find(&ds).Error; err != nil {
		return nil, errs.Wrap(deletionlog.ReadError(err), "restore")
	}
	for i := range ds {
		d := &ds[i]
		out[d.ID], out[fmt.Sprint(d.Stamp)] = d, d
	}
	return out, nil
}

// restoreFrom restores the given rows' part of one deletion: the whole
// deletion when the rows include every row it took in their table,
// otherwise the part beneath them.
func (tg *target) restoreFrom(tx *gorm.DB, g group, req Request, res *Result) error {
	d := g.deletion
	var err error
	if req.Probe, err = probeOf(tx, d, req); err != nil {
		return err
	}
	if d.Table == tg.table.Name && d.Tables[d.Table] == int64(len(g.keys)) {
		return wholeDeletion(tx, d, tg.only(tg.keys), req, res)
	}
	return partOf(tx, d, tg.table.Name, tg.keyIn(tg.table.Name, g.keys), tg.only(tg.keys), req, res)
}

func (tg *target) keyString(row reflect.Value) string {
	var k []any
	for _, f := range tg.schema.PrimaryFields {
		v, _ := f.ValueOf(context.Background(), row)
		k = append(k, v)
	}
	return cascade.KeyString(k)
}

func flatten(keys [][]any) []any {
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = k[0]
	}
	return out
}

// stampOf reads a row's deletion stamp, in unix milliseconds.
func stampOf(f *schema.Field, row reflect.Value, m softdelete.Marker) (int64, bool) {
	if f == nil {
		return 0, false
	}
	v, zero := f.ValueOf(context.Background(), row)
	if zero {
		return 0, false
	}
	_, kind, unit := m.TimeColumn()
	switch x := v.(type) {
	case gorm.DeletedAt:
		return x.Time.UnixMilli(), x.Valid
	case sql.NullTime:
		return x.Time.UnixMilli(), x.Valid
	case time.Time:
		return x.UnixMilli(), true
	case *time.Time:
		return x.UnixMilli(), x != nil
	}
	rv := reflect.Indirect(reflect.ValueOf(v))
	var n int64
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n = rv.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n = int64(rv.Uint())
	default:
		return 0, false
	}
	if kind == softdelete.Unix && unit == softdelete.Nano {
		n /= int64(time.Millisecond)
	}
	return n, true
}
