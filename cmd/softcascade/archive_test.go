package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

func TestCLIArchive(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		f := newFixture(t, d)
		dsn := []string{"--dsn", f.dsn}
		run := func(args ...string) result { return cli(t, nil, append(args, dsn...)...) }
		dir := t.TempDir()

		run("purge", "--archive", filepath.Join(dir, "missing")).want(t, 2, "not a directory")
		run("purge", "--older-than", "1d", "--yes", "--archive", dir).want(t, 0, "Purged")
		for _, name := range []string{"p1", "p2", "task", "g1"} {
			if _, err := os.Stat(filepath.Join(dir, f.ids[name]+".jsonl.gz")); err != nil {
				t.Fatalf("archive of %s: %v", name, err)
			}
		}
		run("archive", "list", dir).want(t, 0, "ID", "TABLE", "ROWS", f.ids["p1"], f.ids["g1"], "globex", "projects")
		file := filepath.Join(dir, f.ids["p1"]+".jsonl.gz")
		run("archive", "show", file).want(t, 0, f.ids["p1"], "cleanup", "user:ann", "purged", "tasks")

		// Without a terminal, restore wants --yes; another tenant's is not found.
		run("archive", "restore", file).want(t, 2, "--yes")
		run("archive", "restore", file, "--yes", "--tenant", "globex").want(t, 3)
		run("archive", "restore", file, "--yes", "--tenant", "acme").want(t, 0, "back into the trash", "projects")
		run("archive", "restore", file, "--yes").want(t, 1, "not purged")
		run("restore", f.ids["p1"]).want(t, 0, "Restored")
		var n int64
		if err := f.db.Model(&modelstest.Project{}).Where("name = ?", "p1").Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("p1 live: %d", n)
		}
		var del softcascade.Deletion
		if err := f.db.Where("id = ?", f.ids["p1"]).Take(&del).Error; err != nil {
			t.Fatal(err)
		}
		if del.PurgedAt != nil || del.RestoredAt == nil {
			t.Fatalf("deletion after restore: %+v", del)
		}
	})
}
