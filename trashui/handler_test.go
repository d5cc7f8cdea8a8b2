package trashui_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
	"github.com/softcascade/softcascade/trashui"
)

// page is one response.
type page struct {
	code     int
	body     string
	location string
}

// do sends a request as tenant, without following redirects. POSTs carry
// the Sec-Fetch-Site header a browser sends for a same-origin form.
func (f *fixture) do(t *testing.T, method, path, tenant string, header ...string) page {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return send(t, req, tenant, header...)
}

// send sends req as tenant, without following redirects; a POST carries
// the Sec-Fetch-Site header a browser sends for a same-origin form. header
// holds name, value pairs set last.
func send(t *testing.T, req *http.Request, tenant string, header ...string) page {
	t.Helper()
	req.Header.Set(tenantHeader, tenant)
	if req.Method == http.MethodPost {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	loc := ""
	if l := resp.Header.Get("Location"); l != "" {
		u, err := req.URL.Parse(l)
		if err != nil {
			t.Fatal(err)
		}
		loc = u.RequestURI()
	}
	return page{resp.StatusCode, string(body), loc}
}

func (p page) want(t *testing.T, code int, contains ...string) {
	t.Helper()
	if p.code != code {
		t.Fatalf("status %d, want %d\n%s", p.code, code, p.body)
	}
	for _, s := range contains {
		if !strings.Contains(p.body, s) {
			t.Errorf("page lacks %q:\n%s", s, p.body)
		}
	}
}

func (p page) lacks(t *testing.T, s string) {
	t.Helper()
	if strings.Contains(p.body, s) {
		t.Errorf("page shows %q:\n%s", s, p.body)
	}
}

func TestEachTenantSeesAndRestoresOnlyItsOwn(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		f := newFixture(t, d)
		list := f.do(t, "GET", prefix+"/", "a")
		list.want(t, 200, `href="deletions/`+f.ids["a1"]+`"`, `href="deletions/`+f.ids["a2"]+`"`, "Showing 1–2 of 2 deletions")
		list.lacks(t, f.ids["b1"])
		list.lacks(t, "Tenant</th>")
		f.do(t, "GET", prefix+"/", "b").want(t, 200, f.ids["b1"], "Showing 1 deletion")

		// Tenant a can neither see nor restore b's deletion.
		f.do(t, "GET", prefix+"/deletions/"+f.ids["b1"], "a").want(t, 404, "Deletion not found")
		f.do(t, "POST", prefix+"/deletions/"+f.ids["b1"], "a").want(t, 404, "Deletion not found")
		if n := f.liveTasks(t, "b1"); n != 0 {
			t.Fatalf("b1 has %d live tasks after a's attempt", n)
		}

		// The deletion's page: facts and rows per table.
		f.do(t, "GET", prefix+"/deletions/"+f.ids["a1"], "a").want(t, 200,
			"<h1>Deletion of projects</h1>", "by user:a", `<th scope="row">tasks</th><td class="num">9</td>`,
			`action="./`+f.ids["a1"]+`"`, "Restore 79 rows", "purge in 29 days")

		// Restore: POST, then a redirect to the page with a status message.
		p := f.do(t, "POST", prefix+"/deletions/"+f.ids["a1"], "a")
		if p.code != http.StatusSeeOther || p.location != prefix+"/deletions/"+f.ids["a1"]+"?restored=1" {
			t.Fatalf("restore: %d to %q, want 303 to the deletion's page under the prefix", p.code, p.location)
		}
		f.do(t, "GET", p.location, "a").want(t, 200, `role="status" tabindex="-1" autofocus>Restored: 79 rows are back.</p>`, "by support:a")
		if n := f.liveTasks(t, "a1"); n != 9 {
			t.Errorf("a1 has %d live tasks after restore, want 9", n)
		}
		got, err := softcascade.FindDeletion(f.db, f.ids["a1"])
		if err != nil || got.RestoredBy != "support:a" || got.Tenant != "a" {
			t.Errorf("restored deletion %+v, %v", got, err)
		}
		f.do(t, "POST", prefix+"/deletions/"+f.ids["a1"], "a").want(t, 409, `role="alert"`, "Nothing to restore")
		f.do(t, "GET", prefix+"/", "a").want(t, 200, "Showing 1 deletion")

		// b restores its own.
		p = f.do(t, "POST", prefix+"/deletions/"+f.ids["b1"], "b")
		if p.code != http.StatusSeeOther || f.liveTasks(t, "b1") != 9 {
			t.Errorf("b's restore: %d, %d live tasks", p.code, f.liveTasks(t, "b1"))
		}
	})
}

func TestCrossOriginPostsAreRefused(t *testing.T) {
	f := newFixture(t, modelstest.Dialects(t)[0])
	for _, h := range [][]string{
		{"Sec-Fetch-Site", "cross-site"},
		{"Sec-Fetch-Site", "same-site"},
		{"Sec-Fetch-Site", "", "Origin", "http://evil.example"},
	} {
		p := f.do(t, "POST", prefix+"/deletions/"+f.ids["a1"], "a", h...)
		if p.code != http.StatusForbidden {
			t.Errorf("POST with %v: %d, want 403", h, p.code)
		}
	}
	if n := f.liveTasks(t, "a1"); n != 0 {
		t.Errorf("a cross-origin POST restored %d tasks", n)
	}
}

func TestPagingAndFilters(t *testing.T) {
	f := newFixture(t, modelstest.Dialects(t)[0], trashui.WithPageSize(1), trashui.WithTitle("Deleted items"))
	first := f.do(t, "GET", prefix+"/", "a")
	first.want(t, 200, "<h1>Deleted items</h1>", f.ids["a2"], "Page 1 of 2", `href="./?page=2"`)
	first.lacks(t, f.ids["a1"])
	second := f.do(t, "GET", prefix+"/?page=2", "a")
	second.want(t, 200, f.ids["a1"], "Page 2 of 2", `href="./?"`, "Showing deletion 2 of 2")
	f.do(t, "GET", prefix+"/?page=9", "a").want(t, 200, "No deletions on this page.", `href="./?page=2"`)
	f.do(t, "GET", prefix+"/?table=tasks", "a").want(t, 200, "No deletions match these filters.", `value="tasks"`, "Clear filters")
	f.do(t, "GET", prefix+"/?actor=user%3Aa&table=projects&page=2", "a").want(t, 200, f.ids["a1"], `href="./?actor=user%3Aa&amp;table=projects"`)
	f.do(t, "GET", prefix+"/?table="+url.QueryEscape(`<script>alert(1)</script>`), "a").want(t, 200, `value="&lt;script&gt;`)
	f.do(t, "GET", prefix+"/deletions/not-an-id", "a").want(t, 404)
	f.do(t, "GET", prefix+"/nowhere", "a").want(t, 404)
	f.do(t, "DELETE", prefix+"/deletions/"+f.ids["a1"], "a").want(t, 405)
}

func TestPagesAreAccessible(t *testing.T) {
	f := newFixture(t, modelstest.Dialects(t)[0])
	for _, path := range []string{"/", "/deletions/" + f.ids["a1"], "/deletions/" + f.ids["b1"]} {
		p := f.do(t, "GET", prefix+path, "a")
		body := p.body
		for _, s := range []string{`<html lang="en">`, "<title>", "<h1>", "<main", ":focus-visible"} {
			if !strings.Contains(body, s) {
				t.Errorf("%s lacks %s", path, s)
			}
		}
		for _, m := range regexp.MustCompile(`<th\b[^>]*>`).FindAllString(body, -1) {
			if !strings.Contains(m, `scope="`) {
				t.Errorf("%s: %s without scope", path, m)
			}
		}
		for _, m := range regexp.MustCompile(`<input\b[^>]*\bid="([^"]+)"`).FindAllStringSubmatch(body, -1) {
			if !strings.Contains(body, `<label for="`+m[1]+`"`) {
				t.Errorf("%s: input %s without label", path, m[1])
			}
		}
		for _, m := range regexp.MustCompile(`<button\b[^>]*>`).FindAllString(body, -1) {
			if !strings.Contains(m, `type="submit"`) {
				t.Errorf("%s: %s without type", path, m)
			}
		}
	}
}

func TestWithoutTenantEveryDeletionShows(t *testing.T) {
	f := newFixture(t, modelstest.Dialects(t)[0], trashui.WithContext((*http.Request).Context))
	f.do(t, "GET", prefix+"/", "").want(t, 200, `<th scope="col">Tenant</th>`, f.ids["a1"], f.ids["b1"], "Showing 1–3 of 3")
}
