package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// The command honours the purge-after stored with each deletion; purging
// earlier takes --older-than, and --yes where no terminal can ask.
func TestCLIPurgeHonoursStoredRetention(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		f := newFixture(t, d) // four deletions two days ago, 30 days' retention
		dsn := []string{"--dsn", f.dsn}
		run := func(args ...string) result { return cli(t, nil, append(args, dsn...)...) }

		run("purge").want(t, 0, "Nothing to purge.")
		run("purge", "--before", "1h").want(t, 0, "Nothing to purge.")
		run("--retention", "1d", "purge").want(t, 2, "--retention is gone", "--older-than 1d")
		run("trash", "--retention", "1d").want(t, 2, "--retention is gone")

		// The override: refused without a terminal and without --yes.
		r := run("purge", "--older-than", "1h")
		r.want(t, 2, "--older-than 1h overrides the retention stored with each deletion: pass --yes")
		run("purge", "--older-than", "1h", "--before", "1h").want(t, 2, "do not go together")

		// The dry run lists the deletions, newest purge-after last.
		r = run("purge", "--older-than", "1h", "--dry-run")
		r.want(t, 0, "ID", "WHAT", "DELETED", "ROWS", "PURGE AFTER", "Would purge 4 deletions, ", "(dry run: nothing changed).")
		for _, name := range []string{"p1", "p2", "task", "g1"} {
			if !strings.Contains(r.stdout, f.ids[name]) {
				t.Errorf("dry run does not list %s:\n%s", name, r.stdout)
			}
		}
		if !regexpMatch(r.stdout, f.ids["task"]+`\s+tasks #\d+ · task 0\s+\S+ \S+\s+24\s`) {
			t.Errorf("dry run: no row for the task's deletion (table, time, rows):\n%s", r.stdout)
		}

		// --yes --json: one document.
		r = run("purge", "--older-than", "1h", "--yes", "--json", "--progress", "none")
		r.want(t, 0)
		var out struct {
			DryRun, Override, Busy bool
			Due                    []struct {
				ID, Table  string
				DeletedAt  time.Time
				PurgeAfter *time.Time
				Rows       int64
			}
			Deletions int
			Rows      int64
			Tables    map[string]int64
			Skipped   map[string]int64
			Seconds   *float64
		}
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("purge --json: %v\n%s", err, r.stdout)
		}
		if out.DryRun || !out.Override || out.Busy || out.Deletions != 4 || len(out.Due) != 4 || out.Rows < 3*81+8 ||
			out.Tables["projects"] != 3 || out.Seconds == nil || out.Skipped == nil {
			t.Errorf("purge --json = %+v", out)
		}
		for _, it := range out.Due {
			if it.ID == "" || it.Table == "" || it.Rows == 0 || it.PurgeAfter == nil || !it.PurgeAfter.After(it.DeletedAt) {
				t.Errorf("purge --json due item = %+v", it)
			}
		}
		run("trash").want(t, 0, "No deletions found.")
	})
}

// A due deletion goes without an override, with progress lines and a
// final line with thousands separators; a deletion logged without a
// purge-after is left to the application.
func TestCLIPurgeReports(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		clk := time.Now().Add(-40 * 24 * time.Hour)
		db, dsn := d.OpenDSN(t, &gorm.Config{NowFunc: func() time.Time { return clk }})
		models := modelstest.SeedModels()
		must(t, db.AutoMigrate(models...))
		must(t, db.Use(softcascade.New(softcascade.WithModels(models...))))
		big := modelstest.SeedProject(t, db, "big", modelstest.Shape{Tasks: 400, CommentsPerTask: 2})
		old := modelstest.SeedProject(t, db, "old", modelstest.Small)
		must(t, db.Delete(&big).Error)
		must(t, db.Delete(&old).Error)
		// The second deletion as logged before purge-after was stored.
		var last softcascade.Deletion
		must(t, db.Order("stamp DESC").First(&last).Error)
		must(t, db.Model(&last).Update("purge_after", nil).Error)

		r := cli(t, nil, "trash", "--dsn", dsn)
		r.want(t, 0, "due", "unknown")

		r = cli(t, nil, "purge", "--dsn", dsn, "--batch-size", "500")
		r.want(t, 0, "Purged 1 deletion, 1,201 rows in ", " s.")
		if !strings.Contains(r.stderr, "purge: purged 500 of 1,201 rows (comments)") ||
			!strings.Contains(r.stderr, `msg="softcascade: purge finished"`) {
			t.Errorf("progress and log lines:\n%s", r.stderr)
		}
		// The old one is still there: the command does not know the
		// application's retention.
		cli(t, nil, "trash", "--dsn", dsn).want(t, 0, "unknown", "1 deletion.")

		// A bar on request (a terminal would get it by default), with the
		// total, and the log lines above it.
		r = cli(t, nil, "purge", "--dsn", dsn, "--older-than", "1d", "--yes", "--progress", "bar", "--batch-size", "20")
		r.want(t, 0, "Purged 1 deletion, ")
		if !strings.Contains(r.stderr, "\r") || !regexpMatch(r.stderr, `\(\d+/\d+, `) || !strings.Contains(r.stderr, `msg="softcascade: purge finished"`) {
			t.Errorf("bar: %q", r.stderr)
		}
	})
}

// On a terminal, the override asks, and only "y" or "yes" goes on.
func TestPurgeOverrideAsks(t *testing.T) {
	d := modelstest.Dialects(t)[0]
	f := newFixture(t, d)
	for _, step := range []struct {
		answer string
		want   int
	}{{"n\n", exitError}, {"", exitError}, {"yes\n", exitOK}} { // "yes" last: it purges them
		answer, want := step.answer, step.want
		var out, errOut bytes.Buffer
		a := newApp(&out, &errOut, func(string) string { return "" })
		a.canAsk = func() bool { return true }
		a.stdin = strings.NewReader(answer)
		code := a.run(context.Background(), []string{"purge", "--dsn", f.dsn, "--older-than", "1h", "--progress", "none"})
		if code != want {
			t.Fatalf("answer %q: exit %d, want %d\n%s\n%s", answer, code, want, out.String(), errOut.String())
		}
		if !strings.Contains(errOut.String(), "--older-than 1h overrides the stored retention: 4 deletions, ") ||
			!strings.Contains(errOut.String(), "4 of them before their purge-after.\nPurge them? [y/N] ") {
			t.Errorf("question: %q", errOut.String())
		}
		if want == exitError && !strings.Contains(errOut.String(), "not confirmed: nothing changed") {
			t.Errorf("refusal: %q", errOut.String())
		}
		if want == exitOK && !strings.Contains(out.String(), "Purged 4 deletions, ") {
			t.Errorf("purge: %q", out.String())
		}
	}
}

// The bar has a total, and log lines written meanwhile go above it.
func TestProgressBarRendering(t *testing.T) {
	var errOut bytes.Buffer
	a := newApp(&bytes.Buffer{}, &errOut, func(string) string { return "" })
	a.terminal = func(io.Writer) bool { return true }
	p := a.newProgress(&purgeRequest{progress: "auto"}, 2500)
	p.report(softcascade.Progress{Table: "comments", Rows: 1000})
	p.logger().Info("softcascade: purge: something")
	time.Sleep(150 * time.Millisecond) // past the bar's throttle
	p.report(softcascade.Progress{Table: "tasks", Rows: 2600})
	p.done()
	got := errOut.String()
	for _, s := range []string{"purged (comments)", "(0/2500, ", "(1000/2600, ", "purged (tasks)", "(2600/2600, ", "msg=\"softcascade: purge: something\"\n"} {
		if !strings.Contains(got, s) {
			t.Errorf("bar output lacks %q:\n%q", s, got)
		}
	}
	// The log line starts on a cleared line, not inside the bar.
	if i := strings.Index(got, "time="); i < 1 || got[i-1] != '\r' {
		t.Errorf("log line not on a line of its own: %q", got)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
