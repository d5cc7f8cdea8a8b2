package trashui_test

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/softcascade/softcascade/internal/modelstest"
	"github.com/softcascade/softcascade/trashui"
)

// badQueries are list-page queries the view refuses with 400, and the
// message it gives; they seed FuzzListQuery too.
var badQueries = []struct{ query, msg string }{
	{"actor=%00", "holds a control character"},
	{"actor=user%00x", "holds a control character"},
	{"actor=%1b%5b2J", "holds a control character"},
	{"table=%00", "holds a control character"},
	{"actor=%ff", "not valid UTF-8"},
	{"table=proj%c3", "not valid UTF-8"},
	{"actor=" + strings.Repeat("a", 1025), "longer than 1024 bytes"},
	{"page=9223372036854775807", "whole number from 1 to"},
	{"page=99999999999999999999999", "whole number from 1 to"},
	{"page=2147483648", "whole number from 1 to"},
	{"page=0", "whole number from 1 to"},
	{"page=-1", "whole number from 1 to"},
	{"page=%2B2", "whole number from 1 to"},
	{"page=1e3", "whole number from 1 to"},
	{"page=abc", "whole number from 1 to"},
	{"page=%00", "whole number from 1 to"},
	{"page=1&page=2", "given 2 times"},
	{"actor=a&actor=b", "given 2 times"},
	{"restored=yes", "must be 1 or 0"},
}

// goodQueries are list-page queries that show a page (200).
var goodQueries = []string{
	"", "page=1", "page=2", "page=0002", "page=999", "restored=0", "restored=1", "restored=",
	"actor=", "actor=%20user%3Aa%20", "table=projects&actor=user%3Aa", "actor=%F0%9F%98%80", "table=%E2%80%AEstcejorp",
	"table=" + strings.Repeat("t", 1024), "unknown=%00", "actor=%27%3B%20DROP%20TABLE%20projects%3B--",
}

func TestBadQueryParametersAre400(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		f := newFixture(t, d)
		for _, c := range badQueries {
			p := f.do(t, "GET", prefix+"/?"+c.query, "a")
			p.want(t, http.StatusBadRequest, "<h1>Bad request</h1>", c.msg)
		}
		for _, q := range goodQueries {
			p := f.do(t, "GET", prefix+"/?"+q, "a")
			p.want(t, http.StatusOK)
			wantNoNegative(t, q, p.body)
		}
		// The last page the view takes: an empty page, not an overflow.
		last := math.MaxInt32/20 + 1
		p := f.do(t, "GET", fmt.Sprintf("%s/?page=%d", prefix, last), "a")
		p.want(t, http.StatusOK, "No deletions on this page.", `href="./?"`)
		wantNoNegative(t, "last page", p.body)
		f.do(t, "GET", fmt.Sprintf("%s/?page=%d", prefix, last+1), "a").want(t, http.StatusBadRequest, fmt.Sprintf("from 1 to %d.", last))

		// The deletion page checks its one parameter; a bad ID is not found.
		f.do(t, "GET", prefix+"/deletions/"+f.ids["a1"]+"?restored=%00", "a").want(t, http.StatusBadRequest, "must be 1 or 0")
		for _, id := range []string{"%00", "%ff", "%1b%5b2J", f.ids["a1"] + "%00", strings.Repeat("9", 5000)} {
			f.do(t, "GET", prefix+"/deletions/"+id, "a").want(t, http.StatusNotFound, "Deletion not found")
			f.do(t, "POST", prefix+"/deletions/"+id, "a").want(t, http.StatusNotFound, "Deletion not found")
		}
	})
}

func TestPageSizeBoundsThePage(t *testing.T) {
	f := newFixture(t, modelstest.Dialects(t)[0], trashui.WithPageSize(math.MaxInt32))
	f.do(t, "GET", prefix+"/?page=3", "a").want(t, http.StatusBadRequest, "from 1 to 2.")
	f.do(t, "GET", prefix+"/?page=2", "a").want(t, http.StatusOK, "No deletions on this page.")
	f.do(t, "GET", prefix+"/?page=1", "a").want(t, http.StatusOK, "Showing 1–2 of 2")
}

// negative matches a negative number where the page shows counts.
var negative = regexp.MustCompile(`(Showing|Page|of|page=)\s*-\d`)

func wantNoNegative(t testing.TB, label, body string) {
	t.Helper()
	if m := negative.FindString(body); m != "" {
		t.Errorf("%s: the page shows %q:\n%s", label, m, body)
	}
}

// sqliteFixture is the fixture on SQLite, for the fuzz targets.
func sqliteFixture(f *testing.F) *fixture {
	for _, d := range modelstest.Dialects(f) {
		if d.IsSQLite() {
			return newFixture(f, d)
		}
	}
	f.Skip("no SQLite")
	return nil
}

// FuzzListQuery sends any query string to the list page: a page or a 400,
// never a 500 or a panic, and never a negative count.
func FuzzListQuery(f *testing.F) {
	for _, c := range badQueries {
		f.Add(c.query)
	}
	for _, q := range goodQueries {
		f.Add(q)
	}
	fx := sqliteFixture(f)
	f.Fuzz(func(t *testing.T, query string) {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.Path, req.URL.RawQuery = prefix+"/", query
		w := httptest.NewRecorder()
		fx.mux.ServeHTTP(w, req)
		if w.Code != http.StatusOK && w.Code != http.StatusBadRequest {
			t.Fatalf("?%s: status %d\n%s", query, w.Code, w.Body)
		}
		wantNoNegative(t, "?"+query, w.Body.String())
	})
}

// FuzzDeletionRequest sends any ID, query and form body to the deletion
// page and its restore button: never a 500 or a panic.
func FuzzDeletionRequest(f *testing.F) {
	fx := sqliteFixture(f)
	for _, id := range []string{fx.ids["a1"], fx.ids["b1"], "not-an-id", "\x00", "\xff", "%00", "../..", strings.ToUpper(fx.ids["a2"]), "{" + fx.ids["a2"] + "}"} {
		f.Add(id, "restored=1", "", false)
		f.Add(id, "restored=%00", "x=%00&y=%ff", true)
	}
	f.Fuzz(func(t *testing.T, id, query, body string, post bool) {
		method := http.MethodGet
		if post {
			method = http.MethodPost
		}
		req := httptest.NewRequest(method, "/", strings.NewReader(body))
		req.URL.Path, req.URL.RawQuery = prefix+"/deletions/"+id, query
		if post {
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		w := httptest.NewRecorder()
		fx.mux.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %q ?%q: status %d\n%s", method, id, query, w.Code, w.Body)
		}
	})
}
