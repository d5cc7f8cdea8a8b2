package softcascade_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// trashFixture deletes, in this order, one hour apart: tenant a's projects
// a1 (by alice), a2 (by bob), a task of a3 (by alice); tenant b's project
// b1 (by alice); then a's a4, restored, and a's a5, marked purged.
type trashFixture struct {
	db    *gorm.DB
	clock *clock
	a, b  context.Context
	ids   map[string]string // deletion ID by name: a1, a2, task, b1, a4, a5
	start time.Time
}

func newTrashFixture(t *testing.T, d modelstest.Dialect) *trashFixture {
	t.Helper()
	c := &clock{now: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}
	f := &trashFixture{clock: c, start: c.now, ids: map[string]string{}}
	f.db = open(t, d, &gorm.Config{NowFunc: c.Now}, softcascade.WithRetention(10*24*time.Hour))
	f.a = softcascade.WithTenant(context.Background(), "a")
	f.b = softcascade.WithTenant(context.Background(), "b")
	del := func(name string, ctx context.Context, actor string, value any) {
		t.Helper()
		c.Advance(time.Hour)
		must(t, f.db.WithContext(softcascade.WithActor(ctx, actor)).Delete(value).Error)
		var last softcascade.Deletion
		must(t, f.db.Order("stamp DESC").First(&last).Error)
		f.ids[name] = last.ID
	}
	shape := modelstest.Shape{Tasks: 2, CommentsPerTask: 1, Documents: 1, VersionsPerDocument: 1}
	seed := func(name string) *modelstest.Project {
		p := modelstest.SeedProject(t, f.db, name, shape)
		return &p
	}
	del("a1", f.a, "alice", seed("a1"))
	del("a2", f.a, "bob", seed("a2"))
	a3 := seed("a3")
	var task modelstest.Task
	must(t, f.db.Where("project_id = ?", a3.ID).Order("id").First(&task).Error)
	del("task", f.a, "alice", &task)
	del("b1", f.b, "alice", seed("b1"))
	del("a4", f.a, "bob", seed("a4"))
	_, err := softcascade.RestoreDeletion(f.db.WithContext(f.a), f.ids["a4"])
	must(t, err)
	del("a5", f.a, "bob", seed("a5"))
	must(t, f.db.Model(&softcascade.Deletion{}).Where("id = ?", f.ids["a5"]).Update("purged_at", c.now).Error)
	return f
}

func (f *trashFixture) names(ds []softcascade.Deletion) []string {
	byID := map[string]string{}
	for name, id := range f.ids {
		byID[id] = name
	}
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = byID[d.ID]
	}
	return out
}

func TestTrashListsNewestFirstPerTenant(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		f := newTrashFixture(t, d)
		cases := []struct {
			name  string
			ctx   context.Context
			f     softcascade.TrashFilter
			want  []string
			total int64
		}{
			{"tenant a", f.a, softcascade.TrashFilter{}, []string{"task", "a2", "a1"}, 3},
			{"tenant b", f.b, softcascade.TrashFilter{}, []string{"b1"}, 1},
			{"no tenant sees all", context.Background(), softcascade.TrashFilter{}, []string{"b1", "task", "a2", "a1"}, 4},
			{"restored too", f.a, softcascade.TrashFilter{IncludeRestored: true}, []string{"a4", "task", "a2", "a1"}, 4},
			{"by table", f.a, softcascade.TrashFilter{Table: "projects"}, []string{"a2", "a1"}, 2},
			{"by actor", f.a, softcascade.TrashFilter{Actor: "alice"}, []string{"task", "a1"}, 2},
			{"since", f.a, softcascade.TrashFilter{Since: f.start.Add(2 * time.Hour)}, []string{"task", "a2"}, 2},
			{"since, other zone", f.a, softcascade.TrashFilter{Since: f.start.Add(2 * time.Hour).In(time.FixedZone("X", 5*3600))}, []string{"task", "a2"}, 2},
			{"page 1", f.a, softcascade.TrashFilter{Limit: 2}, []string{"task", "a2"}, 3},
			{"page 2", f.a, softcascade.TrashFilter{Limit: 2, Offset: 2}, []string{"a1"}, 3},
			{"past the end", f.a, softcascade.TrashFilter{Limit: 2, Offset: 4}, []string{}, 3},
			{"other tenant's actor", f.b, softcascade.TrashFilter{Actor: "bob"}, []string{}, 0},
		}
		for _, c := range cases {
			ds, total, err := softcascade.Trash(f.db.WithContext(c.ctx), c.f)
			must(t, err)
			got := f.names(ds)
			if total != c.total || len(got) != len(c.want) {
				t.Errorf("%s: got %v (total %d), want %v (total %d)", c.name, got, total, c.want, c.total)
				continue
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("%s: got %v, want %v", c.name, got, c.want)
					break
				}
			}
		}
		ds, _, err := softcascade.Trash(f.db.WithContext(f.a), softcascade.TrashFilter{Limit: 1})
		must(t, err)
		got := ds[0]
		eq(t, "actor", got.Actor, "alice")
		eq(t, "tenant", got.Tenant, "a")
		eq(t, "root table", got.Table, "tasks")
		eq(t, "deleted at", got.DeletedAt.UTC(), f.start.Add(3*time.Hour))
		eq(t, "rows", got.Rows, int64(2))
		eq(t, "tables[comments]", got.Tables["comments"], int64(1))
		if got.Plan != nil {
			t.Error("Trash read the plan")
		}
	})
}

func TestFindDeletionIsTenantScoped(t *testing.T) {
	t.Parallel()
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		f := newTrashFixture(t, d)
		got, err := softcascade.FindDeletion(f.db.WithContext(f.a), f.ids["a1"])
		must(t, err)
		eq(t, "id", got.ID, f.ids["a1"])
		if got.Plan == nil {
			t.Error("FindDeletion did not read the plan")
		}
		counts := softcascade.TableCounts(got)
		if len(counts) == 0 || counts[0] != (softcascade.TableCount{Table: "projects", Rows: 1}) {
			t.Errorf("TableCounts = %v, want projects first", counts)
		}
		var sum int64
		for _, c := range counts {
			sum += c.Rows
		}
		eq(t, "sum of table counts", sum, got.Rows)
		eq(t, "purge due", softcascade.PurgeDue(f.db, got).UTC(), f.start.Add(time.Hour+10*24*time.Hour))

		_, err = softcascade.FindDeletion(f.db.WithContext(context.Background()), f.ids["b1"])
		must(t, err)
		// Any form of the UUID finds it, as RestoreDeletion does.
		upper, err := softcascade.FindDeletion(f.db.WithContext(f.a), "urn:uuid:"+strings.ToUpper(f.ids["a1"]))
		must(t, err)
		eq(t, "id found by an upper-case URN", upper.ID, f.ids["a1"])
		purged, err := softcascade.FindDeletion(f.db.WithContext(f.a), f.ids["a5"])
		must(t, err)
		if purged.PurgedAt == nil {
			t.Error("purged deletion without PurgedAt")
		}
		for name, id := range map[string]string{
			"other tenant's": f.ids["b1"], "malformed": "x' OR 1=1 --", "unknown": "0190f5a4-0000-7000-8000-000000000000",
		} {
			if _, err := softcascade.FindDeletion(f.db.WithContext(f.a), id); !errors.Is(err, gorm.ErrRecordNotFound) {
				t.Errorf("%s ID: err = %v, want gorm.ErrRecordNotFound", name, err)
			}
		}
	})
}
