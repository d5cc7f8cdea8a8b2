package trashui_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/softcascade/softcascade/internal/browsertest"
	"github.com/softcascade/softcascade/internal/modelstest"
)

// TestRestoreInABrowser clicks Restore in headless Chromium, once in the
// list and once on a deletion's page, and checks that the rows are back.
func TestRestoreInABrowser(t *testing.T) {
	browser := browsertest.New(t, 1100, 800) // skips without Chromium
	f := newFixture(t, modelstest.Dialects(t)[0])
	ctx := browsertest.Timeout(t, browser)
	status := chromedp.CSS(`p[role=status]`)

	// The list says what was deleted; the label box finds one deletion.
	err := chromedp.Do(ctx,
		chromedp.Navigate(f.srv.URL+prefix+"/"),
		chromedp.WaitVisible(chromedp.CSS(`table`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	what := run(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("td.what")].map(td => td.textContent)`))
	if want := []string{fmt.Sprintf("projects #%d · a2", f.pid["a2"]), fmt.Sprintf("projects #%d · a1", f.pid["a1"])}; !slices.Equal(what, want) {
		t.Errorf("What column: %q, want %q", what, want)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#label`), "A1"),
		chromedp.Click(chromedp.CSS(`form.filters button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="./"]`)), // Clear filters
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := run(t, ctx, chromedp.Text(chromedp.CSS(`caption`))); got != "Showing 1 deletion" {
		t.Errorf("caption after the label filter: %q", got)
	}
	if got := run(t, ctx, chromedp.Location()); !strings.Contains(got, "label=A1") {
		t.Errorf("the label filter is not in the URL: %s", got)
	}

	err = chromedp.Do(ctx,
		chromedp.Navigate(f.srv.URL+prefix+"/"),
		chromedp.WaitVisible(chromedp.CSS(`table`)),
		chromedp.Click(chromedp.CSS(`form[action="deletions/`+f.ids["a1"]+`"] button`)),
		chromedp.WaitVisible(status),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := run(t, ctx, chromedp.Text(status)); got != "Restored: 79 rows are back." {
		t.Errorf("status after restore from the list: %q", got)
	}
	if got := run(t, ctx, chromedp.Evaluate[string](`document.activeElement.getAttribute("role") || ""`)); got != "status" {
		t.Errorf("after restore the focus is on role %q, want the status message", got)
	}
	if got, want := run(t, ctx, chromedp.Location()), f.srv.URL+prefix+"/deletions/"+f.ids["a1"]+"?restored=1"; got != want {
		t.Errorf("after restore the browser is at %s, want %s", got, want)
	}
	if n := f.liveTasks(t, "a1"); n != 9 {
		t.Errorf("a1 has %d live tasks after the restore, want 9", n)
	}

	a2 := chromedp.CSS(`a[href="deletions/` + f.ids["a2"] + `"]`)
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[href="../"]`)),
		chromedp.WaitVisible(a2),
		chromedp.Click(a2),
		chromedp.WaitVisible(chromedp.CSS(`dl`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	button := chromedp.CSS(`main > form button`)
	heading, label := run(t, ctx, chromedp.Text(chromedp.CSS(`h1`))), run(t, ctx, chromedp.Text(button))
	if err := chromedp.Do(ctx, chromedp.Click(button), chromedp.WaitVisible(status)); err != nil {
		t.Fatal(err)
	}
	if got := run(t, ctx, chromedp.Text(status)); heading != "Deletion of projects" || label != "Restore 79 rows" || !strings.HasPrefix(got, "Restored") {
		t.Errorf("deletion page: heading %q, button %q, status %q", heading, label, got)
	}
	if n := f.liveTasks(t, "a2"); n != 9 {
		t.Errorf("a2 has %d live tasks after the restore, want 9", n)
	}
	if n := f.liveTasks(t, "b1"); n != 0 {
		t.Errorf("tenant b's project came back: %d live tasks", n)
	}
}

// run runs one action that reads a value, failing the test on error.
func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
