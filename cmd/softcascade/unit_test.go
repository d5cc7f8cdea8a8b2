package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
)

func TestDialectFromDSN(t *testing.T) {
	file := filepath.Join(t.TempDir(), "app.db")
	if err := writeFile(file); err != nil {
		t.Fatal(err)
	}
	for dsn, want := range map[string]string{
		"postgres://u@localhost/db":                "postgres",
		"postgresql://u@localhost/db?sslmode=off":  "postgres",
		"host=127.0.0.1 user=postgres dbname=test": "postgres",
		"dbname=test":                               "postgres",
		"root@tcp(127.0.0.1:3306)/test":             "mysql",
		"u:p@unix(/run/mysqld/mysqld.sock)/test":    "mysql",
		"mysql://root@tcp(127.0.0.1:3306)/test":     "mysql",
		file:                                        "sqlite",
		"file:" + file + "?_pragma=foreign_keys(1)": "sqlite",
		"sqlite:" + file:                            "sqlite",
		"sqlite://" + file:                          "sqlite",
		"file::memory:":                             "sqlite",
	} {
		d, err := dialector(dsn)
		if err != nil {
			t.Errorf("%s: %v", dsn, err)
			continue
		}
		var got string
		switch d.(type) {
		case *postgres.Dialector:
			got = "postgres"
		case *mysql.Dialector:
			got = "mysql"
		case *sqlite.Dialector:
			got = "sqlite"
		}
		if got != want {
			t.Errorf("%s: %T, want %s", dsn, d, want)
		}
	}
	if d, _ := dialector("root@tcp(h)/db"); !strings.Contains(d.(*mysql.Dialector).DSN, "parseTime=true") {
		t.Errorf("MySQL DSN without parseTime: %s", d.(*mysql.Dialector).DSN)
	}
}

func writeFile(path string) error {
	db, err := gorm.Open(sqlite.Open(path), &gorm.Config{})
	if err != nil {
		return err
	}
	sqlDB, _ := db.DB()
	return errors.Join(db.Exec("CREATE TABLE t (id int)").Error, sqlDB.Close())
}

func TestParseWhen(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	for s, want := range map[string]time.Time{
		"":                          {},
		"7d":                        now.Add(-7 * 24 * time.Hour),
		"1.5d":                      now.Add(-36 * time.Hour),
		"36h":                       now.Add(-36 * time.Hour),
		"2026-11-01":                time.Date(2026, 11, 1, 0, 0, 0, 0, time.Local),
		"2026-11-01 15:04":          time.Date(2026, 11, 1, 15, 4, 0, 0, time.Local),
		"2026-11-01T15:04:05+02:00": time.Date(2026, 11, 1, 13, 4, 5, 0, time.UTC),
	} {
		got, err := parseWhen("since", s, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseWhen(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"yesterday", "-3d", "-1h", "2026-13-01"} {
		if _, err := parseWhen("since", s, now); !errors.As(err, new(usageError)) {
			t.Errorf("parseWhen(%q): err = %v, want a usage error", s, err)
		}
	}
}

func TestPurgeIn(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	for left, want := range map[time.Duration]string{
		-time.Hour: "due", 0: "due", time.Minute: "<1h", 5*time.Hour + time.Minute: "5h",
		29*24*time.Hour + 23*time.Hour: "29d", 30 * 24 * time.Hour: "30d",
	} {
		due := now.Add(left)
		if got := purgeIn(&due, now); got != want {
			t.Errorf("purgeIn(%s) = %q, want %q", left, got, want)
		}
	}
	if got := purgeIn(nil, now); got != "unknown" {
		t.Errorf("purgeIn(nil) = %q", got)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 12345: "12,345",
		1234567: "1,234,567", -1234: "-1,234", 100000: "100,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// runPurge runs `purge` in-process against an SQLite database with a
// deletion log, with fake standing in for softcascade.Purge.
func runPurge(t *testing.T, terminal bool, fake purgeFunc, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "app.db")
	db, err := gorm.Open(sqlite.Open(path), &gorm.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Use(softcascade.New()); err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := db.DB()
	_ = sqlDB.Close()
	var out, errOut bytes.Buffer
	a := newApp(&out, &errOut, func(string) string { return "" })
	a.purge = fake
	a.terminal = func(io.Writer) bool { return terminal }
	code = a.run(context.Background(), append([]string{"purge", "--dsn", path}, args...))
	return out.String(), errOut.String(), code
}

// fakePurge reports three batches and returns rep.
func fakePurge(t *testing.T, want softcascade.PurgeOptions, rep softcascade.Report, err error) purgeFunc {
	return func(_ *gorm.DB, r softcascade.PurgeOptions) (softcascade.Report, error) {
		if !r.Before.Equal(want.Before) || r.BatchSize != want.BatchSize || r.DryRun != want.DryRun {
			t.Errorf("purge options %+v, want %+v", r, want)
		}
		r.Progress(softcascade.Progress{Table: "comments", Batch: 1000, Rows: 1000})
		r.Progress(softcascade.Progress{Table: "tasks", Batch: 1000, Rows: 2000})
		r.Progress(softcascade.Progress{Table: "projects", Batch: 500, Rows: 2500})
		return rep, err
	}
}

func TestPurgeCommand(t *testing.T) {
	rep := softcascade.Report{Rows: 2500, Deletions: 3, Tables: map[string]int64{"comments": 1000, "tasks": 1499, "projects": 1},
		Skipped: map[string]int64{"documents": 2}}
	before := time.Date(2026, 10, 1, 0, 0, 0, 0, time.Local)

	out, errOut, code := runPurge(t, false, fakePurge(t, softcascade.PurgeOptions{Before: before, BatchSize: 500, DryRun: true}, rep, nil),
		"--dry-run", "--before", "2026-10-01", "--batch-size", "500")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, s := range []string{"Would purge 3 deletions, 2,500 rows (dry run: nothing changed).", "tasks", "1,499", "Kept 2 rows held by a foreign key", "documents"} {
		if !strings.Contains(out, s) {
			t.Errorf("stdout lacks %q:\n%s", s, out)
		}
	}
	if want := "purge: counted 1,000 of 1,000 rows (comments)\npurge: counted 2,000 of 2,000 rows (tasks)\n"; !strings.Contains(errOut, want) {
		t.Errorf("progress lines:\n%s\nwant them to start with:\n%s", errOut, want)
	}

	// On a terminal: a progress bar on stderr; the report stays on stdout.
	out, errOut, code = runPurge(t, true, fakePurge(t, softcascade.PurgeOptions{}, rep, nil))
	if code != 0 || !strings.Contains(out, "Purged 3 deletions, 2,500 rows in ") || strings.Contains(errOut, "purge: purged") || !strings.Contains(errOut, "\r") {
		t.Errorf("terminal: exit %d\nstdout:\n%s\nstderr: %q", code, out, errOut)
	}

	// Another purge holds the lock: said so, exit 0.
	out, errOut, code = runPurge(t, false, fakePurge(t, softcascade.PurgeOptions{}, softcascade.Report{Busy: true}, nil))
	if code != 0 || !strings.Contains(out, "Another purge is running") {
		t.Errorf("busy: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}

	// Interrupted: what was done is printed, and the error exits 1.
	partial := softcascade.Report{Rows: 1000, Tables: map[string]int64{"comments": 1000}}
	out, errOut, code = runPurge(t, false, fakePurge(t, softcascade.PurgeOptions{}, partial, context.Canceled))
	if code != 1 || !strings.Contains(out, "Purged 0 deletions, 1,000 rows in ") || !strings.Contains(errOut, "context canceled") {
		t.Errorf("cancelled: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}
