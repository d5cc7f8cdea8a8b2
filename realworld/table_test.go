package realworld_test

import (
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// Ticket's rows live in "tickets" and, once closed, in "ticket_archive"
// (same struct, db.Table), as applications that archive or shard by table
// do.
type Ticket struct {
	ID        uint
	Title     string
	DeletedAt gorm.DeletedAt
}

// db.Table("ticket_archive").Delete(&Ticket{ID: 1}) must be recorded as a
// deletion of ticket_archive that RestoreDeletion undoes exactly, or be
// refused with an error that changes nothing: never a soft delete with no
// log entry.
func TestDeleteThroughTable(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		t.Parallel()
		s := set{name: "archive", models: []any{&Ticket{}}}
		e := openSet(t, d, s, false)
		archive := e.db.Table("ticket_archive")
		if err := archive.AutoMigrate(&Ticket{}); err != nil {
			t.Fatal(err)
		}
		create(t, e.db, &[]Ticket{{Title: "live 1"}, {Title: "live 2"}})
		create(t, e.db.Table("ticket_archive"), &[]Ticket{{Title: "closed 1"}, {Title: "closed 2"}})
		e.extra = map[string]string{"ticket_archive": "ticket_archive"}
		before := snapshot(t, e)

		e.clk.Advance(1500 * time.Millisecond)
		err := e.db.Table("ticket_archive").Delete(&Ticket{ID: 1}).Error
		ds, n, terr := softcascade.Trash(e.db, softcascade.TrashFilter{})
		if terr != nil {
			t.Fatalf("Trash: %v", terr)
		}
		switch {
		case err != nil:
			requireSame(t, "a refused delete", before, snapshot(t, e))
			if n != 0 {
				t.Fatalf("a refused delete logged %d deletions", n)
			}
			t.Logf("refused: %v", err)
		case n != 1:
			t.Fatalf("db.Table(ticket_archive).Delete: no error and %d deletions logged, want 1", n)
		default:
			if ds[0].Table != "ticket_archive" {
				t.Errorf("deletion of table %q, want ticket_archive", ds[0].Table)
			}
			if _, err := softcascade.RestoreDeletion(e.db, ds[0].ID); err != nil {
				t.Fatalf("RestoreDeletion: %v", err)
			}
			requireSame(t, "RestoreDeletion", before, snapshot(t, e))
		}
	})
}
