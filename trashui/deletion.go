package trashui

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/rootlabel"
)

// deletionPage is one deletion: its facts, its rows per table, and the
// Restore button while it has rows in the trash.
type deletionPage struct {
	layout
	ID                   string
	When                 when
	Actor, Reason        string
	Tenant, Table        string
	Rows, Roots, InTrash int64
	// RowsText says how the rows divide: those the delete named, and
	// those that hung off them.
	RowsText string
	// RootRows are the roots the log lists, key and label; MoreRoots
	// counts the roots it took beyond them (none listed for a deletion
	// made before the log listed roots).
	RootRows     []rootRow
	MoreRoots    int64
	Counts       []softcascade.TableCount
	PurgeIn      string
	Restored     *when
	RestoredBy   string
	RestoredRows int64
	Purged       *when
	CanRestore   bool
	RestoreLabel string
	compliance
	// Status is the message after a restore; Error the reason one failed.
	Status, Error string
}

func (h *handler) show(w http.ResponseWriter, r *http.Request) {
	justRestored, err := flagParam(r.URL.Query(), "restored")
	if err != nil {
		h.badRequest(w, r, "../", err)
		return
	}
	h.showWith(w, r, http.StatusOK, "", justRestored)
}

// showWith renders the deletion page, with an error message, or with the
// message that the deletion was just restored.
func (h *handler) showWith(w http.ResponseWriter, r *http.Request, code int, errMsg string, justRestored bool) {
	db, _ := h.dbFor(r)
	d, err := softcascade.FindDeletion(db, r.PathValue("id"))
	if errors.Is(err, gorm.ErrRecordNotFound) {
		h.message(w, r, http.StatusNotFound, "../", "Deletion not found",
			"There is no such deletion in the trash. It may have been purged, or the link is wrong.")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := deletionPage{
		layout: layout{Title: "Deletion of " + d.Table + " on " + h.when(d.DeletedAt).Text, Home: "../"},
		ID:     d.ID, When: h.when(d.DeletedAt), Actor: d.Actor, Reason: d.Reason, Tenant: d.Tenant, Table: d.Table,
		Rows: d.Rows, Roots: d.Roots, InTrash: d.InTrash(), Counts: softcascade.TableCounts(d),
		RowsText: rowsText(d.Rows, d.Roots, d.Table),
		PurgeIn:  purgeIn(softcascade.PurgeDue(db, d), db.NowFunc()), RestoredBy: d.RestoredBy, RestoredRows: d.RestoredRows,
		CanRestore:   d.RestoredAt == nil && d.PurgedAt == nil && d.PurgeStartedAt == nil,
		RestoreLabel: plural(int(d.InTrash()), "Restore 1 row", "Restore %d rows"),
		Error:        errMsg,
	}
	for i, k := range d.RootKeys {
		p.RootRows = append(p.RootRows, rootRow{Key: rootlabel.Root(d.Table, k, ""), Label: rootlabel.LabelAt(d.Labels, i)})
	}
	if len(d.RootKeys) > 0 {
		p.MoreRoots = d.Roots - int64(len(d.RootKeys))
	}
	if d.RestoredAt != nil {
		t := h.when(*d.RestoredAt)
		p.Restored = &t
		if justRestored {
			p.Status = fmt.Sprintf("Restored: %s back.", plural(int(d.RestoredRows), "1 row is", "%d rows are"))
		}
	}
	if d.PurgedAt != nil {
		t := h.when(*d.PurgedAt)
		p.Purged = &t
	}
	h.complianceOf(r, &p, d)
	h.render(w, r, h.pages.deletion, code, p)
}

// rootRow is one root of a deletion: "projects #42" and its label.
type rootRow struct{ Key, Label string }

// rowsText says how a deletion's rows divide: "79 in all: the 1 projects
// row the delete named, and 78 rows that hung off it".
func rowsText(rows, roots int64, table string) string {
	named := fmt.Sprintf("the %d %s %s the delete named", roots, table, word(roots, "row", "rows"))
	if rows <= roots {
		return fmt.Sprintf("%d in all: %s", rows, named)
	}
	return fmt.Sprintf("%d in all: %s, and %s that hung off %s", rows, named,
		plural(int(rows-roots), "1 row", "%d rows"), word(roots, "it", "them"))
}

// word is one when n is 1, else many.
func word(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// restore restores the deletion, then sends the browser to its page with a
// status message (POST/redirect/GET). The redirect is relative to the
// request's own URL, so that it works under any prefix.
func (h *handler) restore(w http.ResponseWriter, r *http.Request) {
	db, _ := h.dbFor(r)
	id := r.PathValue("id")
	_, err := softcascade.RestoreDeletion(db, id)
	switch {
	case err == nil:
		w.Header().Set("Location", "./"+url.PathEscape(id)+"?restored=1")
		w.WriteHeader(http.StatusSeeOther)
	case errors.Is(err, gorm.ErrRecordNotFound):
		h.showWith(w, r, http.StatusNotFound, "This deletion is no longer in the trash: it was purged.", false)
	case errors.Is(err, softcascade.ErrNotDeleted):
		h.showWith(w, r, http.StatusConflict, "Nothing to restore: every row of this deletion is already back.", false)
	case errors.Is(err, softcascade.ErrParentDeleted):
		h.showWith(w, r, http.StatusConflict, "This deletion cannot be restored yet: some of its rows belong to a parent that is still in the trash. Restore the parent's deletion first.", false)
	default:
		slog.ErrorContext(r.Context(), "trashui: restore", "id", id, "err", err)
		h.showWith(w, r, http.StatusInternalServerError, "The restore failed and nothing changed. The error was logged.", false)
	}
}
