package e2e

import (
	"bytes"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// recordsYAML is a release gate over release evidence and a critical api,
// and a critical required invariant judged in production.
const recordsYAML = `invariants:
  - {id: INV-BILLING-001, title: Invoices balance, owner: billing, severity: high, critical: true, required: true, max_age: 24h}
components:
  - {name: api, owner: platform, critical: true, stale_after: 5m, dead_after: 30m}
gates:
  - name: release
    affects_posture: true
    rules:
      - {evidence: {kind: release}}
      - {components: [api]}
status:
  environment: production
`

// recordsWorld is a server with recordsYAML and a browser signed in as the
// admin.
func recordsWorld(t *testing.T, tg testdb.Target) (*env, *browser) {
	e := start(t, tg, withConfigFile(writeConfig(t, recordsYAML)))
	b := e.browser()
	b.mustSignIn(adminToken)
	return e, b
}

// failingRelease seals a release bundle for api@v2 holding pytest's real
// JUnit report, four failures and two errors among ten tests.
func (e *env) failingRelease(t *testing.T) (*client.Bundle, *client.Item) {
	t.Helper()
	b := newBundle(t, e, "api", "v2")
	data := reportFile(t, "pytest-xunit1.xml")
	it, err := e.admin.AddReport(e.ctx, b.ID, client.ReportOptions{Format: "junit", Name: "unit tests"}, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if b, err = e.admin.SealBundle(e.ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	return b, it
}

// hrefAttr is the target of any link.
var hrefAttr = regexp.MustCompile(`href="([^"]+)"`)

// hrefTo returns the first link of p to a path under prefix.
func (p *page) hrefTo(t *testing.T, prefix string) string {
	t.Helper()
	for _, m := range hrefAttr.FindAllStringSubmatch(p.body, -1) {
		if strings.HasPrefix(m[1], prefix) {
			return html.UnescapeString(m[1])
		}
	}
	t.Fatalf("no link to %s in %s", prefix, p.body)
	return ""
}

// wants fails the test for each string the page lacks.
func wants(t *testing.T, what string, p *page, status int, texts ...string) {
	t.Helper()
	if p.status != status {
		t.Errorf("%s: %d, want %d; %s", what, p.status, status, p.body)
		return
	}
	for _, s := range texts {
		if !strings.Contains(p.body, s) {
			t.Errorf("%s lacks %q", what, s)
		}
	}
}

// row returns the table row of p that holds text, or "".
func (p *page) row(text string) string {
	for _, r := range strings.Split(p.body, "<tr")[1:] {
		r, _, _ = strings.Cut(r, "</tr>")
		if strings.Contains(r, text) {
			return r
		}
	}
	return ""
}

func TestConsoleBundlePageListsEveryFailingTest(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e, b := recordsWorld(t, tg)
		bundle, item := e.failingRelease(t)
		if _, _, err := e.admin.PromoteBundle(e.ctx, bundle.ID, "staging", "smoke passed there"); err != nil {
			t.Fatal(err)
		}
		fix, err := e.admin.SupersedeBundle(e.ctx, bundle.ID, client.SupersedeRequest{Reason: "rerun without the flaky database"})
		if err != nil {
			t.Fatal(err)
		}

		list := b.get("/ui/evidence?kind=release&subject=api")
		wants(t, "the evidence list", list, 200, `href="/ui/evidence/`+bundle.ID+`"`, "api@v2", `<time datetime="`)
		older := b.get(b.get("/ui/evidence?kind=release&limit=1").link(t, "Older"))
		wants(t, "the second page", older, 200, `href="/ui/evidence/`+bundle.ID+`"`)
		if strings.Contains(older.body, `href="/ui/evidence/`+fix.ID+`"`) {
			t.Errorf("the second page repeats the first")
		}
		if p := b.get("/ui/evidence?kind=uat"); p.status != 200 || !strings.Contains(p.body, "No bundle matches.") {
			t.Errorf("a filter nothing matches: %d", p.status)
		}
		wants(t, "a bad date", b.get("/ui/evidence?since=yesterday"), 400, "since must be a date")
		wants(t, "a bad kind", b.get("/ui/evidence?kind=nope"), 400, "kind must be one of")

		page := b.get("/ui/evidence/" + bundle.ID)
		wants(t, "the bundle page", page, 200,
			"<strong class=\"mono\">test_divides</strong>", "at test_sample.py:12", "assert 4 == 3",
			"test_uses_database", "at test_sample.py:21", "ConnectionError: database unreachable",
			"test_fails_and_leaks", "at test_sample.py:56",
			bundle.Digest, "smoke passed there", "staging",
			"rerun without the flaky database", `href="/ui/evidence/`+fix.ID+`"`,
			`href="/ui/evidence/export/`+bundle.ID+`"`, fmt.Sprintf("%d total, %d passed, %d failed, %d errored, %d skipped",
				item.Counts.Total, item.Counts.Passed, item.Counts.Failed, item.Counts.Errored, item.Counts.Skipped))
		if n := strings.Count(page.body, `<strong class="mono">`); n != 6 {
			t.Errorf("the bundle page lists %d failures, want the report's 6", n)
		}
		wants(t, "the bundle by its digest", b.get("/ui/evidence/"+bundle.ID+"?digest="+url.QueryEscape(bundle.Digest)), 200, "test_divides")
		wants(t, "the bundle by another digest", b.get("/ui/evidence/"+bundle.ID+"?digest=sha256%3A00"), 404)
		wants(t, "the item page", b.get(page.link(t, "unit tests")), 200, "test_divides", "at test_sample.py:12", item.Report.SHA256)
		wants(t, "the open correction", b.get("/ui/evidence/"+fix.ID), 200, "Open: not sealed yet", "rerun without the flaky database")

		exp := b.get("/ui/evidence/export/" + bundle.ID)
		if exp.status != 200 || exp.header.Get("Content-Type") != "application/json" ||
			!strings.Contains(exp.header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export: %d %v", exp.status, exp.header)
		}
		res, err := evidence.Verify([]byte(exp.body))
		if err != nil || res.Digest != bundle.Digest || res.Computed != bundle.Digest {
			t.Errorf("the export does not verify as the sealed bundle: %+v %v", res, err)
		}
		wants(t, "the export of an open bundle", b.get("/ui/evidence/export/"+fix.ID), 409)

		missing := "01a2351d-0522-7cab-9b12-221fb9b4d945"
		for _, path := range []string{"/ui/evidence/" + missing, "/ui/evidence/not-an-id", "/ui/evidence/items/" + missing,
			"/ui/evidence/export/" + missing} {
			wants(t, path, b.get(path), 404, "Not found")
		}

		watcher := e.browser()
		watcher.mustSignIn(e.newToken("watcher", "status:read"))
		for _, path := range []string{"/ui/evidence", "/ui/evidence/" + bundle.ID, "/ui/evidence/items/" + item.ID, "/ui/evidence/export/" + bundle.ID} {
			p := watcher.get(path)
			if p.status != 403 || !strings.Contains(p.body, "lacks evidence:read") || strings.Contains(p.body, "test_divides") || strings.Contains(p.body, bundle.Digest) {
				t.Errorf("GET %s without evidence:read: %d %s", path, p.status, p.body)
			}
		}
		if strings.Contains(watcher.get("/ui/gates").body, `href="/ui/evidence"`) {
			t.Errorf("the navigation offers evidence to a token without evidence:read")
		}
		anonymous := e.browser()
		for _, path := range []string{"/ui/evidence", "/ui/evidence/" + bundle.ID, "/ui/evidence/export/" + bundle.ID} {
			if p := anonymous.get(path); !p.signedOut() || strings.Contains(p.body, "test_divides") {
				t.Errorf("GET %s without a session: %d %s", path, p.status, p.body)
			}
		}
	})
}

// evaluateForID evaluates the release gate for subject and returns the
// stored result's id and verdict.
func (e *env) evaluateForID(t *testing.T, subject string) (string, string) {
	t.Helper()
	r := e.do("POST", "/v1/gates/release/evaluate", adminToken, map[string]string{"subject": subject})
	if r.status != 201 {
		t.Fatalf("evaluate: %d %s", r.status, r.body)
	}
	var res struct{ ID, Verdict string }
	r.json(t, &res)
	return res.ID, res.Verdict
}

func TestConsoleGatePagesShowReasonsWaiversAndHistory(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e, b := recordsWorld(t, tg)
		bundle, _ := e.failingRelease(t)
		e.pushStatus("api", "down", "connection refused")
		first, _ := e.evaluateForID(t, "api@v2")
		expires := time.Now().UTC().Add(72 * time.Hour).Truncate(time.Second)
		r := e.do("POST", "/v1/gates/release/waivers", adminToken, fmt.Sprintf(
			`{"rule":"components","subject":"api@v2","reason":"failover drill in progress","expires_at":%q}`, expires.Format(time.RFC3339)))
		if r.status != 201 {
			t.Fatalf("waive: %d %s", r.status, r.body)
		}
		waiver := idOf(t, r.body)
		second, verdict := e.evaluateForID(t, "api@v2")
		if verdict != "block" {
			t.Fatalf("second verdict %s", verdict)
		}
		var stored struct{ Reasons []gateReason }
		e.do("GET", "/v1/gates/release/results/"+second, adminToken, nil).json(t, &stored)

		list := b.get("/ui/gates")
		wants(t, "the gate list", list, 200, `href="/ui/gates/release"`, "1 evaluated", "1 blocked")

		res := b.get("/ui/gate-results/" + second)
		wants(t, "the result page", res, 200, "release", "api@v2", `<span class="badge o-block">block</span>`)
		for _, reason := range stored.Reasons {
			row := res.row(`<span class="mono">` + reason.Rule + `</span>`)
			if row == "" || !strings.Contains(row, html.EscapeString(reason.Detail)) || !strings.Contains(row, `o-`+reason.Outcome) {
				t.Errorf("rule %s: its row %q lacks the outcome %s or the detail %q", reason.Rule, row, reason.Outcome, reason.Detail)
			}
			for _, ref := range reason.Refs {
				if !strings.Contains(row, ">"+html.EscapeString(ref)+"</a>") {
					t.Errorf("rule %s: ref %s is not a link in %q", reason.Rule, ref, row)
				}
			}
		}
		ev := res.row("evidence-release")
		if !strings.Contains(ev, `href="/ui/evidence/`+bundle.ID+`?digest=sha256%3a`) && !strings.Contains(ev, `href="/ui/evidence/`+bundle.ID+`?digest=sha256%3A`) {
			t.Errorf("the evidence reason does not link its bundle: %s", ev)
		}
		if comp := res.row(`<span class="mono">components</span>`); !strings.Contains(comp, `href="/ui/waivers/`+waiver+`"`) {
			t.Errorf("the waived rule does not link its waiver: %s", comp)
		}
		bundleLink := ""
		for _, m := range hrefAttr.FindAllStringSubmatch(ev, -1) {
			if strings.HasPrefix(m[1], "/ui/evidence/") {
				bundleLink = html.UnescapeString(m[1])
			}
		}
		wants(t, "the bundle a reason names", b.get(bundleLink), 200, "test_divides")

		exact := expires.Format(time.RFC3339Nano)
		gate := b.get("/ui/gates/release")
		wants(t, "the gate page", gate, 200, "evidence-release", "failover drill in progress",
			`<time datetime="`+exact+`"`, "active", `href="/ui/gate-results/`+second+`"`, `href="/ui/gate-results/`+first+`"`)
		if row := gate.row("<td>failover drill in progress</td>"); !strings.Contains(row, `datetime="`+exact+`"`) || !strings.Contains(row, "2 days from now") {
			t.Errorf("the waiver's row does not show its expiry: %s", row)
		}
		page1 := b.get("/ui/gates/release?limit=1")
		if strings.Contains(page1.body, `<a href="/ui/gate-results/`+first+`"`) {
			t.Errorf("the first page of one result holds the older one")
		}
		wants(t, "the history's second page", b.get(page1.link(t, "Older")), 200, `href="/ui/gate-results/`+first+`"`)
		if p := b.get("/ui/gates/release?subject=web@v1"); !strings.Contains(p.body, "No results for web@v1.") {
			t.Errorf("a subject never evaluated: %s", p.body)
		}
		wants(t, "a bad cursor", b.get("/ui/gates/release?cursor=x"), 400, "cursor is not a cursor")

		wants(t, "the waiver page", b.get("/ui/waivers/"+waiver), 200, "failover drill in progress", `<time datetime="`+exact+`"`, "active", "api@v2")

		wants(t, "the rule page", b.get("/ui/gates/release/rules/components"), 200, "these components are up, healthy and reporting",
			"failover drill in progress", `href="/ui/components/api"`, `href="/ui/gate-results/`+second+`"`)
		r = e.do("POST", "/v1/gates/release/withdrawals", adminToken, `{"subject":"api@v2","reason":"v2 was never shipped"}`)
		if r.status != 201 {
			t.Fatalf("withdraw: %d %s", r.status, r.body)
		}
		withdrawal := idOf(t, r.body)
		wants(t, "the withdrawal page", b.get("/ui/withdrawals/"+withdrawal), 200, "v2 was never shipped", `href="/ui/gate-results/`+second+`"`)
		wants(t, "the result as the API answers it", b.get("/ui/refs/gate_result/"+second), 200, "/v1/gates/release/results/"+second, "evidence-release")

		missing := "01a2351d-0522-7cab-9b12-221fb9b4d945"
		for _, path := range []string{"/ui/gates/nope", "/ui/gate-results/" + missing, "/ui/waivers/" + missing, "/ui/gate-results/x",
			"/ui/gates/release/rules/nope", "/ui/withdrawals/" + missing, "/ui/refs/gate_result/" + missing, "/ui/refs/nope/x"} {
			wants(t, path, b.get(path), 404, "Not found")
		}
		reader := e.browser()
		reader.mustSignIn(e.newToken("reader", "evidence:read"))
		for _, path := range []string{"/ui/gates", "/ui/gates/release", "/ui/gate-results/" + second, "/ui/waivers/" + waiver,
			"/ui/gates/release/rules/components", "/ui/withdrawals/" + withdrawal, "/ui/refs/gate_result/" + second} {
			p := reader.get(path)
			if p.status != 403 || !strings.Contains(p.body, "lacks status:read") || strings.Contains(p.body, "failover drill") || strings.Contains(p.body, "api@v2") {
				t.Errorf("GET %s without status:read: %d %s", path, p.status, p.body)
			}
		}
	})
}

func TestConsoleSnapshotShowsThenBesideNowReasonByReason(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e, b := recordsWorld(t, tg)
		e.pushStatus("api", "degraded", "slow answers")
		result := func(status string) string {
			r := e.do("POST", "/v1/invariants/INV-BILLING-001/results", adminToken, fmt.Sprintf(
				`{"status":%q,"environment":"production","observed_at":%q}`, status, time.Now().UTC().Format(time.RFC3339Nano)))
			if r.status != 201 {
				t.Fatalf("result: %d %s", r.status, r.body)
			}
			return idOf(t, r.body)
		}
		result("pass")
		r := e.do("POST", "/v1/status/snapshots", adminToken, `{"note":"before the release"}`)
		if r.status != 201 {
			t.Fatalf("snapshot: %d %s", r.status, r.body)
		}
		snap := idOf(t, r.body)
		e.pushStatus("api", "down", "connection refused")
		failing := result("fail")

		list := b.get("/ui/snapshots")
		wants(t, "the snapshot list", list, 200, `href="/ui/snapshots/`+snap+`"`, "before the release", `<span class="badge level-degraded">degraded</span>`)

		p := b.get("/ui/snapshots/" + snap)
		wants(t, "the snapshot page", p, 200, `<h2 id="then-h"><span class="visually-hidden">Then: </span>degraded</h2>`,
			`<h2 id="now-h"><span class="visually-hidden">Now: </span>blocked</h2>`, "before the release")
		api := p.row("reports degraded: slow answers")
		if !strings.Contains(api, `class="change-changed"`) || !strings.Contains(api, "reports down: connection refused") ||
			!strings.Contains(api, `badge level-degraded`) || !strings.Contains(api, `badge level-blocked`) {
			t.Errorf("the api's reason is not shown then beside now: %s", api)
		}
		inv := p.row("INV-BILLING-001 (Invoices balance) is failing")
		if !strings.Contains(inv, `class="change-new"`) || !strings.Contains(inv, "no such reason") ||
			!strings.Contains(inv, `href="/ui/invariant-results/`+failing+`"`) {
			t.Errorf("the invariant that fails now is not a new reason: %s", inv)
		}
		evidence := p.row("no sealed release evidence")
		if !strings.Contains(evidence, `class="change-same"`) || strings.Count(evidence, "no sealed release evidence") != 2 {
			t.Errorf("the reason that held is not shown as the same: %s", evidence)
		}
		if comp := p.row(`href="/ui/components/api"`); !strings.Contains(comp, "degraded") || !strings.Contains(comp, "down") {
			t.Errorf("the component then and now: %s", comp)
		}

		// A second snapshot: the list pages, newest first.
		if r := e.do("POST", "/v1/status/snapshots", adminToken, ``); r.status != 201 {
			t.Fatalf("snapshot: %d", r.status)
		}
		first := b.get("/ui/snapshots?limit=1")
		if strings.Contains(first.body, `href="/ui/snapshots/`+snap+`"`) {
			t.Errorf("the newest page holds the older snapshot")
		}
		wants(t, "the second page", b.get(first.link(t, "Older")), 200, `href="/ui/snapshots/`+snap+`"`)
		wants(t, "a bad limit", b.get("/ui/snapshots?limit=0"), 400, "limit must be")
		wants(t, "an unknown snapshot", b.get("/ui/snapshots/01a2351d-0522-7cab-9b12-221fb9b4d945"), 404, "Not found")

		reader := e.browser()
		reader.mustSignIn(e.newToken("reader", "evidence:read"))
		for _, path := range []string{"/ui/snapshots", "/ui/snapshots/" + snap} {
			if p := reader.get(path); p.status != 403 || strings.Contains(p.body, "before the release") {
				t.Errorf("GET %s without status:read: %d", path, p.status)
			}
		}
		if p := e.browser().get("/ui/snapshots/" + snap); !p.signedOut() || strings.Contains(p.body, "before the release") {
			t.Errorf("a snapshot without a session: %d", p.status)
		}
	})
}

func TestConsoleInvariantGuardComponentAndReconciliationPages(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e, b := recordsWorld(t, tg)
		for _, s := range []string{"healthy", "healthy", "down"} {
			e.pushStatus("api", s, "probe says "+s)
		}
		for _, st := range []string{"pass", "fail"} {
			r := e.do("POST", "/v1/invariants/INV-BILLING-001/results", adminToken, fmt.Sprintf(
				`{"status":%q,"environment":"production","observed_at":%q,"details":{"unbalanced_invoices":3}}`, st, time.Now().UTC().Format(time.RFC3339Nano)))
			if r.status != 201 {
				t.Fatalf("result: %d %s", r.status, r.body)
			}
		}
		gr := e.do("POST", "/v1/guards/licenses/reports", adminToken,
			`{"subject":"api@v2","mode":"blocking","findings":[{"rule_id":"GPL-in-binary","severity":"high","location":"go.mod:12","message":"a GPL module is linked"}]}`)
		if gr.status != 201 {
			t.Fatalf("guard: %d %s", gr.status, gr.body)
		}
		guardID := idOf(t, gr.body)
		high := e.do("POST", "/v1/reconciliations", adminToken,
			`{"kind":"missing_record","severity":"high","owner":"billing","component":"api","evidence":{"summary":"invoice 7 missing","pairs":[{"field":"total","observed":"0","expected":"42"}]}}`)
		low := e.do("POST", "/v1/reconciliations", adminToken,
			`{"kind":"drift","severity":"low","owner":"platform","invariant_id":"INV-BILLING-001","evidence":{"summary":"a replica lags"}}`)
		if high.status != 201 || low.status != 201 {
			t.Fatalf("records: %d %d", high.status, low.status)
		}
		highID, lowID := idOf(t, high.body), idOf(t, low.body)
		if r := e.do("POST", "/v1/reconciliations/"+highID+"/transitions", adminToken,
			`{"state":"repairing","reason":"replaying the invoice queue","next_action":"compare totals","next_action_owner":"billing"}`); r.status != 200 {
			t.Fatalf("transition: %d %s", r.status, r.body)
		}

		invs := b.get("/ui/invariants")
		wants(t, "the invariant list", invs, 200, `href="/ui/invariants/INV-BILLING-001"`, "production: <span class=\"badge i-failing\">failing</span>")
		inv := b.get("/ui/invariants/INV-BILLING-001")
		wants(t, "the invariant page", inv, 200, "Invoices balance", `<span class="badge r-fail">fail</span>`, `<span class="badge r-pass">pass</span>`)
		older := b.get(b.get("/ui/invariants/INV-BILLING-001?environment=production&limit=1").link(t, "Older"))
		if older.status != 200 || !strings.Contains(older.body, `<span class="badge r-pass">pass</span>`) || strings.Contains(older.body, `<span class="badge r-fail">fail</span>`) {
			t.Errorf("the history's second page: %d", older.status)
		}
		wants(t, "the result page", b.get(inv.hrefTo(t, "/ui/invariant-results/")), 200, "unbalanced_invoices", "production")

		wants(t, "the guard report", b.get("/ui/guard-reports/"+guardID), 200, "GPL-in-binary", "go.mod:12", "a GPL module is linked", "blocking")

		comp := b.get("/ui/components/api")
		wants(t, "the component page", comp, 200, `aria-label="api: last 3 reports: 2 healthy, 1 down"`, "probe says down", "probe says healthy", "critical")
		page1 := b.get("/ui/components/api?limit=2")
		if strings.Count(page1.body, "probe says healthy</td>") != 1 {
			t.Errorf("the first page of two reports holds %d healthy ones", strings.Count(page1.body, "probe says healthy</td>"))
		}
		wants(t, "the component's second page", b.get(page1.link(t, "Older")), 200, "probe says healthy</td>")
		wants(t, "a report", b.get(comp.hrefTo(t, "/ui/component-reports/")), 200, "probe says down")

		recs := b.get("/ui/reconciliations")
		wants(t, "the open records", recs, 200, "invoice 7 missing", "a replica lags")
		if strings.Index(recs.body, "invoice 7 missing") > strings.Index(recs.body, "a replica lags") {
			t.Errorf("the high record is not listed before the low one")
		}
		lows := b.get("/ui/reconciliations?severity=low")
		if !strings.Contains(lows.body, "a replica lags") || strings.Contains(lows.body, "invoice 7 missing") {
			t.Errorf("severity=low: %s", lows.body)
		}
		if p := b.get("/ui/reconciliations?component=api"); !strings.Contains(p.body, "invoice 7 missing") || strings.Contains(p.body, "a replica lags") {
			t.Errorf("component=api: %s", p.body)
		}
		wants(t, "a bad severity", b.get("/ui/reconciliations?severity=dire"), 400, "severity must be one of")
		// A page at a time, newest first: the low record was opened last.
		first := b.get("/ui/reconciliations?limit=1")
		wants(t, "the first page of one", first, 200, "a replica lags", "(1 shown)")
		if strings.Contains(first.body, "invoice 7 missing") || strings.Contains(first.body, ">Newest<") {
			t.Errorf("the first page of one record: %s", first.body)
		}
		second := b.get(first.link(t, "Older records"))
		wants(t, "the second page", second, 200, "invoice 7 missing", ">Newest<")
		if strings.Contains(second.body, "a replica lags") || strings.Contains(second.body, "Older records") {
			t.Errorf("the second and last page: %s", second.body)
		}
		wants(t, "back to the newest", b.get(second.link(t, "Newest")), 200, "a replica lags")
		wants(t, "a forged cursor", b.get("/ui/reconciliations?cursor=bm90LWEtY3Vyc29y"), 400, "cursor")
		wants(t, "a page too long", b.get("/ui/reconciliations?limit=501"), 400, "limit must be a whole number from 1 to 500")
		rec := b.get("/ui/reconciliations/" + highID)
		wants(t, "the record's timeline", rec, 200, "detected</span> by admin", "<span class=\"tag\">detected</span> → <span class=\"tag\">repairing</span>",
			"replaying the invoice queue", "compare totals", "<td>0</td><td>42</td>", `href="/ui/components/api"`)
		wants(t, "the low record", b.get("/ui/reconciliations/"+lowID), 200, "a replica lags")

		missing := "01a2351d-0522-7cab-9b12-221fb9b4d945"
		for _, path := range []string{"/ui/invariants/INV-NOPE-001", "/ui/invariant-results/" + missing, "/ui/guard-reports/" + missing,
			"/ui/components/nope", "/ui/component-reports/" + missing, "/ui/reconciliations/" + missing, "/ui/reconciliations/x"} {
			wants(t, path, b.get(path), 404, "Not found")
		}

		watcher := e.browser()
		watcher.mustSignIn(e.newToken("watcher", "status:read"))
		reader := e.browser()
		reader.mustSignIn(e.newToken("reader", "evidence:read"))
		for _, tc := range []struct {
			b       *browser
			path    string
			lacks   string
			private string
		}{
			{watcher, "/ui/invariants", "evidence:read", "Invoices balance"},
			{watcher, "/ui/invariants/INV-BILLING-001", "evidence:read", "Invoices balance"},
			{watcher, "/ui/guard-reports/" + guardID, "evidence:read", "GPL-in-binary"},
			{reader, "/ui/components/api", "status:read", "probe says"},
			{reader, "/ui/reconciliations", "status:read", "invoice 7 missing"},
			{reader, "/ui/reconciliations/" + highID, "status:read", "invoice 7 missing"},
		} {
			p := tc.b.get(tc.path)
			if p.status != 403 || !strings.Contains(p.body, "lacks "+tc.lacks) || strings.Contains(p.body, tc.private) {
				t.Errorf("GET %s without %s: %d %s", tc.path, tc.lacks, p.status, p.body)
			}
		}
	})
}
