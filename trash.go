package softcascade

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/errs"
)

// TrashFilter selects and pages the deletions Trash lists.
type TrashFilter struct {
	// Table keeps the deletions whose root table is Table ("" for all).
	Table string
	// Actor keeps the deletions made by Actor ("" for all), compared as
	// the log stores actors (invalid UTF-8 and NUL bytes as U+FFFD).
	Actor string
	// Since keeps the deletions made at or after Since (zero for all).
	Since time.Time
	// Limit is the page size (zero or less: no limit); Offset skips that
	// many deletions, newest first.
	Limit, Offset int
	// IncludeRestored lists fully restored deletions too.
	IncludeRestored bool
	// Key keeps the deletions one of whose listed roots (RootKeys) has
	// this primary key, as text and exactly: "4" does not match 42, a
	// composite key is its JSON array as RootKeys holds it ([3,"en"]).
	// Only the first roots of a deletion are listed ("" for all).
	Key string
	// Label keeps the deletions one of whose Labels contains this text,
	// ignoring case (both lower-cased with Go's strings.ToLower; no other
	// folding: "e" does not match "é") ("" for all).
	Label string
	// Held keeps only the deletions under a legal hold (Hold).
	Held bool
}

// Trash lists the deletions still in the trash, newest first, one page of
// them, and how many match the filter in all. Purged deletions are never
// listed; fully restored ones only with IncludeRestored. With a tenant in
// the context (WithTenant) only that tenant's deletions are seen. The
// returned deletions carry no Plan; FindDeletion reads one whole.
func Trash(db *gorm.DB, f TrashFilter) ([]Deletion, int64, error) {
	if err := usable(db); err != nil {
		return nil, 0, err
	}
	where, err := trashWhere(db, f)
	if err != nil {
		return nil, 0, errs.Wrap(err, "trash")
	}
	q := db.Model(&Deletion{}).Where(where).Session(&gorm.Session{})
	if f.Key != "" || f.Label != "" {
		return trashSearch(q, f)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, errs.Wrap(err, "trash")
	}
	out := []Deletion{}
	if total == 0 || f.Offset >= int(total) {
		return out, total, nil
	}
	// Every column but the plan, which a listing does not need and which
	// may be large.
	page := q.Omit("plan").Order(newestFirst())
	if f.Limit > 0 {
		page = page.Limit(f.Limit)
	}
	if f.Offset > 0 {
		page = page.Offset(f.Offset)
	}
	if err := page.Find(&out).Error; err != nil {
		return nil, 0, errs.Wrap(err, "trash")
	}
	return out, total, nil
}

// newestFirst is the order of the trash: newest first, by stamp, then ID.
func newestFirst() clause.OrderBy {
	return clause.OrderBy{Columns: []clause.OrderByColumn{
		{Column: clause.Column{Name: "stamp"}, Desc: true},
		{Column: clause.Column{Name: "id"}, Desc: true},
	}}
}

// trashWhere is the filter's condition, the context's tenant included.
func trashWhere(db *gorm.DB, f TrashFilter) (clause.Expression, error) {
	col := func(name string) clause.Column { return clause.Column{Name: name} }
	conds := []clause.Expression{clause.Eq{Column: col("purged_at"), Value: nil}}
	if !f.IncludeRestored {
		conds = append(conds, clause.Eq{Column: col("restored_at"), Value: nil})
	}
	tenant, ok, err := deletionlog.Tenant(db.Statement.Context)
	if err != nil {
		return nil, err
	}
	if ok {
		conds = append(conds, clause.Eq{Column: col("tenant"), Value: tenant})
	}
	if f.Table != "" {
		if !utf8.ValidString(f.Table) || strings.IndexByte(f.Table, 0) >= 0 {
			// No table has such a name (and PostgreSQL refuses the text).
			conds = append(conds, clause.Expr{SQL: "1 = 0"})
		}
		conds = append(conds, clause.Eq{Column: col("root_table"), Value: deletionlog.Stored(f.Table)})
	}
	if f.Held {
		conds = append(conds, clause.Neq{Column: col("held_at"), Value: nil})
	}
	if f.Actor != "" {
		// Compared with the actor as the log stores it.
		conds = append(conds, clause.Eq{Column: col("actor"), Value: deletionlog.Stored(f.Actor)})
	}
	conds = append(conds, searchWhere(f)...)
	if !f.Since.IsZero() {
		// Deletion times are stored in UTC; compare like with like.
		conds = append(conds, clause.Gte{Column: col("deleted_at"), Value: f.Since.UTC()})
	}
	return clause.And(conds...), nil
}

// FindDeletion reads one deletion, its plan included. With a tenant in the
// context only that tenant's deletions are found: an unknown ID, a
// malformed one or another tenant's deletion is gorm.ErrRecordNotFound. A
// purged deletion is returned, with PurgedAt set.
func FindDeletion(db *gorm.DB, id string) (Deletion, error) {
	if err := usable(db); err != nil {
		return Deletion{}, err
	}
	tenant, hasTenant, err := deletionlog.Tenant(db.Statement.Context)
	if err != nil {
		return Deletion{}, err
	}
	id, err = deletionlog.ParseID(id)
	if err != nil {
		return Deletion{}, err
	}
	var d Deletion
	q := db.Where(clause.Eq{Column: clause.Column{Name: "id"}, Value: id})
	if hasTenant {
		q = q.Where(clause.Eq{Column: clause.Column{Name: "tenant"}, Value: tenant})
	}
	if err := q.Take(&d).Error; err != nil {
		return Deletion{}, errs.Wrap(deletionlog.ReadError(err), "deletion %s", id)
	}
	return d, nil
}

// TableCount is how many rows a deletion took from one table.
type TableCount struct {
	Table string `json:"table"`
	Rows  int64  `json:"rows"`
}

// TableCounts lists the tables a deletion took rows from, the root table
// first, then in the order the cascade reached them (by name when the
// deletion carries no plan).
func TableCounts(d Deletion) []TableCount {
	var out []TableCount
	seen := map[string]bool{}
	add := func(name string) {
		if n := d.Tables[name]; n > 0 && !seen[name] {
			seen[name] = true
			out = append(out, TableCount{Table: name, Rows: n})
		}
	}
	add(d.Table)
	if d.Plan.Validate() == nil { // a malformed stored plan gives no order
		for _, t := range d.Plan.Tables {
			add(t.Name)
		}
	}
	names := make([]string, 0, len(d.Tables))
	for name := range d.Tables {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		add(name)
	}
	return out
}

// PurgeDue is when Purge may remove deletion d for good: its stored
// PurgeAfter; for a deletion logged before that was stored, its time plus
// the retention of the plugin installed on db (DefaultRetention when none
// is).
func PurgeDue(db *gorm.DB, d Deletion) time.Time {
	if !d.PurgeAfter.IsZero() {
		return d.PurgeAfter
	}
	retention := DefaultRetention
	if p, err := installed(db); err == nil {
		retention = p.Retention()
	}
	return d.DeletedAt.Add(retention)
}
