package main

import (
	"strings"
	"testing"

	"github.com/softcascade/softcascade/internal/modelstest"
)

// --tenant is taken exactly: another spelling of acme, a tenant with
// control characters or invalid UTF-8, and "" reach none of acme's
// deletions; an unusable tenant is an error, never every tenant's view;
// and nothing of the tenant's text reaches the terminal unescaped.
func TestCLITenantFlag(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		f := newFixture(t, d)
		env := []string{envDSN + "=" + f.dsn}
		for _, tenant := range []string{"ACME", "acme ", "acmé", "acme\u200b", "\x1b[2Jacme", "acme\n", "acme\xff", ""} {
			for _, args := range [][]string{
				{"trash", "--tenant", tenant},
				{"trash", "--tenant", tenant, "--json"},
				{"show", f.ids["p1"], "--tenant", tenant},
				{"restore", f.ids["p1"], "--tenant", tenant},
			} {
				r := cli(t, env, args...)
				out := r.stdout + r.stderr
				for _, id := range f.ids {
					if strings.Contains(out, id) && !(args[0] != "trash" && id == f.ids["p1"]) {
						t.Errorf("%q: output shows deletion %s:\n%s", args, id, out)
					}
				}
				if strings.ContainsAny(out, "\x1b\u200b\xff") {
					t.Errorf("%q: output carries the tenant's raw bytes:\n%q", args, out)
				}
				if tenant == "acme\xff" || tenant == "" {
					if r.code == 0 {
						t.Errorf("%q: exit 0 for an unusable tenant:\n%s", args, out)
					}
				} else if args[0] == "trash" && r.code != 0 {
					t.Errorf("%q: exit %d:\n%s", args, r.code, out)
				}
			}
		}
		r := cli(t, env, "trash", "--tenant", "acme", "--json")
		r.want(t, 0, f.ids["p1"])
	})
}
