package softcascade_test

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
)

// walkTenants are who the walk acts as: the operator (no tenant) and two
// tenants.
var walkTenants = []string{"", "acme", "bravo"}

func (w *walk) tenant() string { return walkTenants[w.rng.IntN(len(walkTenants))] }

// as is db acting as tenant ("" : the operator, no WithTenant).
func as(tenant string, db *gorm.DB) *gorm.DB {
	if tenant == "" {
		return db
	}
	return db.WithContext(softcascade.WithTenant(db.Statement.Context, tenant))
}

func tenantNote(tenant string) string {
	if tenant == "" {
		return ""
	}
	return " as " + tenant
}

// foreign is what a tenant must leave alone: the deletions of the others
// (other tenants' and the operator's), and the rows they have in the trash.
type foreign struct {
	ids     map[string]bool
	members map[string]map[string]bool
}

// othersOf is what tenant must leave alone; nothing for the operator.
func (w *walk) othersOf(tenant string) foreign {
	f := foreign{ids: map[string]bool{}}
	if tenant == "" {
		return f
	}
	var ds []softcascade.Deletion
	for _, d := range deletions(w.t, w.db) {
		if d.Tenant != tenant && d.PurgedAt == nil {
			ds = append(ds, d)
			f.ids[d.ID] = true
		}
	}
	f.members = w.membersOf(ds)
	return f
}

// checkOthers: acting as tenant changed none of the others' log rows and
// none of the rows their deletions have in the trash.
func (w *walk) checkOthers(tenant string, before map[string][]string, f foreign) {
	w.t.Helper()
	if tenant == "" {
		return
	}
	after := dumpDB(w.t, w.db, true)
	same := func(table string, keep func(line string) bool) {
		now := map[string]string{}
		for _, l := range after[table] {
			now[rowKey(l)] = l
		}
		for _, l := range before[table] {
			if keep(l) && now[rowKey(l)] != l {
				w.fail("acting as %s changed another's row of %s:\n  before %s\n  after  %s", tenant, table, l, now[rowKey(l)])
			}
		}
	}
	same("softcascade_deletions", func(l string) bool {
		id, _ := strconv.Unquote(fields(l)["id"])
		return f.ids[id]
	})
	for table, keys := range f.members {
		same(table, func(l string) bool { return keys[rowKey(l)] })
	}
}

// rootsOfMembers are the roots of the trees of the rows ds have in the
// trash, in the dump before.
func (w *walk) rootsOfMembers(before map[string][]string, ds []softcascade.Deletion) map[string]bool {
	roots := rootsOf(before)
	out := map[string]bool{}
	for table, keys := range w.membersOf(ds) {
		for k := range keys {
			for r := range touchedRoots(roots, table, []string{k}) {
				out[r] = true
			}
		}
	}
	return out
}

// otherRoots fails when an operation on rows ids of table changed a row
// of another tree.
func (w *walk) otherRoots(what string, before map[string][]string, table string, ids []uint) {
	w.t.Helper()
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = fmt.Sprint(id)
	}
	checkOtherRoots(w.t, what, before, dumpDB(w.t, w.db, true), touchedRoots(rootsOf(before), table, keys))
	if w.t.Failed() {
		w.fail("%s changed another tree", what)
	}
}

// probeTenant acts as a tenant on a deletion that is not its own: the
// trash lists only the tenant's deletions, and finding, restoring the
// deletion or restoring one of its rows is gorm.ErrRecordNotFound;
// nothing changes.
func (w *walk) probeTenant() string {
	var ds []softcascade.Deletion
	if err := w.db.Where("purged_at IS NULL").Order("stamp").Find(&ds).Error; err != nil {
		w.fail("read log: %v", err)
	}
	if len(ds) == 0 {
		return "no deletions"
	}
	d := ds[w.rng.IntN(len(ds))]
	tenant := "acme"
	if d.Tenant == "acme" {
		tenant = "bravo"
	}
	tdb := as(tenant, w.db)
	before := dumpDB(w.t, w.db, true)
	listed, total, err := softcascade.Trash(tdb, softcascade.TrashFilter{IncludeRestored: true})
	if err != nil {
		w.fail("trash as %s: %v", tenant, err)
	}
	var want int64
	for _, x := range ds {
		if x.Tenant == tenant {
			want++
		}
	}
	if total != want || int64(len(listed)) != want {
		w.fail("trash as %s lists %d (%d), want %d", tenant, total, len(listed), want)
	}
	for _, x := range listed {
		if x.Tenant != tenant {
			w.fail("trash as %s lists deletion %s of %q", tenant, x.ID, x.Tenant)
		}
	}
	if _, err := softcascade.FindDeletion(tdb, d.ID); !errors.Is(err, gorm.ErrRecordNotFound) {
		w.fail("find deletion of %q as %s: %v", d.Tenant, tenant, err)
	}
	if _, err := softcascade.RestoreDeletion(tdb, d.ID); !errors.Is(err, gorm.ErrRecordNotFound) {
		w.fail("restore deletion of %q as %s: %v", d.Tenant, tenant, err)
	}
	what := fmt.Sprintf("deletion %s of %q as %s", d.Table, d.Tenant, tenant)
	members := w.membersOf([]softcascade.Deletion{d})
	for _, tb := range d.Plan.Tables {
		keys := members[tb.Name]
		if len(keys) == 0 {
			continue
		}
		var ids []uint
		for k := range keys {
			id, _ := strconv.ParseUint(k, 10, 64)
			ids = append(ids, uint(id))
		}
		slices.Sort(ids)
		id := ids[w.rng.IntN(len(ids))]
		if _, err := softcascade.Restore(tdb, w.kind(tb.Name).one(id)); !errors.Is(err, gorm.ErrRecordNotFound) {
			w.fail("restore %s %d of %q's deletion as %s: %v", tb.Name, id, d.Tenant, tenant, err)
		}
		what += fmt.Sprintf(", row %s %d", tb.Name, id)
		break
	}
	w.unchanged("another tenant's probe", before)
	return what + ": not found"
}
