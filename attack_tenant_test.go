package softcascade_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// nonexistentID is a key no seeded row has.
const nonexistentID = 987654321

// Under another tenant, every row that is not in one of its deletions gives
// the same error as a key that does not exist, word for word: acme's root,
// a row beneath it, a ledger row, a root of a multi-root deletion, a row
// of a deletion being purged, a row soft-deleted outside the plugin and a
// live row. Nothing changes.
func TestTenantRestoreErrorsRevealNothing(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		acme, bravo := db.WithContext(tenantCtx("acme")), db.WithContext(tenantCtx("bravo"))
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		m1 := modelstest.SeedProject(t, db, "m1", modelstest.Small)
		m2 := modelstest.SeedProject(t, db, "m2", modelstest.Small)
		purging := modelstest.SeedProject(t, db, "purging", modelstest.Small)
		outside := modelstest.SeedProject(t, db, "outside", modelstest.Small)
		live := modelstest.SeedProject(t, db, "live", modelstest.Small)
		own := modelstest.SeedProject(t, db, "own", modelstest.Small)
		f := seedKinds(t, db, "f")
		must(t, acme.Delete(&p).Error)
		must(t, acme.Delete(&[]modelstest.Project{m1, m2}).Error)
		must(t, acme.Delete(&purging).Error)
		must(t, acme.Delete(&f).Error)
		must(t, bravo.Delete(&own).Error)
		must(t, db.Model(&softcascade.Deletion{}).Where("root_table = ? AND tenant = ?", "projects", "acme").
			Order("stamp DESC").Limit(1).Update("purge_started_at", time.Now().UTC()).Error)
		must(t, db.Session(&gorm.Session{SkipHooks: true}).Model(&modelstest.Project{}).
			Where("id = ?", outside.ID).Update("deleted_at", time.Now().UTC()).Error)
		var task modelstest.Task
		must(t, db.Unscoped().Where("project_id = ?", p.ID).Order("id").First(&task).Error)
		var line modelstest.Line
		must(t, db.Unscoped().Order("id").First(&line).Error)
		before := counts(t, db)
		_ = live

		same := func(what string, value, nonexistent any) {
			t.Helper()
			_, want := softcascade.Restore(bravo, nonexistent)
			notFound(t, what+" (nonexistent)", want)
			_, err := softcascade.Restore(bravo, value)
			notFound(t, what, err)
			if err != nil && want != nil && err.Error() != want.Error() {
				t.Errorf("%s: error %q differs from a nonexistent key's %q", what, err, want)
			}
		}
		noProject := &modelstest.Project{ID: nonexistentID}
		same("acme's root", &modelstest.Project{ID: p.ID}, noProject)
		same("a root of acme's multi-root deletion", &modelstest.Project{ID: m1.ID}, noProject)
		same("both roots of acme's multi-root deletion", &[]modelstest.Project{{ID: m1.ID}, {ID: m2.ID}},
			&[]modelstest.Project{{ID: nonexistentID}, {ID: nonexistentID + 1}})
		same("a row of acme's deletion being purged", &modelstest.Project{ID: purging.ID}, noProject)
		same("a row soft-deleted outside the plugin", &modelstest.Project{ID: outside.ID}, noProject)
		same("a live row", &modelstest.Project{ID: live.ID}, noProject)
		same("bravo's row with acme's", &[]modelstest.Project{{ID: own.ID}, {ID: p.ID}},
			&[]modelstest.Project{{ID: own.ID}, {ID: nonexistentID}})
		same("bravo's row with a live one", &[]modelstest.Project{{ID: own.ID}, {ID: live.ID}},
			&[]modelstest.Project{{ID: own.ID}, {ID: nonexistentID}})
		same("a task beneath acme's root", &task, &modelstest.Task{ID: nonexistentID})
		same("acme's ledger row", &line, &modelstest.Line{ID: nonexistentID})
		same("acme's folder", &modelstest.Folder{ID: f.ID}, &modelstest.Folder{ID: nonexistentID})
		if after := counts(t, db); !equalCounts(before, after) {
			t.Fatalf("counts changed: %v -> %v", before, after)
		}
		_, err := softcascade.Restore(bravo, &modelstest.Project{ID: own.ID})
		must(t, err)
	})
}

// Another tenant's deletion ID, in every spelling of a UUID, gives the same
// error as an ID no deletion has, once the ID is taken out of the message.
func TestTenantDeletionErrorsRevealNothing(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		must(t, db.WithContext(tenantCtx("acme")).Delete(&p).Error)
		id := deletions(t, db)[0].ID
		none := "0b7c2d6e-4a1f-4c3e-9d2b-5e6f7a8b9c0d"
		bravo := db.WithContext(tenantCtx("bravo"))
		spellings := []func(string) string{
			func(s string) string { return s },
			strings.ToUpper,
			func(s string) string { return strings.ReplaceAll(s, "-", "") },
			func(s string) string { return "{" + s + "}" },
			func(s string) string { return "urn:uuid:" + s },
		}
		for _, spell := range spellings {
			msg := func(err error, id string) string {
				if err == nil {
					return "<nil>"
				}
				return strings.ReplaceAll(err.Error(), id, "ID")
			}
			_, err := softcascade.FindDeletion(bravo, spell(id))
			_, want := softcascade.FindDeletion(bravo, spell(none))
			notFound(t, "FindDeletion "+spell(id), err)
			eq(t, "FindDeletion "+spell(id), msg(err, id), msg(want, none))
			_, err = softcascade.RestoreDeletion(bravo, spell(id))
			_, want = softcascade.RestoreDeletion(bravo, spell(none))
			notFound(t, "RestoreDeletion "+spell(id), err)
			eq(t, "RestoreDeletion "+spell(id), msg(err, id), msg(want, none))
			_, err = softcascade.Erase(bravo, spell(id))
			_, want = softcascade.Erase(bravo, spell(none))
			notFound(t, "Erase "+spell(id), err)
			eq(t, "Erase "+spell(id), msg(err, id), msg(want, none))
			err, want = softcascade.Hold(bravo, spell(id), "x"), softcascade.Hold(bravo, spell(none), "x")
			notFound(t, "Hold "+spell(id), err)
			eq(t, "Hold "+spell(id), msg(err, id), msg(want, none))
			err, want = softcascade.Release(bravo, spell(id)), softcascade.Release(bravo, spell(none))
			notFound(t, "Release "+spell(id), err)
			eq(t, "Release "+spell(id), msg(err, id), msg(want, none))
		}
		eq(t, "projects deleted", modelstest.CountRows(t, db, &modelstest.Project{}).Deleted, int64(1))
	})
}

// PurgeEvery with an unusable tenant fails at once, like Purge: no run
// could get past it, so it does not loop logging the same error.
func TestPurgeEveryRefusesAnUnusableTenant(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		for _, bad := range []string{"", "bob\xff", "acme\x00"} {
			ctx, cancel := context.WithTimeout(softcascade.WithTenant(context.Background(), bad), 2*time.Second)
			err := softcascade.PurgeEvery(ctx, db, time.Millisecond, softcascade.PurgeOptions{})
			cancel()
			if !errors.Is(err, softcascade.ErrInvalidValue) {
				t.Errorf("PurgeEvery with tenant %q: %v, want ErrInvalidValue", bad, err)
			}
		}
	})
}

// A tenant may delete rows of another tenant's (scoping the query is the
// application's job): the deletion is then the deleting tenant's, and the
// owner of the rows neither sees it nor restores them.
func TestDeletionBelongsToTheDeletingTenant(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		db := open(t, d, nil)
		acme, bravo := db.WithContext(tenantCtx("acme")), db.WithContext(tenantCtx("bravo"))
		p := modelstest.SeedProject(t, db, "acme's", modelstest.Small)
		must(t, bravo.Delete(&modelstest.Project{ID: p.ID}).Error)
		eq(t, "tenant recorded", deletions(t, db)[0].Tenant, "bravo")
		_, n, err := softcascade.Trash(acme, softcascade.TrashFilter{})
		must(t, err)
		eq(t, "acme sees", n, int64(0))
		_, err = softcascade.Restore(acme, &modelstest.Project{ID: p.ID})
		notFound(t, "acme restores its row deleted by bravo", err)
		_, err = softcascade.Restore(bravo, &modelstest.Project{ID: p.ID})
		must(t, err)

		// Deleting rows already in acme's trash changes nothing: bravo
		// cannot take acme's deletion over.
		q := modelstest.SeedProject(t, db, "q", modelstest.Small)
		must(t, acme.Delete(&q).Error)
		logged := len(deletions(t, db))
		must(t, bravo.Delete(&modelstest.Project{ID: q.ID}).Error)
		eq(t, "deletions after bravo's Delete of acme's deleted row", len(deletions(t, db)), logged)
		_, err = softcascade.Restore(bravo, &modelstest.Project{ID: q.ID})
		notFound(t, "bravo restores acme's deleted row it deleted again", err)
		_, err = softcascade.Restore(acme, &modelstest.Project{ID: q.ID})
		must(t, err)
	})
}

// PurgeEvery under a tenant purges that tenant's expired deletions only.
func TestPurgeEveryUnderATenant(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		clk := &clock{now: time.Now().UTC().Truncate(time.Second)}
		db := open(t, d, &gorm.Config{NowFunc: clk.Now})
		a := modelstest.SeedProject(t, db, "a", modelstest.Small)
		b := modelstest.SeedProject(t, db, "b", modelstest.Small)
		must(t, db.WithContext(tenantCtx("acme")).Delete(&a).Error)
		must(t, db.WithContext(tenantCtx("bravo")).Delete(&b).Error)
		clk.Advance(400 * 24 * time.Hour)
		ctx, cancel := context.WithTimeout(tenantCtx("bravo"), 3*time.Second)
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- softcascade.PurgeEvery(ctx, db, 20*time.Millisecond, softcascade.PurgeOptions{}) }()
		for ctx.Err() == nil && deletions(t, db)[1].PurgedAt == nil {
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		<-done
		ds := deletions(t, db)
		eq(t, "bravo's purged", ds[1].PurgedAt != nil, true)
		eq(t, "acme's untouched", ds[0].PurgedAt == nil && ds[0].PurgeStartedAt == nil, true)
		var n int64
		must(t, db.Unscoped().Model(&modelstest.Project{}).Where("id = ?", a.ID).Count(&n).Error)
		eq(t, "acme's project kept", n, int64(1))
	})
}

// ErrParentDeleted under a tenant names the deletion that holds the parent
// only when it is that tenant's own: a parent in another tenant's deletion
// is named by its key (which the child row holds) and nothing more.
func TestParentDeletedNamesNoOtherTenantsDeletion(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		for _, parentBy := range []string{"bravo", "acme"} {
			db := open(t, d, nil)
			acme := db.WithContext(tenantCtx("acme"))
			p := modelstest.SeedProject(t, db, "p", modelstest.Small)
			var task modelstest.Task
			must(t, db.Where("project_id = ? AND parent_id IS NULL", p.ID).Order("id").First(&task).Error)
			must(t, acme.Delete(&modelstest.Task{ID: task.ID}).Error)
			must(t, db.WithContext(tenantCtx(parentBy)).Delete(&modelstest.Project{ID: p.ID}).Error)
			ds := deletions(t, db)
			parentID := ds[len(ds)-1].ID
			_, err := softcascade.Restore(acme, &modelstest.Task{ID: task.ID})
			if !errors.Is(err, softcascade.ErrParentDeleted) {
				t.Fatalf("parent deleted by %s: %v, want ErrParentDeleted", parentBy, err)
			}
			named := strings.Contains(err.Error(), parentID)
			eq(t, "parent deleted by "+parentBy+": message names its deletion", named, parentBy == "acme")
		}
	})
}

// Under another tenant, Trash with every filter sees none of acme's
// deletions, and Purge (dry run or not, Models given or not) neither
// counts nor removes any of acme's rows or rows deleted outside the plugin.
func TestTenantTrashAndPurgeReachNothingOfAnother(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		clk := &clock{now: time.Now().UTC().Truncate(time.Second)}
		db := open(t, d, &gorm.Config{NowFunc: clk.Now})
		acme, bravo := db.WithContext(tenantCtx("acme")), db.WithContext(tenantCtx("bravo"))
		p := modelstest.SeedProject(t, db, "p", modelstest.Small)
		f := seedKinds(t, db, "f")
		outside := modelstest.SeedProject(t, db, "outside", modelstest.Small)
		must(t, acme.Delete(&p).Error)
		must(t, acme.Delete(&f).Error)
		must(t, db.Session(&gorm.Session{SkipHooks: true}).Model(&modelstest.Project{}).
			Where("id = ?", outside.ID).Update("deleted_at", clk.Now()).Error)
		clk.Advance(400 * 24 * time.Hour)
		before := counts(t, db)
		for _, f := range []softcascade.TrashFilter{
			{}, {IncludeRestored: true}, {Table: "projects"}, {Table: "folders"}, {Actor: ""},
			{Since: time.Unix(0, 0)}, {Limit: 1}, {Limit: 1, Offset: 1}, {Offset: -1}, {Limit: -1},
			{Table: "projects", IncludeRestored: true, Since: time.Unix(0, 0), Limit: 100},
		} {
			ds, n, err := softcascade.Trash(bravo, f)
			must(t, err)
			if n != 0 || len(ds) != 0 {
				t.Errorf("bravo's Trash(%+v) sees %d of acme's deletions", f, n)
			}
		}
		for _, dry := range []bool{true, false} {
			rep, err := softcascade.Purge(bravo, softcascade.PurgeOptions{DryRun: dry,
				Models: []any{&modelstest.Project{}, &modelstest.Folder{}}})
			must(t, err)
			if rep.Rows != 0 || len(rep.Tables) != 0 {
				t.Errorf("bravo's Purge (dry run %v) reached rows: %+v", dry, rep)
			}
		}
		if after := counts(t, db); !equalCounts(before, after) {
			t.Fatalf("counts changed: %v -> %v", before, after)
		}
		for _, d := range deletions(t, db) {
			if d.PurgedAt != nil || d.PurgeStartedAt != nil {
				t.Errorf("acme's deletion %s marked by bravo's purge", d.ID)
			}
		}
	})
}

// A stored plan that is not a plan at all (not JSON, a JSON array, a field
// of the wrong type) is ErrInvalidPlan for FindDeletion, RestoreDeletion
// and Restore; Purge keeps that deletion, reports it, and purges the others
// instead of stopping at the log.
func TestUnreadableStoredPlan(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		for _, bad := range []string{"not json", "[]", `{"tables": 5}`, "{"} {
			clk := &clock{now: time.Now().UTC().Truncate(time.Second)}
			db := open(t, d, &gorm.Config{NowFunc: clk.Now})
			p := modelstest.SeedProject(t, db, "p", modelstest.Small)
			q := modelstest.SeedProject(t, db, "q", modelstest.Small)
			must(t, db.Delete(&p).Error)
			clk.Advance(time.Second)
			must(t, db.Delete(&q).Error)
			id := deletions(t, db)[0].ID
			must(t, db.Model(&softcascade.Deletion{}).Where("id = ?", id).Update("plan", bad).Error)
			invalid := func(what string, err error) {
				t.Helper()
				if !errors.Is(err, softcascade.ErrInvalidPlan) {
					t.Errorf("plan %q: %s: %v, want ErrInvalidPlan", bad, what, err)
				}
			}
			_, err := softcascade.FindDeletion(db, id)
			invalid("FindDeletion", err)
			_, err = softcascade.RestoreDeletion(db, id)
			invalid("RestoreDeletion", err)
			_, err = softcascade.Restore(db, &modelstest.Project{ID: p.ID})
			invalid("Restore", err)
			_, n, err := softcascade.Trash(db, softcascade.TrashFilter{})
			must(t, err)
			eq(t, "listed", n, int64(2))
			clk.Advance(400 * 24 * time.Hour)
			rep, err := softcascade.Purge(db, softcascade.PurgeOptions{})
			invalid("Purge", err)
			if rep.Rows == 0 {
				t.Errorf("plan %q: Purge purged nothing of the other deletion", bad)
			}
			var ds []softcascade.Deletion // deletions(t, db) would read the plan
			must(t, db.Omit("plan").Order("stamp").Find(&ds).Error)
			eq(t, "kept", ds[0].PurgedAt == nil && ds[0].PurgeStartedAt == nil, true)
			eq(t, "other purged", ds[1].PurgedAt != nil, true)
			var left int64
			must(t, db.Unscoped().Model(&modelstest.Project{}).Where("id = ?", p.ID).Count(&left).Error)
			eq(t, "kept project", left, int64(1))
		}
	})
}
