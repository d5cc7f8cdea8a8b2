// Package trashui is a trash view for softcascade: an http.Handler that
// lists deletions (paged, filtered by table and actor), shows a page per
// deletion with its rows per table, and restores one with a button. It is
// server-rendered HTML with no scripts and no build step, and it needs none
// of the application's Go models.
//
// Mount it behind the application's own authentication, and tell it who is
// asking with WithContext: the actor it records on restores and the tenant
// whose deletions alone it shows.
//
//	ui := trashui.Handler(db, trashui.WithContext(func(r *http.Request) context.Context {
//		u := currentUser(r)
//		ctx := softcascade.WithActor(r.Context(), "user:"+u.ID)
//		return softcascade.WithTenant(ctx, u.AccountID)
//	}))
//	mux.Handle("/admin/trash/", requireLogin(http.StripPrefix("/admin/trash", ui)))
//
// Every link and form is relative, so it works under any prefix (mount it
// at a path ending in "/"). POST requests are checked with
// http.CrossOriginProtection.
package trashui

import (
	"context"
	"net/http"

	"gorm.io/gorm"
)

// handler serves the trash view.
type handler struct {
	db    *gorm.DB
	cfg   config
	pages pages
}

// Handler returns the trash view of the deletions in db, which must have
// the softcascade plugin installed.
func Handler(db *gorm.DB, opts ...Option) http.Handler {
	h := &handler{db: db, cfg: defaults(), pages: parsePages()}
	for _, o := range opts {
		o(&h.cfg)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", h.list)
	mux.HandleFunc("GET /deletions/{id}", h.show)
	mux.HandleFunc("POST /deletions/{id}", h.restore)
	if h.cfg.erase {
		mux.HandleFunc("GET /deletions/{id}/erase", h.eraseConfirm)
		mux.HandleFunc("POST /deletions/{id}/erase", h.erase)
	}
	return h.cfg.csrf.Handler(mux)
}

// dbFor is the database with the request's context: its actor and tenant.
func (h *handler) dbFor(r *http.Request) (*gorm.DB, context.Context) {
	ctx := h.cfg.context(r)
	return h.db.WithContext(ctx), ctx
}
