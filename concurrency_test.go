package softcascade_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/softcascade/softcascade/internal/modelstest"
)

// Deletes of different projects from many goroutines share the plugin's
// cached graph and plans; run with -race.
func TestConcurrentDeletesShareTheGraph(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		if d.IsSQLite() {
			t.Skip("SQLite has a single writer; concurrency is covered on PostgreSQL and MySQL")
		}
		db := open(t, d, nil)
		const n = 8
		ps := make([]modelstest.Project, n)
		for i := range ps {
			ps[i] = modelstest.SeedProject(t, db, fmt.Sprint("p", i), modelstest.Small)
		}
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range ps {
			wg.Add(1)
			go func(p modelstest.Project) {
				defer wg.Done()
				errs <- db.Delete(&p).Error
			}(ps[i])
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, err)
		}
		ds := deletions(t, db)
		eq(t, "deletions", len(ds), n)
		for _, del := range ds {
			eq(t, "rows", del.Rows, int64(79))
		}
	})
}
