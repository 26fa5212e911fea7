package e2e

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/testdb"
)

// consoleYAML is a registered action, a critical api and a worker, with
// trace and request links.
const consoleYAML = `actions:
  - action: credentials.api_key.rotate
    category: Access
    family: Credentials
    label: Rotate API key
    target_type_label: API key
    severity: {success: medium, failure: high}
    safe_details: [key_name, scope]
    summary: "{actor} rotated {target_type} {target}"
components:
  - {name: api, owner: platform, critical: true, stale_after: 5m, dead_after: 30m}
  - {name: worker, owner: platform, stale_after: 5m, dead_after: 30m}
console:
  trace_url: "https://grafana.example/explore?traceId={trace_id}"
  request_url: "https://loki.example/search?q={request_id}"
`

// consoleWorld is a running server with consoleYAML and a signed-in browser.
func consoleWorld(t *testing.T, tg testdb.Target) (*env, *browser) {
	e := start(t, tg, withConfigFile(writeConfig(t, consoleYAML)))
	b := e.browser()
	b.mustSignIn(adminToken)
	return e, b
}

func (e *env) pushStatus(name, status, detail string) string {
	e.t.Helper()
	r := e.do("POST", "/v1/components/"+name+"/status", adminToken,
		fmt.Sprintf(`{"status":%q,"detail":%q,"observed_at":%q}`, status, detail, time.Now().UTC().Format(time.RFC3339Nano)))
	if r.status != 201 {
		e.t.Fatalf("push %s: %d %s", name, r.status, r.body)
	}
	return idOf(e.t, r.body)
}

// linkPattern is a link and its text, as the console's templates write them.
var linkPattern = regexp.MustCompile(`<a href="([^"]+)"[^>]*>([^<]*)</a>`)

// link returns the href of the first link in p whose text holds text.
func (p *page) link(t *testing.T, text string) string {
	t.Helper()
	for _, m := range linkPattern.FindAllStringSubmatch(p.body, -1) {
		if strings.Contains(html.UnescapeString(m[2]), text) {
			return html.UnescapeString(m[1])
		}
	}
	t.Fatalf("no link with %q in %s", text, p.body)
	return ""
}

func TestConsolePostureLinksEachReasonToItsRow(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e, b := consoleWorld(t, tg)
		for i := 0; i < 3; i++ {
			e.pushStatus("api", "healthy", "ok")
		}
		down := e.pushStatus("api", "down", "connection refused")
		e.pushStatus("worker", "degraded", "slow queue")
		rec := e.do("POST", "/v1/reconciliations", adminToken,
			`{"kind":"missing_record","severity":"high","owner":"billing","component":"worker","evidence":{"summary":"invoice 7 missing"}}`)
		if rec.status != 201 {
			t.Fatalf("reconciliation: %d %s", rec.status, rec.body)
		}
		recID := idOf(t, rec.body)

		p := b.get("/ui/")
		if p.status != 200 {
			t.Fatalf("posture: %d %s", p.status, p.body)
		}
		for _, want := range []string{
			`<h1 id="level"><span class="visually-hidden">Posture: </span>blocked</h1>`,
			"api (critical) reports down: connection refused",
			`aria-label="api: last 4 reports: 3 healthy, 1 down"`,
			`aria-label="worker: last 1 reports: 1 degraded"`,
			`<span class="badge sev-high">high</span> 1 open`,
			`<time datetime="`,
		} {
			if !strings.Contains(p.body, want) {
				t.Errorf("the posture page lacks %q", want)
			}
		}
		href := p.link(t, "component_status:"+down)
		if href != "/ui/component-reports/"+down {
			t.Errorf("the blocking reason links to %q", href)
		}
		row := b.get(href)
		if row.status != 200 || !strings.Contains(row.body, "connection refused") || !strings.Contains(row.body, "/v1/components/api/history/"+down) {
			t.Errorf("the reason's row: %d %s", row.status, row.body)
		}
		recHref := p.link(t, "missing_record on worker")
		if recHref != "/ui/reconciliations/"+recID {
			t.Errorf("the open record links to %q", recHref)
		}
		if r := b.get(recHref); r.status != 200 || !strings.Contains(r.body, "invoice 7 missing") {
			t.Errorf("the record's page: %d %s", r.status, r.body)
		}
		if r := b.get("/ui/component-reports/01a2351d-0522-7cab-9b12-221fb9b4d945"); r.status != 404 {
			t.Errorf("a report that does not exist: %d", r.status)
		}
	})
}

func TestConsoleAuditExplorerFiltersPagesAndPivots(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e, b := consoleWorld(t, tg)
		traceID := "4bf92f3577b34da6a3ce929d0e0e4736"
		for i, corr := range []string{"deploy-7", "deploy-7", "deploy-7", "other"} {
			ev := validEvent()
			ev["correlation_id"] = corr
			ev["target_id"] = fmt.Sprintf("key-%d", i)
			r := e.do("POST", "/v1/audit/events", adminToken, ev,
				"Traceparent", "00-"+traceID+"-00f067aa0ba902b7-01", "X-Request-Id", "req:42.7")
			if r.status != 201 {
				t.Fatalf("emit: %d %s", r.status, r.body)
			}
		}
		p := b.get("/ui/audit?correlation_id=deploy-7&limit=2")
		if p.status != 200 || strings.Count(p.body, `<td class="summary">`) != 2 {
			t.Fatalf("first page: %d, %d rows", p.status, strings.Count(p.body, `<td class="summary">`))
		}
		if !strings.Contains(p.body, `value="deploy-7"`) || !strings.Contains(p.body, "key_name: deploy") {
			t.Errorf("the filter form or the safe details are missing: %s", p.body)
		}
		next := p.link(t, "Older events")
		if !strings.Contains(next, "cursor=") || !strings.Contains(next, "correlation_id=deploy-7") {
			t.Errorf("next link %q", next)
		}
		p2 := b.get(next)
		if p2.status != 200 || strings.Count(p2.body, `<td class="summary">`) != 1 || strings.Contains(p2.body, "Older events") {
			t.Errorf("second page: %d, %d rows", p2.status, strings.Count(p2.body, `<td class="summary">`))
		}
		if q := b.get("/ui/audit?q=key-3"); strings.Count(q.body, `<td class="summary">`) != 1 {
			t.Errorf("q=key-3: %d rows", strings.Count(q.body, `<td class="summary">`))
		}
		bad := b.get("/ui/audit?since=yesterday&result=maybe")
		if bad.status != 400 || !strings.Contains(bad.body, "<code>since</code>") || !strings.Contains(bad.body, "<code>result</code>") {
			t.Errorf("invalid filters: %d %s", bad.status, bad.body)
		}

		ev := b.get(p.link(t, "rotated"))
		if ev.status != 200 {
			t.Fatalf("event page: %d %s", ev.status, ev.body)
		}
		for label, want := range map[string]string{
			"deploy-7": "/ui/audit?correlation_id=deploy-7",
			"alice":    "/ui/audit?actor_user_id=alice",
			traceID:    "https://grafana.example/explore?traceId=" + traceID,
			"req:42.7": "https://loki.example/search?q=req%3A42.7",
		} {
			if got := ev.link(t, label); got != want {
				t.Errorf("pivot %s links to %q, want %q", label, got, want)
			}
		}
		corr := b.get(ev.link(t, "deploy-7"))
		if strings.Count(corr.body, `<td class="summary">`) != 3 {
			t.Errorf("the correlation pivot shows %d events, want 3", strings.Count(corr.body, `<td class="summary">`))
		}
		if r := b.get("/ui/audit/01a2351d-0522-7cab-9b12-221fb9b4d945"); r.status != 404 {
			t.Errorf("an unknown event: %d", r.status)
		}
	})
}
