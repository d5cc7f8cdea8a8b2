package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// fixture is a seeded database with deletions of two tenants.
type fixture struct {
	db  *gorm.DB
	dsn string
	ids map[string]string // deletion ID by name: p1, p2, task, g1
}

// newFixture deletes, in this order, tenant acme's projects p1 (by ann, for
// "cleanup") and p2 (by bob), a task of p3 (by ann), and tenant globex's
// project g1 (by ann).
func newFixture(t *testing.T, d modelstest.Dialect) fixture {
	t.Helper()
	// The deletions happened two days ago.
	db, dsn := d.OpenDSN(t, &gorm.Config{NowFunc: func() time.Time { return time.Now().Add(-48 * time.Hour) }})
	models := modelstest.SeedModels()
	if err := db.AutoMigrate(models...); err != nil {
		t.Fatal(err)
	}
	if err := db.Use(softcascade.New(softcascade.WithModels(models...))); err != nil {
		t.Fatal(err)
	}
	f := fixture{db: db, dsn: dsn, ids: map[string]string{}}
	acme := softcascade.WithTenant(context.Background(), "acme")
	globex := softcascade.WithTenant(context.Background(), "globex")
	del := func(name string, ctx context.Context, actor, reason string, value any) {
		t.Helper()
		ctx = softcascade.WithReason(softcascade.WithActor(ctx, actor), reason)
		if err := db.WithContext(ctx).Delete(value).Error; err != nil {
			t.Fatal(err)
		}
		var last softcascade.Deletion
		if err := db.Order("stamp DESC").First(&last).Error; err != nil {
			t.Fatal(err)
		}
		f.ids[name] = last.ID
	}
	seed := func(name string) *modelstest.Project {
		p := modelstest.SeedProject(t, db, name, modelstest.Small)
		return &p
	}
	del("p1", acme, "user:ann", "cleanup", seed("p1"))
	del("p2", acme, "user:bob", "", seed("p2"))
	var task modelstest.Task
	if err := db.Where("project_id = ? AND parent_id IS NULL", seed("p3").ID).Order("id").First(&task).Error; err != nil {
		t.Fatal(err)
	}
	del("task", acme, "user:ann", "", &task)
	del("g1", globex, "user:ann", "", seed("g1"))
	return f
}

func TestCLIOnEveryDatabase(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		f := newFixture(t, d)
		dsn := []string{"--dsn", f.dsn}
		run := func(args ...string) result { return cli(t, nil, append(args, dsn...)...) }

		// trash: every tenant's, newest first, with a tenant column.
		r := run("trash")
		r.want(t, 0, "TENANT", "PURGE IN", "globex", "acme", "cleanup", "user:bob", "27d", "1–4 of 4 deletions.")
		order := []string{f.ids["g1"], f.ids["task"], f.ids["p2"], f.ids["p1"]}
		last := -1
		for _, id := range order {
			i := strings.Index(r.stdout, id)
			if i <= last {
				t.Errorf("trash is not newest first:\n%s", r.stdout)
			}
			last = i
		}
		run("trash", "--tenant", "globex", "--table", "tasks").want(t, 0, "No deletions found.")
		r = run("trash", "--tenant", "acme", "--table", "projects", "--limit", "1", "--offset", "1")
		r.want(t, 0, f.ids["p1"], "Deletion 2 of 2.")
		if strings.Contains(r.stdout, "TENANT") || strings.Contains(r.stdout, f.ids["p2"]) {
			t.Errorf("trash --tenant --offset 1:\n%s", r.stdout)
		}

		// trash --json, by actor; the DSN from the environment.
		r = cli(t, []string{envDSN + "=" + f.dsn}, "trash", "--tenant", "acme", "--actor", "user:ann", "--json")
		r.want(t, 0)
		var page struct {
			Total     int64
			Deletions []struct {
				ID, Table, Tenant string
				Rows, InTrash     int64
				Tables            map[string]int64
			}
		}
		if err := json.Unmarshal([]byte(r.stdout), &page); err != nil {
			t.Fatalf("trash --json: %v\n%s", err, r.stdout)
		}
		if page.Total != 2 || len(page.Deletions) != 2 || page.Deletions[0].ID != f.ids["task"] || page.Deletions[1].ID != f.ids["p1"] {
			t.Fatalf("trash --json = %+v", page)
		}
		p1 := page.Deletions[1]
		if p1.Tenant != "acme" || p1.Table != "projects" || p1.InTrash != p1.Rows || p1.Tables["tasks"] != 9 {
			t.Errorf("p1 = %+v", p1)
		}

		// show: facts and rows per table, root first; tenant-scoped.
		r = run("show", f.ids["p1"])
		r.want(t, 0, "Deletion  "+f.ids["p1"], "by user:ann", "Reason    cleanup", "Tenant    acme", "in the trash; purge in 27d")
		if !regexpMatch(r.stdout, `TABLE\s+ROWS\s*\n\s*projects\s+1\s*\n`) || !regexpMatch(r.stdout, `\btasks\s+9\b`) {
			t.Errorf("show: no per-table rows, projects first:\n%s", r.stdout)
		}
		run("show", f.ids["g1"], "--tenant", "acme").want(t, 3, "not found")
		run("show", "0190f5a4-0000-7000-8000-000000000000").want(t, 3, "not found")
		run("show", "'; DROP TABLE projects; --").want(t, 3, "malformed ID")

		// restore: another tenant's is not found; then ann's own comes back.
		run("restore", f.ids["g1"], "--tenant", "acme").want(t, 3, "not found")
		before := modelstest.CountRows(t, f.db, &modelstest.Task{})
		r = run("restore", f.ids["p1"], "--tenant", "acme", "--actor", "support:sue")
		r.want(t, 0, "Restored ", " of deletion "+f.ids["p1"], "projects")
		if !regexpMatch(r.stdout, `\btasks\s+9\b`) {
			t.Errorf("restore does not list the tasks:\n%s", r.stdout)
		}
		after := modelstest.CountRows(t, f.db, &modelstest.Task{})
		if after.Live != before.Live+9 || after.Deleted != before.Deleted-9 {
			t.Errorf("tasks %+v before restore, %+v after", before, after)
		}
		got, err := softcascade.FindDeletion(f.db, f.ids["p1"])
		if err != nil || got.RestoredAt == nil || got.RestoredBy != "support:sue" {
			t.Errorf("restored deletion = %+v, %v", got, err)
		}
		run("restore", f.ids["p1"]).want(t, 1, "was restored already", "by support:sue")
		run("trash", "--tenant", "acme").want(t, 0, "1–2 of 2 deletions.")
		run("trash", "--tenant", "acme", "--restored").want(t, 0, "restored", "1–3 of 3 deletions.")

		// restore --json, with the actor from $USER.
		r = run("restore", f.ids["g1"], "--json")
		r.want(t, 0, `"Rows"`, `"projects": 1`)
		if got, _ := softcascade.FindDeletion(f.db, f.ids["g1"]); got.RestoredBy != "cli:tester" {
			t.Errorf("RestoredBy = %q, want cli:tester", got.RestoredBy)
		}

		// purge: a dry run of everything older than an hour counts the
		// fixture's deletions; a future cutoff is refused.
		run("purge", "--dry-run").want(t, 0, "Nothing to purge.")
		run("purge", "--dry-run", "--before", "1h").want(t, 0, "Nothing to purge.")
		run("purge", "--dry-run", "--older-than", "1h").want(t, 0, "Would purge 4 deletions", "dry run")
		run("purge", "--dry-run", "--before", "2999-01-01").want(t, 1, "future")
	})
}

func TestCLIRefusesADatabaseWithoutLog(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		db, dsn := d.OpenDSN(t, nil)
		cli(t, nil, "trash", "--dsn", dsn).want(t, 1, "has no softcascade deletion log")
		if db.Migrator().HasTable(&softcascade.Deletion{}) {
			t.Error("the CLI created the deletion log")
		}
	})
}
