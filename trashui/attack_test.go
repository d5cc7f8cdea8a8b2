package trashui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
	"github.com/softcascade/softcascade/trashui"
)

// Another tenant's deletion, in every spelling of its ID, GET or POST, is
// the same 404 page as an ID no deletion has: nothing on the page tells
// them apart, and nothing is restored.
func TestOtherTenantsDeletionLooksNonexistent(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		f := newFixture(t, d)
		none := "0b7c2d6e-4a1f-4c3e-9d2b-5e6f7a8b9c0d"
		for _, spell := range []func(string) string{
			func(s string) string { return s },
			strings.ToUpper,
			func(s string) string { return strings.ReplaceAll(s, "-", "") },
			func(s string) string { return url.PathEscape("{" + s + "}") },
			func(s string) string { return "urn:uuid:" + s },
		} {
			for _, method := range []string{"GET", "POST"} {
				other := f.do(t, method, prefix+"/deletions/"+spell(f.ids["b1"]), "a")
				nothing := f.do(t, method, prefix+"/deletions/"+spell(none), "a")
				if other.code != http.StatusNotFound || other.code != nothing.code {
					t.Errorf("%s %s: %d, a nonexistent ID %d; want 404 for both", method, spell(f.ids["b1"]), other.code, nothing.code)
				}
				a := strings.ReplaceAll(other.body, spell(f.ids["b1"]), "ID")
				b := strings.ReplaceAll(nothing.body, spell(none), "ID")
				if a != b {
					t.Errorf("%s %s: the page differs from a nonexistent ID's:\n%s\n---\n%s", method, spell(f.ids["b1"]), a, b)
				}
			}
		}
		if n := f.liveTasks(t, "b1"); n != 0 {
			t.Fatalf("b1 has %d live tasks after a's attempts", n)
		}
	})
}

// A tenant hook may return odd but valid tenants: each sees only the
// deletions recorded with exactly that string, here none of a's or b's.
func TestOddTenantsSeeOnlyTheirOwn(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		for _, odd := range []string{"A", "a ", " a", "á", "a\u200b", "a\t", "\u202eb", "b\n", "%", "_", "a' OR '1'='1"} {
			f := newFixture(t, d, trashui.WithContext(func(r *http.Request) context.Context {
				return softcascade.WithTenant(r.Context(), odd)
			}))
			f.do(t, "GET", prefix+"/", "").want(t, 200, "The trash is empty.")
			for name, id := range f.ids {
				f.do(t, "GET", prefix+"/deletions/"+id, "").want(t, 404)
				f.do(t, "POST", prefix+"/deletions/"+id, "").want(t, 404)
				if n := f.liveTasks(t, name); n != 0 {
					t.Errorf("tenant %q restored %s", odd, name)
				}
			}
		}
	})
}
