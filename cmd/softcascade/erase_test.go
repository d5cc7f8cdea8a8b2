package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

func TestCLIEraseHoldRelease(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		f := newFixture(t, d)
		dsn := []string{"--dsn", f.dsn}
		run := func(args ...string) result { return cli(t, nil, append(args, dsn...)...) }
		find := func(name string) softcascade.Deletion {
			t.Helper()
			got, err := softcascade.FindDeletion(f.db, f.ids[name])
			if err != nil {
				t.Fatal(err)
			}
			return got
		}

		// No terminal and no --yes: refused, nothing erased.
		run("erase", f.ids["p1"]).want(t, 2, "--yes")
		run("erase", f.ids["g1"], "--tenant", "acme", "--yes").want(t, 3, "not found")
		if find("p1").PurgeStartedAt != nil || find("g1").PurgeStartedAt != nil {
			t.Fatal("a refused erase changed the log")
		}

		// Hold: shown in trash and show; erase and purge leave it.
		run("hold", f.ids["p2"]).want(t, 2, "--reason")
		run("hold", f.ids["p2"], "--reason", "litigation 2026-17", "--actor", "legal:lea").want(t, 0, "is held")
		if got := find("p2"); got.HeldAt == nil || got.HeldBy != "legal:lea" || got.HoldReason != "litigation 2026-17" {
			t.Fatalf("held deletion %+v", got)
		}
		if r := run("trash", "--tenant", "acme", "--actor", "user:bob"); !regexpMatch(r.stdout, f.ids["p2"]+`.*\bheld\b`) {
			t.Errorf("trash does not show the hold:\n%s", r.stdout)
		}
		run("show", f.ids["p2"]).want(t, 0, "held since", "by legal:lea", "litigation 2026-17")
		if r := run("trash", "--held"); !strings.Contains(r.stdout, f.ids["p2"]) || !strings.Contains(r.stdout, "1 deletion.") {
			t.Errorf("trash --held:\n%s", r.stdout)
		}
		run("erase", f.ids["p2"], "--yes").want(t, 1, "legal hold", "softcascade release")
		run("purge", "--older-than", "1h", "--yes").want(t, 0, "Purged")
		if got := find("p2"); got.PurgedAt != nil || got.PurgeStartedAt != nil {
			t.Fatalf("the CLI purge took the held deletion: %+v", got)
		}
		if got := find("p1"); got.PurgedAt == nil {
			t.Fatal("the CLI purge left a deletion that is not held")
		}

		// Release, then erase with scrub.
		run("release", f.ids["p2"], "--actor", "legal:lea").want(t, 0, "released")
		run("release", f.ids["p2"]).want(t, 1, "not held")
		r := run("erase", f.ids["p2"], "--yes", "--scrub", "--reason", "request 5", "--actor", "dpo")
		r.want(t, 0, "Erased ", " of deletion "+f.ids["p2"], "projects")
		got := find("p2")
		if got.PurgedAt == nil || got.ErasedBy != "dpo" || got.EraseReason != "request 5" || got.Actor != "" || got.ReleasedBy != "legal:lea" {
			t.Errorf("erased deletion %+v", got)
		}
		run("show", f.ids["p2"]).want(t, 0, "erased ", "by dpo")
		run("erase", f.ids["p2"], "--yes").want(t, 3, "purged")
	})
}

func TestEraseAsksOnATerminal(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		f := newFixture(t, d)
		erase := func(answer string) (string, int) {
			var out, errOut bytes.Buffer
			a := newApp(&out, &errOut, func(string) string { return "" })
			a.stdin = strings.NewReader(answer)
			a.canAsk = func() bool { return true }
			code := a.run(context.Background(), []string{"erase", f.ids["task"], "--dsn", f.dsn})
			return out.String() + errOut.String(), code
		}
		out, code := erase("n\n")
		if code != 1 || !strings.Contains(out, "This cannot be undone. [y/N]") || !strings.Contains(out, "not confirmed") {
			t.Errorf("answer n: exit %d\n%s", code, out)
		}
		if got, _ := softcascade.FindDeletion(f.db, f.ids["task"]); got.PurgeStartedAt != nil {
			t.Fatal("erased without confirmation")
		}
		out, code = erase("yes\n")
		if code != 0 || !strings.Contains(out, "Erased ") {
			t.Errorf("answer yes: exit %d\n%s", code, out)
		}
		if got, _ := softcascade.FindDeletion(f.db, f.ids["task"]); got.PurgedAt == nil || got.ErasedBy != "cli" {
			t.Errorf("erased deletion %+v", got)
		}
	})
}
