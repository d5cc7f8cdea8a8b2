package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/softcascade/softcascade"
	"github.com/softcascade/softcascade/internal/browsertest"
)

// envScreenshot names the file the screenshot test writes, when set:
//
//	TRASHVIEW_SCREENSHOT=$PWD/docs/trashview.png go test -run Screenshot ./examples/trashview
const envScreenshot = "TRASHVIEW_SCREENSHOT"

// maxScreenshot bounds the screenshot's size, so that it stays small in the
// repository.
const maxScreenshot = 200 << 10

func demoServer(t *testing.T) *httptest.Server {
	t.Helper()
	db, err := openDemo(filepath.Join(t.TempDir(), "demo.db"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if sqlDB, err := db.DB(); err == nil {
		t.Cleanup(func() { _ = sqlDB.Close() })
	}
	ds, total, err := softcascade.Trash(db, softcascade.TrashFilter{})
	if err != nil || total != 3 || ds[0].Table != "tasks" || ds[2].Reason != "customer request" {
		t.Fatalf("demo trash: %d deletions (%v), %v", total, ds, err)
	}
	srv := httptest.NewServer(routes(db))
	t.Cleanup(srv.Close)
	return srv
}

func TestDemoServesTheTrash(t *testing.T) {
	srv := demoServer(t)
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	_, _ = body.ReadFrom(resp.Body)
	if resp.Request.URL.Path != "/trash/" || resp.StatusCode != 200 || !strings.Contains(body.String(), "customer request") {
		t.Errorf("GET / ended at %s with %d:\n%s", resp.Request.URL, resp.StatusCode, body.String())
	}
}

// TestScreenshot renders the trash view in headless Chromium and checks
// the screenshot; with TRASHVIEW_SCREENSHOT set it saves it there.
func TestScreenshot(t *testing.T) {
	browser := browsertest.New(t, 1000, 600) // skips without Chromium
	srv := demoServer(t)
	ctx := browsertest.Timeout(t, browser)
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1000, 480),
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`table`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) || len(png) > maxScreenshot {
		t.Fatalf("screenshot: %d bytes, want a PNG under %d", len(png), maxScreenshot)
	}
	t.Logf("screenshot: %d bytes", len(png))
	if path := os.Getenv(envScreenshot); path != "" {
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
