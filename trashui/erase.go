package trashui

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/softcascade/softcascade"
)

// maxEraseReason is the longest erase reason the form takes, in bytes.
const maxEraseReason = 1024

// WithErase adds an Erase action to each deletion's page: after a
// confirmation page (with the reason recorded as EraseReason and an
// option to scrub the deletion's actor and reason), it calls
// softcascade.Erase, which removes the deletion's rows for good. Off by
// default: erasing cannot be undone, so an application turns it on for
// the users it trusts with it. A deletion under a legal hold shows no
// Erase action, and an erase of one is refused.
func WithErase() Option { return func(c *config) { c.erase = true } }

// compliance is what a deletion's page says about its legal hold and its
// erasure, and whether it offers the Erase action.
type compliance struct {
	Held               *when
	HeldBy, HoldReason string
	Erased             *when
	ErasedBy           string
	CanErase           bool
}

// complianceOf fills p's hold and erasure facts; erased=1 in the query
// (after an erase) gives the status message.
func (h *handler) complianceOf(r *http.Request, p *deletionPage, d softcascade.Deletion) {
	if d.HeldAt != nil {
		t := h.when(*d.HeldAt)
		p.Held, p.HeldBy, p.HoldReason = &t, d.HeldBy, d.HoldReason
	}
	if d.ErasedAt != nil {
		t := h.when(*d.ErasedAt)
		p.Erased, p.ErasedBy = &t, d.ErasedBy
		if d.PurgedAt != nil && r.URL.Query().Get("erased") == "1" {
			p.Status = "Erased: the deletion's rows are permanently deleted."
		}
	}
	p.CanErase = h.cfg.erase && d.HeldAt == nil && d.PurgedAt == nil && d.RestoredAt == nil
}

// purgeLabel is the list's purge column: when it is due, or that a legal
// hold keeps it.
func purgeLabel(db *gorm.DB, d softcascade.Deletion, now time.Time) string {
	if d.HeldAt != nil {
		return "held (legal hold)"
	}
	return purgeIn(softcascade.PurgeDue(db, d), now)
}

// erasePage asks for confirmation before an erase.
type erasePage struct {
	layout
	ID, Table     string
	When          when
	Actor, Reason string
	InTrash       int64
	Counts        []softcascade.TableCount
	EraseReason   string
	Error         string
}

// eraseConfirm shows what an erase would remove, and the form that does it.
func (h *handler) eraseConfirm(w http.ResponseWriter, r *http.Request) {
	h.eraseForm(w, r, http.StatusOK, "", "")
}

// eraseForm renders the confirmation page, with an error message.
func (h *handler) eraseForm(w http.ResponseWriter, r *http.Request, code int, reason, errMsg string) {
	db, _ := h.dbFor(r)
	d, err := softcascade.FindDeletion(db, r.PathValue("id"))
	if errors.Is(err, gorm.ErrRecordNotFound) {
		h.message(w, r, http.StatusNotFound, "../../", "Deletion not found",
			"There is no such deletion in the trash. It may have been purged, or the link is wrong.")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if d.HeldAt != nil || d.PurgedAt != nil || d.RestoredAt != nil {
		w.Header().Set("Location", "../"+url.PathEscape(d.ID))
		w.WriteHeader(http.StatusSeeOther)
		return
	}
	h.render(w, r, h.pages.erase, code, erasePage{
		layout: layout{Title: "Erase the deletion of " + d.Table, Home: "../../"},
		ID:     d.ID, Table: d.Table, When: h.when(d.DeletedAt), Actor: d.Actor, Reason: d.Reason,
		InTrash: d.InTrash(), Counts: softcascade.TableCounts(d), EraseReason: reason, Error: errMsg,
	})
}

// erase runs the erase confirmed on eraseForm, then sends the browser to
// the deletion's page (POST/redirect/GET). A POST without the form's
// confirmation goes back to the confirmation page.
func (h *handler) erase(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	reason := r.PostFormValue("reason")
	if r.PostFormValue("confirm") != "erase" {
		h.eraseForm(w, r, http.StatusBadRequest, reason, "Confirm the erase with the button below.")
		return
	}
	if len(reason) > maxEraseReason {
		h.eraseForm(w, r, http.StatusBadRequest, "", fmt.Sprintf("The reason is too long (at most %d bytes).", maxEraseReason))
		return
	}
	_, ctx := h.dbFor(r)
	db := h.db.WithContext(softcascade.WithReason(ctx, strings.TrimSpace(reason)))
	var opts []softcascade.EraseOption
	if r.PostFormValue("scrub") == "1" {
		opts = append(opts, softcascade.Scrub())
	}
	_, err := softcascade.Erase(db, id, opts...)
	switch {
	case err == nil:
		w.Header().Set("Location", "../"+url.PathEscape(id)+"?erased=1")
		w.WriteHeader(http.StatusSeeOther)
	case errors.Is(err, softcascade.ErrHeld):
		h.message(w, r, http.StatusConflict, "../../", "Not erased: legal hold",
			"This deletion is under a legal hold: it cannot be erased until the hold is released.")
	case errors.Is(err, gorm.ErrRecordNotFound):
		h.message(w, r, http.StatusNotFound, "../../", "Deletion not found",
			"This deletion is no longer in the trash: it was purged, or the link is wrong.")
	case errors.Is(err, softcascade.ErrNotDeleted):
		h.message(w, r, http.StatusConflict, "../../", "Nothing to erase",
			"Every row of this deletion has been restored.")
	case errors.Is(err, softcascade.ErrReferenced):
		h.message(w, r, http.StatusConflict, "../../", "Erased in part",
			"Some rows are still referenced by live rows and stay until those references are gone; erase the deletion again then.")
	default:
		slog.ErrorContext(r.Context(), "trashui: erase", "id", id, "err", err)
		h.message(w, r, http.StatusInternalServerError, "../../", "The erase failed",
			"Rows may be gone already; erasing again finishes it. The error was logged.")
	}
}
