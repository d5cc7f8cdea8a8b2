package trashui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/modelstest"
	"github.com/softcascade/softcascade/trashui"
)

// postForm posts form as tenant, as a same-origin browser form does,
// without following redirects.
func (f *fixture) postForm(t *testing.T, path, tenant string, form url.Values) page {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return send(t, req, tenant)
}

func TestEraseIsOffByDefault(t *testing.T) {
	f := newFixture(t, modelstest.Dialects(t)[0])
	path := prefix + "/deletions/" + f.ids["a1"]
	f.do(t, http.MethodGet, path, "a").lacks(t, "Erase permanently")
	f.do(t, http.MethodGet, path+"/erase", "a").want(t, http.StatusNotFound)
	f.postForm(t, path+"/erase", "a", url.Values{"confirm": {"erase"}}).want(t, http.StatusNotFound)
	if d, _ := softcascade.FindDeletion(f.db, f.ids["a1"]); d.PurgeStartedAt != nil {
		t.Fatal("erased without WithErase")
	}
}

func TestEraseConfirmationFlow(t *testing.T) {
	modelstest.Each(t, func(t *testing.T, d modelstest.Dialect) {
		f := newFixture(t, d, trashui.WithErase())
		a1 := prefix + "/deletions/" + f.ids["a1"]
		a2 := prefix + "/deletions/" + f.ids["a2"]
		find := func(name string) softcascade.Deletion {
			t.Helper()
			got, err := softcascade.FindDeletion(f.db, f.ids[name])
			if err != nil {
				t.Fatal(err)
			}
			return got
		}

		// The deletion's page links to the confirmation page, which says
		// what goes and that it cannot be undone.
		f.do(t, http.MethodGet, a1, "a").want(t, http.StatusOK, `href="./`+f.ids["a1"]+`/erase"`, "Erase permanently")
		f.do(t, http.MethodGet, a1+"/erase", "a").want(t, http.StatusOK, "This cannot be undone", "tasks",
			`name="confirm" value="erase"`, `action="./erase"`, `href="../`+f.ids["a1"]+`"`)

		// A POST without the confirmation, or by another tenant, erases nothing.
		f.postForm(t, a1+"/erase", "a", url.Values{"reason": {"x"}}).want(t, http.StatusBadRequest, "Confirm the erase")
		f.postForm(t, a1+"/erase", "b", url.Values{"confirm": {"erase"}}).want(t, http.StatusNotFound)
		f.do(t, http.MethodGet, a1+"/erase", "b").want(t, http.StatusNotFound)
		if got := find("a1"); got.PurgeStartedAt != nil {
			t.Fatal("erased without confirmation")
		}

		// A held deletion: shown as held, no Erase action, erase refused.
		must(t, softcascade.Hold(f.db, f.ids["a2"], "litigation 2026-17"))
		f.do(t, http.MethodGet, prefix+"/", "a").want(t, http.StatusOK, "held (legal hold)")
		p := f.do(t, http.MethodGet, a2, "a")
		p.want(t, http.StatusOK, "Held since", "litigation 2026-17")
		p.lacks(t, "Erase permanently")
		if p := f.do(t, http.MethodGet, a2+"/erase", "a"); p.code != http.StatusSeeOther || p.location != a2 {
			t.Errorf("confirmation page of a held deletion: %d to %q", p.code, p.location)
		}
		f.postForm(t, a2+"/erase", "a", url.Values{"confirm": {"erase"}}).want(t, http.StatusConflict, "legal hold")
		if got := find("a2"); got.PurgeStartedAt != nil || got.ErasedAt != nil {
			t.Fatal("held deletion erased")
		}

		// Confirmed: erased, recorded, and said so.
		p = f.postForm(t, a1+"/erase", "a", url.Values{"confirm": {"erase"}, "reason": {"request 112"}, "scrub": {"1"}})
		if p.code != http.StatusSeeOther || p.location != a1+"?erased=1" {
			t.Fatalf("erase: %d to %q\n%s", p.code, p.location, p.body)
		}
		got := find("a1")
		if got.PurgedAt == nil || got.ErasedBy != "support:a" || got.EraseReason != "request 112" || got.Actor != "" {
			t.Errorf("erased deletion %+v", got)
		}
		p = f.do(t, http.MethodGet, p.location, "a")
		p.want(t, http.StatusOK, "Erased: the deletion", "by support:a")
		p.lacks(t, "Erase permanently")
		if n := f.liveTasks(t, "a1"); n != 0 {
			t.Errorf("%d live tasks after erase", n)
		}
		f.postForm(t, a1+"/erase", "a", url.Values{"confirm": {"erase"}}).want(t, http.StatusNotFound)
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
