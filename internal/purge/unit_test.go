package purge

import (
	"errors"
	"strings"
	"testing"

	"github.com/softcascade/softcascade/internal/cascade/plan"
	"github.com/softcascade/softcascade/internal/errs"
	"github.com/softcascade/softcascade/internal/softdelete"
)

func names(ts []plan.Table) string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return strings.Join(out, " ")
}

func TestChildrenFirst(t *testing.T) {
	m := &softdelete.Marker{Column: "deleted_at", Kind: softdelete.Time, AliveNull: true}
	edge := func(p, c string) plan.Edge { return plan.Edge{Parent: p, Child: c} }
	// Breadth-first order (projects, comments, tasks) reversed would put
	// tasks before comments, though tasks are the comments' parents too.
	p := &plan.Plan{Root: "projects",
		Tables: []plan.Table{{Name: "projects", Marker: m}, {Name: "comments", Marker: m}, {Name: "tasks", Marker: m}, {Name: "time_entries"}},
		Edges: []plan.Edge{edge("projects", "comments"), edge("projects", "tasks"), edge("tasks", "tasks"),
			edge("tasks", "comments"), edge("tasks", "time_entries")},
	}
	got := names(childrenFirst(p))
	want := "comments time_entries tasks projects"
	if got != want {
		t.Errorf("childrenFirst = %q, want %q", got, want)
	}
}

func TestOrderModels(t *testing.T) {
	m := &softdelete.Marker{Column: "deleted_at", Kind: softdelete.Time, AliveNull: true}
	projects := &plan.Plan{Root: "projects", Tables: []plan.Table{{Name: "projects", Marker: m}, {Name: "tasks", Marker: m}}}
	tasks := &plan.Plan{Root: "tasks", Tables: []plan.Table{{Name: "tasks", Marker: m}}}
	got := orderModels([]*plan.Plan{projects, tasks})
	if got[0] != tasks || got[1] != projects {
		t.Errorf("orderModels put %s before %s", got[0].Root, got[1].Root)
	}
}

func TestCheckModel(t *testing.T) {
	flag := &softdelete.Marker{Column: "is_del", Kind: softdelete.Flag, Deleted: 1}
	mixed := &softdelete.Marker{Column: "is_del", Kind: softdelete.Flag, Deleted: 1, AtColumn: "deleted_at", AtKind: softdelete.Time}
	for _, c := range []struct {
		table plan.Table
		want  error
	}{
		{plan.Table{Name: "lines", Marker: flag}, errs.ErrInvalidValue},
		{plan.Table{Name: "time_entries"}, errs.ErrNotSoftDeletable},
		{plan.Table{Name: "marks", Marker: mixed}, nil},
	} {
		err := checkModel(&plan.Plan{Root: c.table.Name, Tables: []plan.Table{c.table}})
		if !errors.Is(err, c.want) || (c.want == nil && err != nil) {
			t.Errorf("checkModel(%s) = %v, want %v", c.table.Name, err, c.want)
		}
	}
}
