package trashui

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/deletionlog"
	"github.com/softcascade/softcascade/internal/rootlabel"
)

// listLabelWidth is the longest label the list shows, in characters (a
// deletion's page shows them whole).
const listLabelWidth = 60

// caption says which deletions a page shows: "Showing 1 deletion",
// "Showing deletion 2 of 2", "Showing 1–20 of 45 deletions, newest first".
func caption(from, to int, total int64) string {
	switch {
	case total == 1:
		return "Showing 1 deletion"
	case from == to:
		return fmt.Sprintf("Showing deletion %d of %d, newest first", from, total)
	}
	return fmt.Sprintf("Showing %d–%d of %d deletions, newest first", from, to, total)
}

// listPage is the list of deletions.
type listPage struct {
	layout
	Table, Actor string
	Key, Label   string
	Restored     bool
	Filtered     bool
	// Caption says which deletions the page shows.
	Caption string
	// ShowTenant: the request has no tenant and some deletion has one.
	ShowTenant  bool
	Rows        []listRow
	Total       int64
	From, To    int
	Prev, Next  string // relative links to the neighbouring pages, "" when none
	Page, Pages int
}

// listRow is one deletion in the list.
type listRow struct {
	ID, Link      string
	When          when
	Actor, Reason string
	Tenant, Table string
	// What is the first root and how many more ("projects #42 ·
	// Website relaunch and 2 more").
	What     string
	InTrash  int64
	Restored bool
	PurgeIn  string
}

func (h *handler) list(w http.ResponseWriter, r *http.Request) {
	lq, err := parseListQuery(r.URL.Query(), h.cfg.pageSize)
	if err != nil {
		h.badRequest(w, r, "./", err)
		return
	}
	filter := softcascade.TrashFilter{
		Table: lq.Table, Actor: lq.Actor, Key: lq.Key, Label: lq.Label, IncludeRestored: lq.Restored,
		Limit: h.cfg.pageSize,
	}
	page := lq.Page
	filter.Offset = (page - 1) * filter.Limit
	db, ctx := h.dbFor(r)
	ds, total, err := softcascade.Trash(db, filter)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	_, hasTenant, _ := deletionlog.Tenant(ctx) // Trash has checked it
	p := listPage{
		layout: layout{Title: h.cfg.title, Home: "./"},
		Table:  filter.Table, Actor: filter.Actor, Key: filter.Key, Label: filter.Label, Restored: filter.IncludeRestored,
		Filtered: filter.Table != "" || filter.Actor != "" || filter.Key != "" || filter.Label != "" || filter.IncludeRestored,
		Total:    total,
		Page:     page,
		Pages:    int((total + int64(filter.Limit) - 1) / int64(filter.Limit)),
	}
	now := db.NowFunc()
	for _, d := range ds {
		p.ShowTenant = p.ShowTenant || (!hasTenant && d.Tenant != "")
		p.Rows = append(p.Rows, listRow{
			ID: d.ID, Link: "deletions/" + url.PathEscape(d.ID), When: h.when(d.DeletedAt),
			Actor: d.Actor, Reason: d.Reason, Tenant: d.Tenant, Table: d.Table,
			What:    rootlabel.Summary(d.Table, d.RootKeys, d.Labels, d.Roots, listLabelWidth),
			InTrash: d.InTrash(), Restored: d.RestoredAt != nil,
			PurgeIn: purgeLabel(db, d, now),
		})
	}
	if len(ds) > 0 {
		p.From, p.To = filter.Offset+1, filter.Offset+len(ds)
		p.Caption = caption(p.From, p.To, total)
	}
	link := func(page int) string {
		v := url.Values{}
		for k, s := range map[string]string{"table": filter.Table, "actor": filter.Actor, "key": filter.Key, "label": filter.Label} {
			if s != "" {
				v.Set(k, s)
			}
		}
		if filter.IncludeRestored {
			v.Set("restored", "1")
		}
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		return "./?" + v.Encode()
	}
	if page > 1 {
		p.Prev = link(min(page-1, max(p.Pages, 1)))
	}
	if page < p.Pages {
		p.Next = link(page + 1)
	}
	h.render(w, r, h.pages.list, http.StatusOK, p)
}
