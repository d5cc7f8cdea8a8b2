package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// The trash says what was deleted ("projects #42 · p1"), filters by table,
// key and label, and show lists the root rows; deletions made before the
// log listed roots read "projects · 1 row".
func TestCLIShowsWhatWasDeleted(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		f := newFixture(t, d)
		dsn := []string{"--dsn", f.dsn}
		run := func(args ...string) result { return cli(t, nil, append(args, dsn...)...) }
		p1, err := softcascade.FindDeletion(f.db, f.ids["p1"])
		if err != nil {
			t.Fatal(err)
		}
		key := p1.RootKeys[0]
		r := run("trash", "--tenant", "acme")
		r.want(t, 0, "WHAT", "projects #"+key+" · p1", "1–3 of 3 deletions.")

		// --table with --key: exactly that root; another key: nothing.
		r = run("trash", "--table", "projects", "--key", key)
		r.want(t, 0, f.ids["p1"], "1 deletion.")
		if strings.Contains(r.stdout, f.ids["p2"]) {
			t.Errorf("--key %s lists p2 too:\n%s", key, r.stdout)
		}
		run("trash", "--key", key+"0").want(t, 0, "No deletions found.")
		run("trash", "--key", key, "--tenant", "globex").want(t, 0, "No deletions found.")
		// --label: case-insensitive substring.
		r = run("trash", "--label", "G1")
		r.want(t, 0, f.ids["g1"], "1 deletion.")
		run("trash", "--label", "G1", "--tenant", "acme").want(t, 0, "No deletions found.")

		// show lists the root with its label.
		r = run("show", f.ids["p1"])
		r.want(t, 0, "ROW", "LABEL", "projects #"+key, "p1", "in the trash; purge in 27d")
		if !regexpMatch(r.stdout, `projects #`+key+`\s+p1\n`) {
			t.Errorf("show does not list the root:\n%s", r.stdout)
		}

		// A deletion from before the log listed roots, and one due now.
		if err := f.db.Model(&softcascade.Deletion{}).Where("id = ?", f.ids["p2"]).
			Updates(map[string]any{"root_keys": nil, "labels": nil, "label_search": nil, "purge_after": time.Now().Add(-time.Hour).UTC()}).Error; err != nil {
			t.Fatal(err)
		}
		run("trash", "--tenant", "acme").want(t, 0, "projects · 1 row")
		r = run("show", f.ids["p2"])
		r.want(t, 0, "in the trash; purge due now")
		if strings.Contains(r.stdout, "LABEL") || strings.Contains(r.stdout, "purge in due") {
			t.Errorf("show of an old deletion:\n%s", r.stdout)
		}

		// A hostile label is escaped; 50 roots list 20 and say so.
		hostile := modelstest.SeedProject(t, f.db, "evil\x1b[2J\u202eend", modelstest.Small)
		if err := f.db.Delete(&hostile).Error; err != nil {
			t.Fatal(err)
		}
		var last softcascade.Deletion
		if err := f.db.Order("stamp DESC").First(&last).Error; err != nil {
			t.Fatal(err)
		}
		r = run("trash", "--label", "evil")
		r.want(t, 0, `evil\x1b[2J\u202eend`)
		if strings.ContainsAny(r.stdout, "\x1b\u202e") {
			t.Errorf("trash prints a label raw:\n%q", r.stdout)
		}
		for i := range 50 {
			modelstest.SeedProject(t, f.db, fmt.Sprintf("bulk %02d", i), modelstest.Shape{})
		}
		if err := f.db.Where("name LIKE ?", "bulk %").Delete(&modelstest.Project{}).Error; err != nil {
			t.Fatal(err)
		}
		r = run("trash", "--label", "bulk")
		r.want(t, 0, " · bulk 00 and 49 more", "1 deletion.")
		last = softcascade.Deletion{}
		if err := f.db.Order("stamp DESC").First(&last).Error; err != nil {
			t.Fatal(err)
		}
		run("show", last.ID).want(t, 0, "bulk 19\n", "and 30 more rows of projects, not listed")
	})
}
