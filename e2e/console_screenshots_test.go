package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/aeso-dev/aeso/internal/testdb"
)

// TestConsoleScreenshots regenerates the screenshots of docs/console/ when
// AESO_SCREENSHOTS names the directory (relative to the repository root):
//
//	AESO_SCREENSHOTS=docs/console go test -run TestConsoleScreenshots ./e2e
func TestConsoleScreenshots(t *testing.T) {
	dir := screenshotDir(t)
	browserCtx := chromium(t)
	e := start(t, testdb.Target{Dialect: "sqlite", DataDir: t.TempDir()}, withConfigFile(writeConfig(t, consoleYAML)))
	for i := 0; i < 30; i++ {
		e.pushStatus("api", "healthy", "ok")
		if i%4 == 0 {
			e.pushStatus("worker", "healthy", "ok")
		}
	}
	e.pushStatus("worker", "degraded", "queue is slow")
	e.pushStatus("api", "down", "connection refused")
	if r := e.do("POST", "/v1/reconciliations", adminToken,
		`{"kind":"missing_record","severity":"high","owner":"billing","component":"worker","evidence":{"summary":"invoice 7 is in the ledger but not in the warehouse"}}`); r.status != 201 {
		t.Fatalf("reconciliation: %d %s", r.status, r.body)
	}
	var last string
	for i := 0; i < 12; i++ {
		ev := validEvent()
		ev["correlation_id"] = fmt.Sprintf("deploy-%d", 40+i/3)
		ev["target_id"] = fmt.Sprintf("key-%d", i)
		if i%5 == 4 {
			ev["result"] = "failure"
		}
		r := e.do("POST", "/v1/audit/events", adminToken, ev, "Traceparent",
			fmt.Sprintf("00-4bf92f3577b34da6a3ce929d0e0e47%02d-00f067aa0ba902b7-01", i))
		if r.status != 201 {
			t.Fatalf("emit: %d %s", r.status, r.body)
		}
		last = idOf(t, r.body)
	}
	tb := newTab(t, browserCtx, e.main.URL())
	shot := func(name string, width, height int64, dark bool, opts ...chromedp.EmulateViewportOption) {
		t.Helper()
		screenshot(t, tb, dir, name, width, height, dark, opts...)
	}
	tb.run("sign-in page", chromedp.Navigate(e.main.URL()+"/ui/signin"), chromedp.WaitVisible(chromedp.ID("token")))
	shot("signin", 1280, 720, false)
	tb.follow("sign in", chromedp.Steps(chromedp.SendKeys(chromedp.ID("token"), adminToken),
		chromedp.Click(chromedp.CSS(`.signin button[type=submit]`))), "#level")
	shot("posture", 1280, 1000, false)
	shot("posture-dark", 1280, 1000, true)
	shot("posture-phone", 390, 844, false, chromedp.EmulateMobile)
	tb.run("audit", chromedp.Navigate(e.main.URL()+"/ui/audit"), chromedp.WaitVisible(chromedp.CSS("table.events")))
	shot("audit", 1280, 1000, false)
	tb.run("event", chromedp.Navigate(e.main.URL()+"/ui/audit/"+last), chromedp.WaitVisible(chromedp.CSS(".pivots")))
	shot("event", 1280, 900, false)
	tb.clean()
}
