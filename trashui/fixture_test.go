package trashui_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
	"github.com/softcascade/softcascade/trashui"
)

// prefix is where the tests mount the view, as an application would.
const prefix = "/admin/trash"

// tenantHeader names the tenant of a test request; the app's stand-in for
// its session.
const tenantHeader = "X-Test-Tenant"

// fixture is a seeded database with deletions of tenants a and b, and the
// trash view mounted under prefix on a test server.
type fixture struct {
	db  *gorm.DB
	srv *httptest.Server
	// mux serves the view under prefix, for tests that call it directly.
	mux http.Handler
	ids map[string]string // deletion ID by name: a1, a2, b1
	pid map[string]uint   // project ID by name
}

// newFixture deletes projects a1 and a2 (tenant a) and b1 (tenant b).
func newFixture(t testing.TB, d modelstest.Dialect, opts ...trashui.Option) *fixture {
	t.Helper()
	db := d.Open(t, nil)
	models := modelstest.SeedModels()
	if err := db.AutoMigrate(models...); err != nil {
		t.Fatal(err)
	}
	if err := db.Use(softcascade.New(softcascade.WithModels(models...))); err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, ids: map[string]string{}, pid: map[string]uint{}}
	for _, c := range []struct{ name, tenant string }{{"a1", "a"}, {"a2", "a"}, {"b1", "b"}} {
		p := modelstest.SeedProject(t, db, c.name, modelstest.Small)
		f.pid[c.name] = p.ID
		ctx := softcascade.WithActor(softcascade.WithTenant(context.Background(), c.tenant), "user:"+c.tenant)
		if err := db.WithContext(ctx).Delete(&p).Error; err != nil {
			t.Fatal(err)
		}
		var last softcascade.Deletion
		if err := db.Order("stamp DESC").First(&last).Error; err != nil {
			t.Fatal(err)
		}
		f.ids[c.name] = last.ID
	}
	opts = append([]trashui.Option{trashui.WithContext(func(r *http.Request) context.Context {
		tenant := r.Header.Get(tenantHeader)
		if tenant == "" {
			tenant = "a"
		}
		return softcascade.WithActor(softcascade.WithTenant(r.Context(), tenant), "support:"+tenant)
	})}, opts...)
	mux := http.NewServeMux()
	mux.Handle(prefix+"/", http.StripPrefix(prefix, trashui.Handler(db, opts...)))
	f.mux = mux
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// liveTasks counts the live tasks of a project.
func (f *fixture) liveTasks(t testing.TB, name string) int64 {
	t.Helper()
	var n int64
	if err := f.db.Model(&modelstest.Task{}).Where("project_id = ?", f.pid[name]).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
