package trashui_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
	"github.com/softcascade/softcascade/trashui"
)

// A tenant hook that gives an unusable tenant (an unknown account mapped
// to "", invalid UTF-8) fails closed: no page shows or restores anything,
// never the operator's view of every deletion.
func TestUnusableTenantFailsClosed(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		for _, bad := range []string{"", "a\xff", "a\x00"} {
			f := newFixture(t, d, trashui.WithContext(func(r *http.Request) context.Context {
				return softcascade.WithTenant(r.Context(), bad)
			}))
			for _, p := range []page{
				f.do(t, "GET", prefix+"/", ""),
				f.do(t, "GET", prefix+"/deletions/"+f.ids["a1"], ""),
				f.do(t, "POST", prefix+"/deletions/"+f.ids["a1"], ""),
			} {
				if p.code < 400 {
					t.Errorf("tenant %q: status %d", bad, p.code)
				}
				for _, id := range f.ids {
					p.lacks(t, id)
				}
			}
			if n := f.liveTasks(t, "a1"); n != 0 {
				t.Errorf("tenant %q: a1 has %d live tasks", bad, n)
			}
		}
	})
}
