package trashui

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"time"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages are the parsed templates, one per page, each with the layout.
type pages struct {
	list, deletion, message, erase *template.Template
}

func parsePages() pages {
	page := func(name string) *template.Template {
		return template.Must(template.ParseFS(templateFiles, "templates/layout.html", "templates/"+name))
	}
	return pages{list: page("list.html"), deletion: page("deletion.html"), message: page("message.html"), erase: page("erase.html")}
}

// layout is what every page passes to the layout template.
type layout struct {
	Title string
	// Home is the relative link to the list page.
	Home string
}

// render writes a page with status code, or a plain 500 if it fails.
func (h *handler) render(w http.ResponseWriter, r *http.Request, t *template.Template, code int, data any) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		h.fail(w, r, fmt.Errorf("render: %w", err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(code)
	_, _ = buf.WriteTo(w)
}

// messagePage is a page that only says something: not found, an error.
type messagePage struct {
	layout
	Heading, Text string
}

// message renders a message page.
func (h *handler) message(w http.ResponseWriter, r *http.Request, code int, home, heading, text string) {
	h.render(w, r, h.pages.message, code, messagePage{layout{Title: heading, Home: home}, heading, text})
}

// badRequest answers 400 with the message of a refused parameter.
func (h *handler) badRequest(w http.ResponseWriter, r *http.Request, home string, err error) {
	h.message(w, r, http.StatusBadRequest, home, "Bad request", err.Error())
}

// fail logs err and answers 500 without details. The request's path goes
// into an attribute, which the log handler quotes, not into the message.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	slog.ErrorContext(r.Context(), "trashui: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	http.Error(w, "Internal Server Error", http.StatusInternalServerError)
}

// when is a time as a page shows it.
type when struct {
	Text, Machine string
}

func (h *handler) when(t time.Time) when {
	return when{Text: t.In(h.cfg.location).Format("2 Jan 2006, 15:04"), Machine: t.UTC().Format(time.RFC3339)}
}

// purgeIn says when a deletion may be purged: "in 29 days", "due".
func purgeIn(due, now time.Time) string {
	left := due.Sub(now)
	switch days := int(left / (24 * time.Hour)); {
	case left <= 0:
		return "due now"
	case left < time.Hour:
		return "within the hour"
	case left < 24*time.Hour:
		return plural(int(left/time.Hour), "in 1 hour", "in %d hours")
	default:
		return plural(days, "in 1 day", "in %d days")
	}
}

// plural formats n with one (n == 1) or many (a format taking n).
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return fmt.Sprintf(many, n)
}
