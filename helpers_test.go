package softcascade_test

import (
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// open returns a fresh database of dialect d with the test models migrated
// and the plugin installed.
func open(t *testing.T, d modelstest.Dialect, cfg *gorm.Config, opts ...softcascade.Option) *gorm.DB {
	t.Helper()
	db := d.Open(t, cfg)
	models := append(modelstest.SeedModels(), modelstest.KindModels()...)
	if err := db.AutoMigrate(models...); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	opts = append([]softcascade.Option{softcascade.WithModels(models...)}, opts...)
	if err := db.Use(softcascade.New(opts...)); err != nil {
		t.Fatalf("use: %v", err)
	}
	return db
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// deletions returns the deletion log, oldest first.
func deletions(t *testing.T, db *gorm.DB) []softcascade.Deletion {
	t.Helper()
	var ds []softcascade.Deletion
	must(t, db.Order("stamp").Find(&ds).Error)
	return ds
}

// counts returns live/deleted counts of every seed table.
func counts(t *testing.T, db *gorm.DB) map[string]modelstest.Count {
	t.Helper()
	out := map[string]modelstest.Count{}
	for _, m := range append(modelstest.SeedModels(), modelstest.KindModels()...) {
		stmt := &gorm.Statement{DB: db}
		must(t, stmt.Parse(m))
		if _, ok := stmt.Schema.Relationships.Relations[""]; ok {
			continue
		}
		out[stmt.Schema.Table] = modelstest.CountRows(t, db, m)
	}
	return out
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// clock is a settable gorm.Config.NowFunc.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock forward by d.
func (c *clock) Advance(d time.Duration) { c.set(c.Now().Add(d)) }
