package softcascade_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/modelstest"
)

func tenantCtx(tenant string) context.Context {
	return softcascade.WithTenant(context.Background(), tenant)
}

// notFound fails unless err is gorm.ErrRecordNotFound.
func notFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		t.Errorf("%s: %v, want ErrRecordNotFound", what, err)
	}
}

// Another tenant restores nothing of acme's by row: not the root, not a
// row beneath it, not a ledger-mode row; acme still restores it all.
func TestRestoreRowsOfAnotherTenantIsNotFound(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		f := seedKinds(t, db, "f")
		acme, bravo := db.WithContext(tenantCtx("acme")), db.WithContext(tenantCtx("bravo"))
		must(t, acme.Delete(&p).Error)
		must(t, acme.Delete(&f).Error)
		before := counts(t, db)

		var task modelstest.Task
		must(t, db.Unscoped().Where("project_id = ?", p.ID).Order("id").First(&task).Error)
		var line modelstest.Line
		must(t, db.Unscoped().Order("id").First(&line).Error)
		_, err := softcascade.Restore(bravo, &modelstest.Project{ID: p.ID})
		notFound(t, "bravo restores acme's project", err)
		_, err = softcascade.Restore(bravo, &task)
		notFound(t, "bravo restores acme's task", err)
		_, err = softcascade.Restore(bravo, &line)
		notFound(t, "bravo restores acme's ledger row", err)
		_, err = softcascade.Restore(bravo, &modelstest.Folder{ID: f.ID})
		notFound(t, "bravo restores acme's folder", err)
		if after := counts(t, db); !equalCounts(before, after) {
			t.Fatalf("counts changed: %v -> %v", before, after)
		}
		rep, err := softcascade.Restore(acme, &modelstest.Project{ID: p.ID})
		must(t, err)
		eq(t, "acme restored", rep.Rows, deletions(t, db)[0].Rows)
	})
}

func equalCounts(a, b map[string]modelstest.Count) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// Rows soft-deleted outside the plugin belong to no tenant: with a tenant
// they are not found; without one they come back alone. A live row is, with
// a tenant, not found either.
func TestRestoreRowsOutsideThePluginNeedsNoTenant(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		acme := db.WithContext(tenantCtx("acme"))
		_, err := softcascade.Restore(acme, &modelstest.Project{ID: p.ID})
		notFound(t, "acme restores a live row", err)
		must(t, db.Session(&gorm.Session{SkipHooks: true}).Model(&modelstest.Project{}).
			Where("id = ?", p.ID).Update("deleted_at", time.Now().UTC()).Error)
		_, err = softcascade.Restore(acme, &modelstest.Project{ID: p.ID})
		notFound(t, "acme restores a row deleted outside the plugin", err)
		eq(t, "projects deleted", modelstest.CountRows(t, db, &modelstest.Project{}).Deleted, int64(1))
		rep, err := softcascade.Restore(db, &modelstest.Project{ID: p.ID})
		must(t, err)
		eq(t, "restored alone", rep.Rows, int64(1))
	})
}

// A row of a deletion that is being purged, or was marked purged, is never
// restored as a row soft-deleted outside the plugin.
func TestRestoreRowsOfAPurgedDeletionIsNotFound(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		for _, col := range []string{"purge_started_at", "purged_at"} {
			for _, tenant := range []string{"", "acme", "bravo"} {
				db := open(t, d, nil)
				p := modelstest.SeedProject(t, db, "p", modelstest.Small)
				f := seedKinds(t, db, "f")
				var del *gorm.DB = db
				if tenant != "" {
					del = db.WithContext(tenantCtx("acme"))
				}
				must(t, del.Delete(&p).Error)
				must(t, del.Delete(&f).Error)
				must(t, db.Model(&softcascade.Deletion{}).Where("1 = 1").Update(col, time.Now().UTC()).Error)
				before := counts(t, db)
				rdb := db
				if tenant != "" {
					rdb = db.WithContext(tenantCtx(tenant))
				}
				var line modelstest.Line
				must(t, db.Unscoped().Order("id").First(&line).Error)
				_, err := softcascade.Restore(rdb, &modelstest.Project{ID: p.ID})
				notFound(t, col+" project, tenant "+tenant, err)
				_, err = softcascade.Restore(rdb, &line)
				notFound(t, col+" ledger row, tenant "+tenant, err)
				if after := counts(t, db); !equalCounts(before, after) {
					t.Fatalf("%s, tenant %q: counts changed: %v -> %v", col, tenant, before, after)
				}
			}
		}
	})
}

// Tenants are compared exactly on every database: case, accents, spaces.
func TestTenantsAreComparedExactly(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		must(t, db.WithContext(tenantCtx("acme")).Delete(&p).Error)
		id := deletions(t, db)[0].ID
		for _, other := range []string{"ACME", "Acme", "acme ", " acme", "acmé", "acme\t", "acm", "acme\u200b", "bob\uFFFD"} {
			tdb := db.WithContext(tenantCtx(other))
			ds, n, err := softcascade.Trash(tdb, softcascade.TrashFilter{})
			must(t, err)
			if n != 0 || len(ds) != 0 {
				t.Errorf("tenant %q sees %d of acme's deletions", other, n)
			}
			_, err = softcascade.FindDeletion(tdb, id)
			notFound(t, "FindDeletion as "+other, err)
			_, err = softcascade.RestoreDeletion(tdb, id)
			notFound(t, "RestoreDeletion as "+other, err)
			_, err = softcascade.Restore(tdb, &modelstest.Project{ID: p.ID})
			notFound(t, "Restore as "+other, err)
			_, err = softcascade.Purge(tdb, softcascade.PurgeOptions{Before: db.NowFunc(), OverrideRetention: true})
			must(t, err)
		}
		eq(t, "projects deleted", modelstest.CountRows(t, db, &modelstest.Project{}).Deleted, int64(1))
		eq(t, "not purged", deletions(t, db)[0].PurgedAt == nil, true)
		_, n, err := softcascade.Trash(db.WithContext(tenantCtx("acme")), softcascade.TrashFilter{})
		must(t, err)
		eq(t, "acme sees", n, int64(1))
	})
}

// A tenant that cannot be stored exactly, or is empty, is ErrInvalidValue
// at every entry point; nothing changes. Distinct strings stay distinct.
func TestInvalidTenantsAreRefused(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		q := modelstest.SeedProject(t, db, "q", modelstest.Small)
		must(t, db.Delete(&q).Error) // an operator's deletion, no tenant
		qid := deletions(t, db)[0].ID
		for _, bad := range []string{"", "bob\xff", "acme\x00", "\xc3", strings.Repeat("t", 192)} {
			tdb := db.WithContext(tenantCtx(bad))
			invalid := func(what string, err error) {
				t.Helper()
				if !errors.Is(err, softcascade.ErrInvalidValue) {
					t.Errorf("tenant %.20q: %s: %v, want ErrInvalidValue", bad, what, err)
				}
			}
			invalid("Delete", tdb.Delete(&modelstest.Project{ID: p.ID}).Error)
			_, _, err := softcascade.Trash(tdb, softcascade.TrashFilter{})
			invalid("Trash", err)
			_, err = softcascade.FindDeletion(tdb, qid)
			invalid("FindDeletion", err)
			_, err = softcascade.RestoreDeletion(tdb, qid)
			invalid("RestoreDeletion", err)
			_, err = softcascade.Restore(tdb, &modelstest.Project{ID: q.ID})
			invalid("Restore", err)
			_, err = softcascade.Purge(tdb, softcascade.PurgeOptions{Before: db.NowFunc(), OverrideRetention: true})
			invalid("Purge", err)
		}
		eq(t, "p live", modelstest.CountRows(t, db, &modelstest.Project{}).Live, int64(1))
		eq(t, "deletions", len(deletions(t, db)), 1)
		eq(t, "q still in the trash", deletions(t, db)[0].RestoredAt == nil, true)

		// "bob\uFFFD" is a tenant of its own; "bob\xff" is not it.
		must(t, db.WithContext(tenantCtx("bob\uFFFD")).Delete(&p).Error)
		ds := deletions(t, db)
		eq(t, "stored tenant", ds[len(ds)-1].Tenant, "bob\uFFFD")
		_, n, err := softcascade.Trash(db.WithContext(tenantCtx("bob\uFFFD")), softcascade.TrashFilter{})
		must(t, err)
		eq(t, "bob\uFFFD sees", n, int64(1))
	})
}

// A tenant of TenantSize characters, multi-byte ones included, is stored
// and found exactly.
func TestLongestTenant(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		tenant := strings.Repeat("é", deletionlog.TenantSize-1) + "😀"
		tdb := db.WithContext(tenantCtx(tenant))
		must(t, tdb.Delete(&p).Error)
		ds, n, err := softcascade.Trash(tdb, softcascade.TrashFilter{})
		must(t, err)
		eq(t, "seen", n, int64(1))
		eq(t, "tenant", ds[0].Tenant, tenant)
		_, err = softcascade.RestoreDeletion(tdb, ds[0].ID)
		must(t, err)
	})
}
