package purge

import (
	"testing"

	"github.com/softcascade/softcascade/internal/cascade/plan"
)

func TestChangesChildren(t *testing.T) {
	for action, want := range map[string]bool{
		"CASCADE": true, "SET NULL": true, "set default": true, "c": true, "n": true, "d": true,
		"RESTRICT": false, "NO ACTION": false, "a": false, "r": false, "": false,
	} {
		if got := changesChildren(action); got != want {
			t.Errorf("changesChildren(%q) = %v, want %v", action, got, want)
		}
	}
}

func TestUndeclared(t *testing.T) {
	fk := func(child string, cols ...string) plan.Edge {
		return plan.Edge{Parent: "workspaces", Child: child, ChildKeys: cols, ParentKeys: []string{"id"}}
	}
	fks := []plan.Edge{fk("boards", "workspace_id"), fk("invites", "workspace_id"), fk("invites", "owner_id")}
	known := []plan.Edge{fk("boards", "workspace_id"), fk("invites", "owner_id")}
	got := undeclared(fks, known)
	if len(got) != 1 || got[0].Child != "invites" || got[0].ChildKeys[0] != "workspace_id" {
		t.Fatalf("undeclared = %+v, want invites.workspace_id only", got)
	}
}
