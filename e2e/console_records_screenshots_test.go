package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// TestConsoleRecordScreenshots regenerates the screenshots of the evidence,
// gate and snapshot pages in docs/console/ when AESO_SCREENSHOTS names the
// directory (relative to the repository root):
//
//	AESO_SCREENSHOTS=docs/console go test -run TestConsoleRecordScreenshots ./e2e
func TestConsoleRecordScreenshots(t *testing.T) {
	dir := screenshotDir(t)
	browserCtx := chromium(t)
	e := start(t, testdb.Target{Dialect: "sqlite", DataDir: t.TempDir()}, withConfigFile(writeConfig(t, recordsYAML)))
	for i, kind := range []string{"security", "uat", "smoke"} {
		b, err := e.admin.CreateBundle(e.ctx, client.BundleRequest{Kind: kind, Subject: client.Subject{Name: "api", Ref: fmt.Sprintf("v1.%d", i)},
			Title: kind + " checks of api v1." + fmt.Sprint(i), Owner: "release-eng"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.admin.AddItem(e.ctx, b.ID, check("deps", "pass")); err != nil {
			t.Fatal(err)
		}
		if _, err := e.admin.SealBundle(e.ctx, b.ID); err != nil {
			t.Fatal(err)
		}
	}
	bundle, _ := e.failingRelease(t)
	if _, _, err := e.admin.PromoteBundle(e.ctx, bundle.ID, "staging", "deployed for the release candidate"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 12; i++ {
		e.pushStatus("api", "healthy", "ok")
	}
	e.pushStatus("api", "degraded", "p99 above 800 ms")
	if r := e.do("POST", "/v1/invariants/INV-BILLING-001/results", adminToken, fmt.Sprintf(
		`{"status":"pass","environment":"production","observed_at":%q}`, time.Now().UTC().Format(time.RFC3339Nano))); r.status != 201 {
		t.Fatalf("result: %d %s", r.status, r.body)
	}
	r := e.do("POST", "/v1/status/snapshots", adminToken, `{"note":"before the v2 release"}`)
	if r.status != 201 {
		t.Fatalf("snapshot: %d %s", r.status, r.body)
	}
	snap := idOf(t, r.body)
	e.evaluateForID(t, "api@v1.0")
	e.pushStatus("api", "down", "connection refused")
	if r := e.do("POST", "/v1/gates/release/waivers", adminToken, fmt.Sprintf(
		`{"rule":"components","subject":"api@v2","reason":"failover drill until noon","expires_at":%q}`,
		time.Now().UTC().Add(50*time.Hour).Format(time.RFC3339))); r.status != 201 {
		t.Fatalf("waive: %d %s", r.status, r.body)
	}
	e.evaluateForID(t, "api@v2")
	if r := e.do("POST", "/v1/invariants/INV-BILLING-001/results", adminToken, fmt.Sprintf(
		`{"status":"fail","environment":"production","observed_at":%q}`, time.Now().UTC().Format(time.RFC3339Nano))); r.status != 201 {
		t.Fatalf("result: %d %s", r.status, r.body)
	}

	tb := newTab(t, browserCtx, e.main.URL())
	tb.run("sign-in page", chromedp.Navigate(e.main.URL()+"/ui/signin"), chromedp.WaitVisible(chromedp.ID("token")))
	tb.follow("sign in", chromedp.Steps(chromedp.SendKeys(chromedp.ID("token"), adminToken),
		chromedp.Click(chromedp.CSS(`.signin button[type=submit]`))), "#level")
	for _, p := range []struct {
		name, path, sel string
		height          int64
	}{
		{"evidence", "/ui/evidence", "table.list", 800},
		{"bundle", "/ui/evidence/" + bundle.ID, "#fail-h", 1400},
		{"gates", "/ui/gates", "table.list", 600},
		{"gate", "/ui/gates/release", "#latest-h", 1300},
		{"snapshot", "/ui/snapshots/" + snap, "#then-h", 1000},
	} {
		tb.run(p.name, chromedp.Navigate(e.main.URL()+p.path), chromedp.WaitVisible(chromedp.CSS(p.sel)))
		screenshot(t, tb, dir, p.name, 1280, p.height, false)
	}
	tb.clean()
}
