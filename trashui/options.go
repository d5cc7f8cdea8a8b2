package trashui

import (
	"context"
	"net/http"
	"time"
)

// config is what the options set.
type config struct {
	context  func(*http.Request) context.Context
	pageSize int
	location *time.Location
	title    string
	csrf     *http.CrossOriginProtection
	erase    bool // WithErase
}

func defaults() config {
	return config{
		context:  (*http.Request).Context,
		pageSize: 20,
		location: time.Local,
		title:    "Trash",
		csrf:     http.NewCrossOriginProtection(),
	}
}

// Option configures the handler.
type Option func(*config)

// WithContext sets the function that gives each request's context: it
// should carry the signed-in user as softcascade.WithActor (recorded on
// restores) and, in a multi-tenant application, softcascade.WithTenant, so
// that the user sees and restores only that tenant's deletions. Without it
// the view shows every deletion: fit for operators only.
func WithContext(fn func(*http.Request) context.Context) Option {
	return func(c *config) { c.context = fn }
}

// WithPageSize sets how many deletions a page lists (default 20).
func WithPageSize(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.pageSize = n
		}
	}
}

// WithLocation sets the time zone times are shown in (default time.Local).
func WithLocation(loc *time.Location) Option {
	return func(c *config) {
		if loc != nil {
			c.location = loc
		}
	}
}

// WithTitle sets the heading of the list page (default "Trash").
func WithTitle(title string) Option { return func(c *config) { c.title = title } }

// WithCrossOriginProtection replaces the default cross-origin check of
// POST requests, for example with one that trusts another origin.
func WithCrossOriginProtection(p *http.CrossOriginProtection) Option {
	return func(c *config) {
		if p != nil {
			c.csrf = p
		}
	}
}
