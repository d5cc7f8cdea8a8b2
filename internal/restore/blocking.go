package restore

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/rootlabel"
	"github.com/softcascade/softcascade/internal/softdelete"
)

// parentError is the ErrParentDeleted of a restore blocked by edge e: it
// names the child table, one blocking parent row (table and key) and, when
// the log has it (and the context's tenant may see it), the deletion that
// holds it, so that the message says what to restore first. Reading the
// blocker is best effort: when that fails, the message names the tables.
func parentError(tx *gorm.DB, e plan.Edge, pt plan.Table, where []clause.Expression, req Request) error {
	key, id, label := blocker(tx, pt, where, req)
	what := fmt.Sprintf("a %s row", pt.Name)
	if key != "" {
		what = fmt.Sprintf("%s row %s", pt.Name, key)
	}
	first := "restore the parent first, or together with these rows in one Restore call"
	if id != "" && label != "" {
		id += " (" + label + ")"
	}
	if id != "" {
		first = fmt.Sprintf("it is in deletion %s: restore that deletion (or the parent row) first, or the parent together with these rows in one Restore call", id)
	}
	return fmt.Errorf("%w: rows of %s have their parent %s (relation %s) still in the trash; %s", errs.ErrParentDeleted, e.Child, what, e.Name, first)
}

// blocker reads one deleted parent row matching where: its primary key
// ("(id 7)"), the ID of the deletion that holds it ("" when unknown) and,
// when that deletion lists the row among its roots, the row as the trash
// shows it ("projects #7 · Website relaunch").
func blocker(tx *gorm.DB, pt plan.Table, where []clause.Expression, req Request) (string, string, string) {
	if pt.Marker == nil || len(pt.PrimaryKeys) == 0 {
		return "", "", ""
	}
	fresh := tx.Session(&gorm.Session{NewDB: true})
	cols := make([]clause.Column, 0, len(pt.PrimaryKeys)+1)
	for _, k := range pt.PrimaryKeys {
		cols = append(cols, clause.Column{Table: cascade.ParentAlias, Name: k})
	}
	m := *pt.Marker
	stampCol, kind, unit := m.TimeColumn()
	if m.Stamped() {
		cols = append(cols, clause.Column{Table: cascade.ParentAlias, Name: stampCol})
	}
	exprs := append(append([]clause.Expression{}, where...), m.IsDeleted(cascade.ParentAlias))
	q := fresh.Table("? AS ?", clause.Table{Name: pt.Name}, clause.Table{Name: cascade.ParentAlias}).
		Clauses(clause.Select{Columns: cols}, clause.Where{Exprs: exprs}).Limit(1)
	rows, err := q.Rows()
	if err != nil {
		return "", "", ""
	}
	defer rows.Close()
	if !rows.Next() {
		return "", "", ""
	}
	keys := make([]any, len(pt.PrimaryKeys))
	dest := make([]any, 0, len(cols))
	for i := range keys {
		dest = append(dest, &keys[i])
	}
	var at sql.NullTime
	var n sql.NullInt64
	if m.Stamped() {
		if kind == softdelete.Time {
			dest = append(dest, &at)
		} else {
			dest = append(dest, &n)
		}
	}
	if rows.Scan(dest...) != nil {
		return "", "", ""
	}
	_ = rows.Close()
	parts := make([]string, len(keys))
	for i, k := range keys {
		if b, ok := k.([]byte); ok {
			k = string(b)
			keys[i] = k
		}
		parts[i] = fmt.Sprintf("%s %v", pt.PrimaryKeys[i], k)
	}
	key := "(" + strings.Join(parts, ", ") + ")"

	d := fresh.Model(&deletionlog.Deletion{}).
		Where(clause.Eq{Column: clause.Column{Name: "purged_at"}, Value: nil})
	if req.HasTenant {
		d = d.Where(clause.Eq{Column: clause.Column{Name: "tenant"}, Value: req.Tenant})
	}
	switch {
	case m.Stamped() && kind == softdelete.Time && at.Valid:
		d = d.Where(clause.Eq{Column: clause.Column{Name: "stamp"}, Value: at.Time.UnixMilli()})
	case m.Stamped() && n.Valid:
		ms := n.Int64
		if unit == softdelete.Nano {
			ms /= int64(time.Millisecond)
		}
		d = d.Where(clause.Eq{Column: clause.Column{Name: "stamp"}, Value: ms})
	case !m.Stamped() && len(keys) == 1:
		ledger := fresh.Model(&deletionlog.LedgerRow{}).Select("deletion_id").
			Where(clause.Eq{Column: clause.Column{Name: "table_name"}, Value: pt.Name}).
			Where(clause.Eq{Column: clause.Column{Name: cascade.LedgerKey(pt)}, Value: keys[0]})
		d = d.Where("? IN (?)", clause.Column{Name: "id"}, ledger)
	default:
		return key, "", ""
	}
	var found []deletionlog.Deletion
	if d.Select("id", "root_table", "root_keys", "labels").Order(clause.OrderByColumn{Column: clause.Column{Name: "stamp"}, Desc: true}).
		Limit(1).Find(&found).Error != nil || len(found) == 0 {
		return key, "", ""
	}
	return key, found[0].ID, rootOf(found[0], keys)
}

// rootOf is the row with key as deletion d lists it among its roots
// ("projects #7 · Website relaunch"), "" when d does not list it.
func rootOf(d deletionlog.Deletion, key []any) string {
	text := rootlabel.Key(key)
	for i, k := range d.RootKeys {
		if k == text {
			return rootlabel.Root(d.Table, k, rootlabel.LabelAt(d.Labels, i))
		}
	}
	return ""
}
