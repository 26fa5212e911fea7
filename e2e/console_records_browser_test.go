package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/aeso-dev/aeso/internal/testdb"
)

// A release manager's journey in a real browser, on each database: from the
// evidence list to a bundle and the failing test it holds, then a snapshot
// taken before an outage compared with the posture now.
func TestBrowserEvidenceAndSnapshotJourney(t *testing.T) {
	browserCtx := chromium(t)
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg, withConfigFile(writeConfig(t, recordsYAML)))
		bundle, _ := e.failingRelease(t)
		e.pushStatus("api", "degraded", "slow answers")
		r := e.do("POST", "/v1/status/snapshots", adminToken, `{"note":"before the release"}`)
		if r.status != 201 {
			t.Fatalf("snapshot: %d %s", r.status, r.body)
		}
		snap := idOf(t, r.body)
		e.pushStatus("api", "down", "connection refused")

		tb := newTab(t, browserCtx, e.main.URL())
		tb.run("open the sign-in page", chromedp.Navigate(e.main.URL()+"/ui/evidence"), chromedp.WaitVisible(chromedp.ID("token")))
		tb.follow("sign in", chromedp.Steps(chromedp.SendKeys(chromedp.ID("token"), adminToken),
			chromedp.Click(chromedp.CSS(`.signin button[type=submit]`))), "#f-kind")
		if loc := tb.location(); loc != "/ui/evidence" {
			t.Errorf("sign-in led to %s, want back to /ui/evidence", loc)
		}
		tb.follow("filter by subject", chromedp.Steps(chromedp.SendKeys(chromedp.ID("f-subject"), "api"),
			chromedp.Click(chromedp.CSS(`.filters button[type=submit]`))), "table.list")
		tb.follow("open the bundle", chromedp.Click(chromedp.CSS(`a[href="/ui/evidence/`+bundle.ID+`"]`)), "#fail-h")
		failures := tb.text("ul.failures")
		for _, want := range []string{"test_divides", "at test_sample.py:12", "assert 4 == 3"} {
			if !strings.Contains(failures, want) {
				t.Errorf("the failures read %q, without %q", failures, want)
			}
		}
		if got := tb.text("#seal-h + dl"); !strings.Contains(got, bundle.Digest) {
			t.Errorf("the seal reads %q", got)
		}

		tb.follow("open the snapshots", chromedp.Click(chromedp.CSS(`nav a[href="/ui/snapshots"]`)), "table.list")
		tb.follow("open the snapshot", chromedp.Click(chromedp.CSS(`a[href="/ui/snapshots/`+snap+`"]`)), "#then-h")
		then, now := strings.ToLower(tb.text("#then-h")), strings.ToLower(tb.text("#now-h"))
		if !strings.Contains(then, "degraded") || !strings.Contains(now, "blocked") {
			t.Errorf("then %q, now %q; want degraded then, blocked now", then, now)
		}
		row := tb.text("tr.change-changed")
		if !strings.Contains(row, "reports degraded: slow answers") || !strings.Contains(row, "reports down: connection refused") {
			t.Errorf("the changed reason reads %q", row)
		}
		if got := tb.text("tr.change-same"); !strings.Contains(got, "INV-BILLING-001 (Invoices balance) is required and has no result") {
			t.Errorf("the reason that held reads %q", got)
		}
		tb.clean()
	})
}
