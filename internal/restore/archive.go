package restore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/softcascade/softcascade/internal/archive"
	"github.com/softcascade/softcascade/internal/cascade"
	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/unique"
)

// maxArchiveVars bounds the bound parameters of one INSERT of archived rows.
const maxArchiveVars = 30000

// maxArchiveRows bounds the rows of one INSERT of archived rows.
const maxArchiveRows = 500

// ledgerColumns are the ledger's columns an archive may carry.
var ledgerColumns = []string{"deletion_id", "table_name", "key_int", "key_text"}

// Archive brings back the purged deletion that rd reads, inside tx: it
// re-opens the deletion's log row (or inserts it, when the log no longer
// has it) as a deletion in the trash, and inserts exactly its archived
// rows, soft-deleted with the deletion's mark, so that a restore of the
// deletion then brings them live. The archive is untrusted input: its plan
// is validated like a stored plan and checked against the database, every
// table and column it names must belong to that plan, and every row it
// inserts must afterwards be a row of the deletion (marked with its stamp,
// or ledgered to it, or a child of such a row). A deletion still in the
// database (not purged) is refused; a row whose unique-while-live values
// a live row holds now is a *unique.ConflictError. Any error leaves the
// transaction to be rolled back.
func Archive(tx *gorm.DB, rd *archive.Reader, req Request) (Result, error) {
	var res Result
	d := rd.Deletion()
	id, err := deletionlog.ParseID(d.ID)
	if err != nil || id != d.ID {
		return res, fmt.Errorf("%w: archive: deletion ID %.40q is not a UUID in its stored form", errs.ErrInvalidValue, d.ID)
	}
	if req.HasTenant && d.Tenant != req.Tenant {
		return res, fmt.Errorf("softcascade: deletion %s: %w", d.ID, gorm.ErrRecordNotFound)
	}
	if d.Stamp <= 0 {
		return res, fmt.Errorf("%w: archive of deletion %s: stamp %d", errs.ErrInvalidValue, d.ID, d.Stamp)
	}
	if err := cascade.NewLive(tx.Session(&gorm.Session{NewDB: true})).Check(d.Plan); err != nil {
		return res, fmt.Errorf("softcascade: archive of deletion %s: %w", d.ID, err)
	}
	if err := reopen(tx, d, req); err != nil {
		return res, err
	}
	a := &archiveRestore{tx: tx, d: d, mark: cascade.Mark{ID: d.ID, Stamp: d.StampTime()},
		before: map[string]int64{}, inserted: map[string]int64{}, roots: d.Roots}
	for {
		t, row, err := rd.Next()
		switch {
		case err != nil:
			return res, fmt.Errorf("softcascade: archive of deletion %s: %w", d.ID, err)
		case t != nil:
			if err := a.flush(); err != nil {
				return res, err
			}
			if err := a.start(*t); err != nil {
				return res, err
			}
		case row != nil:
			if err := a.add(row); err != nil {
				return res, err
			}
		default:
			if err := a.flush(); err != nil {
				return res, err
			}
			if err := a.verify(); err != nil {
				return res, err
			}
			for _, name := range a.order {
				if name != deletionlog.LedgerTable {
					res.add(name, a.inserted[name])
				}
			}
			return res, nil
		}
	}
}

// reopen makes d's log row a deletion in the trash again: the purged row
// updated, or the archived one inserted; its purge marks cleared.
func reopen(tx *gorm.DB, d *deletionlog.Deletion, req Request) error {
	q := tx.Session(&gorm.Session{NewDB: true}).Where(clause.Eq{Column: clause.Column{Name: "id"}, Value: d.ID})
	if req.Lock {
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	row := *d
	row.PurgedAt, row.PurgeStartedAt, row.ArchivedAt = nil, nil, nil
	var cur deletionlog.Deletion
	err := q.Take(&cur).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound) && req.HasTenant:
		// Only the log tells whose a deletion is: with a tenant, an
		// archive the log does not know is nobody's to restore.
		return fmt.Errorf("softcascade: deletion %s: %w", d.ID, err)
	case errors.Is(err, gorm.ErrRecordNotFound):
		if err := tx.Session(&gorm.Session{NewDB: true}).Create(&row).Error; err != nil {
			return fmt.Errorf("softcascade: archive of deletion %s: log row: %w", d.ID, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("softcascade: archive of deletion %s: %w", d.ID, err)
	case req.HasTenant && cur.Tenant != req.Tenant, cur.Tenant != d.Tenant:
		return fmt.Errorf("softcascade: deletion %s: %w", d.ID, gorm.ErrRecordNotFound)
	case cur.PurgedAt == nil:
		return fmt.Errorf("%w: deletion %s is not purged: its rows are still in the database (RestoreDeletion brings them back)", errs.ErrInvalidValue, d.ID)
	case cur.ErasedAt != nil:
		return fmt.Errorf("%w: deletion %s was erased %s: its archive may not bring it back", errs.ErrInvalidValue, d.ID, cur.ErasedAt.UTC().Format("2006-01-02 15:04:05"))
	case cur.Stamp != d.Stamp:
		return fmt.Errorf("%w: the archive of deletion %s does not match its log row (stamp %d, logged %d)", errs.ErrInvalidValue, d.ID, d.Stamp, cur.Stamp)
	case cur.Roots != d.Roots || cur.Table != d.Table:
		return fmt.Errorf("%w: the archive of deletion %s does not match its log row (roots %d of %.64q, logged %d of %.64q)", errs.ErrInvalidValue, d.ID, d.Roots, d.Table, cur.Roots, cur.Table)
	case !samePlan(cur.Plan, d.Plan):
		return fmt.Errorf("%w: the archive of deletion %s does not match its log row (its plan differs from the logged one)", errs.ErrInvalidValue, d.ID)
	}
	err = tx.Session(&gorm.Session{NewDB: true}).Model(&cur).Select("*").Omit("id", "stamp").Updates(&row).Error
	if err != nil {
		return fmt.Errorf("softcascade: archive of deletion %s: log row: %w", d.ID, err)
	}
	return nil
}

// samePlan reports whether two plans are the same, as stored.
func samePlan(a, b *plan.Plan) bool {
	x, errA := json.Marshal(a)
	y, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(x, y)
}

// archiveRestore inserts one archive's rows.
type archiveRestore struct {
	tx       *gorm.DB
	d        *deletionlog.Deletion
	mark     cascade.Mark
	table    archive.Table
	cols     []clause.Column
	batch    [][]any
	order    []string         // tables in archive order, once each
	before   map[string]int64 // rows of the deletion each table held before
	inserted map[string]int64
	kinds    map[string]string
	// keys are the primary keys of the rows inserted into each ledger
	// table: a ledger row may only name one of them, never a row that was
	// in the database before (another deletion's, another tenant's).
	keys map[string]map[string]bool
	// roots is the deletion's root count: at most that many of its rows
	// of its root table may have no parent among its rows.
	roots int64
}

// start checks a table line against the deletion's plan and begins its rows.
func (a *archiveRestore) start(t archive.Table) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: archive of deletion %s: table %.64q: %s", errs.ErrInvalidValue, a.d.ID, t.Name, fmt.Sprintf(format, args...))
	}
	switch t.Kind {
	case archive.KindRows:
		if !slices.ContainsFunc(a.d.Plan.Tables, func(pt plan.Table) bool { return pt.Name == t.Name }) {
			return bad("not a table of the deletion's plan")
		}
	case archive.KindJoin:
		if !slices.ContainsFunc(a.d.Plan.Joins, func(j plan.Join) bool { return j.Table == t.Name }) {
			return bad("not a join table of the deletion's plan")
		}
	case archive.KindLedger:
		if t.Name != deletionlog.LedgerTable {
			return bad("not the ledger")
		}
	default:
		return bad("unknown kind %.20q", t.Kind)
	}
	if a.kinds == nil {
		a.kinds = map[string]string{}
	}
	if k, ok := a.kinds[t.Name]; ok && k != t.Kind {
		return bad("listed as %s and %s", k, t.Kind)
	}
	a.table, a.cols = t, make([]clause.Column, len(t.Columns))
	for i, c := range t.Columns {
		if err := plan.Ident(c.Name); err != nil {
			return bad("column: %v", err)
		}
		if t.Kind == archive.KindLedger && !slices.Contains(ledgerColumns, c.Name) {
			return bad("column %q is not a ledger column", c.Name)
		}
		for _, o := range t.Columns[:i] {
			if o.Name == c.Name {
				return bad("column %q listed twice", c.Name)
			}
		}
		a.cols[i] = clause.Column{Name: c.Name}
	}
	if _, ok := a.kinds[t.Name]; !ok {
		a.kinds[t.Name] = t.Kind
		a.order = append(a.order, t.Name)
		if t.Kind != archive.KindLedger {
			n, err := a.count(t.Name)
			if err != nil {
				return err
			}
			a.before[t.Name] = n
		}
	}
	return nil
}

// add queues one row, inserting a full batch.
func (a *archiveRestore) add(row []any) error {
	switch a.table.Kind {
	case archive.KindLedger:
		if err := a.ledgerRow(row); err != nil {
			return err
		}
	case archive.KindRows:
		if err := a.keepKey(row); err != nil {
			return err
		}
	}
	a.batch = append(a.batch, row)
	per := min(maxArchiveRows, max(1, maxArchiveVars/len(a.cols)))
	if len(a.batch) >= per {
		return a.flush()
	}
	return nil
}

// keepKey remembers the primary key of a row of a ledger table, for the
// ledger rows that follow.
func (a *archiveRestore) keepKey(row []any) error {
	t, ok := a.d.Plan.Table(a.table.Name)
	if !ok || t.Marker == nil || t.Marker.Stamped() || len(t.PrimaryKeys) != 1 {
		return nil
	}
	i := slices.IndexFunc(a.table.Columns, func(c archive.Column) bool { return c.Name == t.PrimaryKeys[0] })
	if i < 0 || row[i] == nil {
		return fmt.Errorf("%w: archive of deletion %s: table %.64q: a row without its primary key %s", errs.ErrInvalidValue, a.d.ID, t.Name, t.PrimaryKeys[0])
	}
	if a.keys == nil {
		a.keys = map[string]map[string]bool{}
	}
	if a.keys[t.Name] == nil {
		a.keys[t.Name] = map[string]bool{}
	}
	a.keys[t.Name][keyText(row[i])] = true
	return nil
}

func keyText(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return fmt.Sprint(v)
}

// ledgerRow checks that a ledger row records the deletion's own row: a row
// of a ledger table of its plan that this archive inserted (its rows come
// before its ledger rows), once.
func (a *archiveRestore) ledgerRow(row []any) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: archive of deletion %s: %s", errs.ErrInvalidValue, a.d.ID, fmt.Sprintf(format, args...))
	}
	vals := map[string]any{}
	for i, c := range a.table.Columns {
		vals[c.Name] = row[i]
	}
	if s, ok := text(vals["deletion_id"]); !ok || s != a.d.ID {
		return bad("a ledger row of another deletion")
	}
	name, _ := text(vals["table_name"])
	t, ok := a.d.Plan.Table(name)
	if !ok || !slices.ContainsFunc(a.d.Plan.Tables, func(pt plan.Table) bool { return pt.Name == name }) {
		return bad("a ledger row of table %.64q, not in its plan", name)
	}
	if t.Marker == nil || t.Marker.Stamped() {
		return bad("a ledger row of table %.64q, which needs none", name)
	}
	col, other := cascade.LedgerKey(t), "key_text"
	if col == other {
		other = "key_int"
	}
	key := vals[col]
	if key == nil || vals[other] != nil || !a.keys[name][keyText(key)] {
		return bad("a ledger row of table %.64q names a row the archive does not hold (key %.64v)", name, key)
	}
	delete(a.keys[name], keyText(key)) // once
	return nil
}

func text(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	}
	return "", false
}

// flush inserts the queued rows in one statement.
func (a *archiveRestore) flush() error {
	if len(a.batch) == 0 {
		return nil
	}
	res := a.tx.Session(&gorm.Session{NewDB: true}).Exec("INSERT INTO ? ?", clause.Table{Name: a.table.Name},
		clause.Values{Columns: a.cols, Values: a.batch})
	if res.Error != nil {
		return fmt.Errorf("softcascade: restore archive of deletion %s: insert into %s (a row with the same primary key or unique value is in the table?): %w",
			a.d.ID, a.table.Name, res.Error)
	}
	a.inserted[a.table.Name] += int64(len(a.batch))
	a.batch = a.batch[:0]
	return nil
}

// count counts the rows of table that belong to the deletion: rows with its
// mark, or for a table that is not soft-deletable, children of such rows.
func (a *archiveRestore) count(table string) (int64, error) {
	cond := a.member(table)
	if a.kinds[table] == archive.KindJoin {
		cond = a.owned(table)
	}
	if cond == nil {
		return 0, nil
	}
	var n int64
	err := cascade.On(a.tx.Session(&gorm.Session{NewDB: true}), table).Where(cond).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("softcascade: restore archive of deletion %s: count %s: %w", a.d.ID, table, err)
	}
	return n, nil
}

// member is "this row of table belongs to the deletion".
func (a *archiveRestore) member(table string) clause.Expression {
	if t, _ := a.d.Plan.Table(table); t.Marker != nil {
		return cascade.Member(t, t.Name, a.mark)
	}
	alts := a.childOfMember(table)
	if len(alts) == 0 {
		return nil
	}
	return clause.Or(alts...)
}

// childOfMember is cascade.ChildOf the deletion's rows.
func (a *archiveRestore) childOfMember(table string) []clause.Expression {
	return cascade.ChildOf(a.d.Plan, table, func(pt plan.Table) clause.Expression { return cascade.Member(pt, cascade.ParentAlias, a.mark) })
}

// owned is "this join row is owned by a row of the deletion", as the
// purge archives them.
func (a *archiveRestore) owned(table string) clause.Expression {
	var alts []clause.Expression
	for _, j := range a.d.Plan.Joins {
		owner, ok := a.d.Plan.Table(j.Owner)
		if j.Table != table || !ok || owner.Marker == nil {
			continue
		}
		alts = append(alts, cascade.OwnedBy(j, cascade.Member(owner, cascade.OwnerAlias, a.mark)))
	}
	if len(alts) == 0 {
		return nil
	}
	return clause.Or(alts...)
}

// rooted checks that the deletion's rows of t hang from its tree: each
// has a parent among the deletion's rows, but for at most its root count
// of rows of its root table. A row given another parent (a live row of
// someone else's) is not a row of the deletion. n is the deletion's rows
// of t (verify has counted them).
func (a *archiveRestore) rooted(t plan.Table, n int64) error {
	alts := a.childOfMember(t.Name)
	// Members less members with a parent: NOT over a NULL key (a row
	// without that parent) would hide the row.
	member := cascade.Member(t, t.Name, a.mark)
	var parented int64
	if len(alts) > 0 {
		err := cascade.On(a.tx.Session(&gorm.Session{NewDB: true}), t.Name).Where(clause.And(member, clause.Or(alts...))).Count(&parented).Error
		if err != nil {
			return fmt.Errorf("softcascade: restore archive of deletion %s: count %s: %w", a.d.ID, t.Name, err)
		}
	}
	n -= parented
	allowed := int64(0)
	if t.Name == a.d.Table {
		allowed = a.roots
	}
	if n > allowed {
		return fmt.Errorf("%w: archive of deletion %s: %d rows of %s have no parent among the deletion's rows (%d may: its roots)",
			errs.ErrInvalidValue, a.d.ID, n, t.Name, allowed)
	}
	return nil
}

// verify checks, once every row is in, that each table gained exactly the
// rows it was given as rows of the deletion, and that no live row holds a
// unique-while-live value of them.
func (a *archiveRestore) verify() error {
	for _, name := range a.order {
		if a.kinds[name] == archive.KindLedger {
			continue
		}
		n, err := a.count(name)
		if err != nil {
			return err
		}
		if got := n - a.before[name]; got != a.inserted[name] && a.kinds[name] == archive.KindJoin {
			return fmt.Errorf("%w: archive of deletion %s: %d of the %d join rows given for %s are not owned by rows of the deletion",
				errs.ErrInvalidValue, a.d.ID, a.inserted[name]-got, a.inserted[name], name)
		} else if got != a.inserted[name] {
			return fmt.Errorf("%w: archive of deletion %s: %d of the %d rows given for %s are not rows of the deletion (not marked with its stamp or ledger, or not children of its rows)",
				errs.ErrInvalidValue, a.d.ID, a.inserted[name]-got, a.inserted[name], name)
		}
		t, _ := a.d.Plan.Table(name)
		if a.kinds[name] == archive.KindRows && t.Marker != nil {
			if err := a.rooted(t, n); err != nil {
				return err
			}
		}
		if a.kinds[name] == archive.KindRows && len(t.Unique) > 0 {
			if err := unique.Check(a.tx.Session(&gorm.Session{NewDB: true}), t, cascade.Member(t, t.Name, a.mark), t.Unique); err != nil {
				return err
			}
		}
	}
	return nil
}
