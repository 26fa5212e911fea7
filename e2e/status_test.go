package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/testdb"
)

// postureYAML is a small platform: a critical api and a worker, a critical
// required invariant and an optional one, a posture gate over security
// evidence and guards, and a gate that does not affect posture.
const postureYAML = `invariants:
  - {id: INV-BILLING-001, title: Invoices balance, owner: billing, severity: high, critical: true, required: true, max_age: 24h}
  - {id: INV-SEARCH-001, title: Search answers, owner: search, severity: medium, max_age: 1h}
components:
  - {name: api, owner: platform, critical: true, stale_after: 5m, dead_after: 30m}
  - {name: worker, owner: platform, stale_after: 1m, dead_after: 10m}
gates:
  - name: release
    affects_posture: true
    rules:
      - {evidence: {kind: security, max_age: 168h, block_age: 336h}}
      - {guards: blocking}
  - name: canary
    rules:
      - {invariants: [INV-SEARCH-001]}
status:
  environment: production
`

type statusReason struct {
	Source    string     `json:"source"`
	Ref       string     `json:"ref"`
	Level     string     `json:"level"`
	Message   string     `json:"message"`
	Since     *time.Time `json:"since"`
	Component string     `json:"component"`
}

type statusView struct {
	Kind       string         `json:"kind"`
	Posture    string         `json:"posture"`
	Reasons    []statusReason `json:"reasons"`
	Components []struct {
		Name      string         `json:"name"`
		Status    string         `json:"status"`
		Freshness string         `json:"freshness"`
		Posture   string         `json:"posture"`
		Reasons   []statusReason `json:"reasons"`
	} `json:"components"`
	OpenReconciliations map[string]int `json:"open_reconciliations"`
	InputsDigest        string         `json:"inputs_digest"`
	Snapshot            *struct {
		ID, Cause, Note, Posture string
	} `json:"snapshot"`
}

// world drives a platform described by postureYAML through the API.
type world struct {
	t        *testing.T
	e        *env
	clk      *clock
	observed map[string]time.Time // each component's latest observed_at
}

func newWorld(t *testing.T, tg testdb.Target) *world {
	clk := &clock{}
	return &world{t: t, e: start(t, tg, withConfigFile(writeConfig(t, postureYAML)), withClock(clk)), clk: clk,
		observed: map[string]time.Time{}}
}

// now is the fake clock at the precision the server keeps, so times the
// test sends are the times it gets back.
func (w *world) now() time.Time { return w.clk.now().UTC().Truncate(time.Microsecond) }

func (w *world) post(path, body string, want int) []byte {
	w.t.Helper()
	r := w.e.do("POST", path, adminToken, body)
	if r.status != want {
		w.t.Fatalf("POST %s: %d %s", path, r.status, r.body)
	}
	return r.body
}

func idOf(t *testing.T, body []byte) string {
	t.Helper()
	m := regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no id in %s", body)
	}
	return string(m[1])
}

// push reports a component's status observed now; it returns the report id.
func (w *world) push(name, status, detail string) string {
	w.t.Helper()
	at := w.now()
	w.observed[name] = at
	return idOf(w.t, w.post("/v1/components/"+name+"/status",
		fmt.Sprintf(`{"status":%q,"detail":%q,"observed_at":%q}`, status, detail, at.Format(time.RFC3339Nano)), 201))
}

// result reports an invariant result observed now.
func (w *world) result(id, status, env string) string {
	w.t.Helper()
	return idOf(w.t, w.post("/v1/invariants/"+id+"/results",
		fmt.Sprintf(`{"status":%q,"environment":%q,"observed_at":%q}`, status, env, w.now().Format(time.RFC3339Nano)), 201))
}

// seal seals a security bundle for subject name@ref.
func (w *world) seal(name, ref string) string {
	w.t.Helper()
	id := idOf(w.t, w.post("/v1/evidence/bundles", fmt.Sprintf(`{"kind":"security","subject":{"name":%q,"ref":%q},"title":"scan"}`, name, ref), 201))
	w.post("/v1/evidence/bundles/"+id+"/items", `{"type":"scan","name":"deps","result":"pass"}`, 201)
	w.post("/v1/evidence/bundles/"+id+"/seal", ``, 200)
	return id
}

func (w *world) guard(name, mode string, findings int) string {
	w.t.Helper()
	return w.guardFor(name, "api@v1", mode, findings)
}

func (w *world) guardFor(name, subject, mode string, findings int) string {
	w.t.Helper()
	var fs []string
	for i := 0; i < findings; i++ {
		fs = append(fs, fmt.Sprintf(`{"rule_id":"R%d","severity":"high"}`, i))
	}
	return idOf(w.t, w.post("/v1/guards/"+name+"/reports",
		fmt.Sprintf(`{"subject":%q,"mode":%q,"findings":[%s]}`, subject, mode, strings.Join(fs, ",")), 201))
}

func (w *world) record(component, severity, summary string) string {
	w.t.Helper()
	return idOf(w.t, w.post("/v1/reconciliations", fmt.Sprintf(`{"component":%q,"kind":"drift","severity":%q,"owner":"platform",
		"evidence":{"summary":%q}}`, component, severity, summary), 201))
}

func (w *world) move(id, body string) {
	w.t.Helper()
	w.post("/v1/reconciliations/"+id+"/transitions", body, 200)
}

func (w *world) evaluate(gate, subject string) string {
	w.t.Helper()
	return idOf(w.t, w.post("/v1/gates/"+gate+"/evaluate", fmt.Sprintf(`{"subject":%q}`, subject), 201))
}

func (w *world) status() statusView {
	w.t.Helper()
	r := w.e.do("GET", "/v1/status", adminToken, nil)
	if r.status != 200 {
		w.t.Fatalf("GET /v1/status: %d %s", r.status, r.body)
	}
	var v statusView
	r.json(w.t, &v)
	return v
}

// healthy makes every rule hold: both components report healthy, the
// required invariant passes in production, security evidence is sealed.
func (w *world) healthy() {
	w.t.Helper()
	w.push("api", "healthy", "")
	w.push("worker", "healthy", "")
	w.result("INV-BILLING-001", "pass", "production")
	w.seal("api", "v1")
}

// advance moves the clock on and has everything not listed in held report
// again, so only what a case holds back ages.
func (w *world) advance(d time.Duration, held ...string) {
	w.t.Helper()
	w.clk.advance(d)
	isHeld := func(s string) bool {
		for _, h := range held {
			if h == s {
				return true
			}
		}
		return false
	}
	for _, c := range []string{"api", "worker"} {
		if !isHeld(c) {
			w.push(c, "healthy", "")
		}
	}
	if !isHeld("INV-BILLING-001") {
		w.result("INV-BILLING-001", "pass", "production")
	}
}

var stampPattern = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)

// summary writes a posture as one line per reason: level, source, the kind
// of row it points at, and the message with its times written as T.
func summary(v statusView) string {
	lines := []string{v.Posture}
	for _, r := range v.Reasons {
		kind, _, _ := strings.Cut(r.Ref, ":")
		lines = append(lines, fmt.Sprintf("%s %s %s: %s", r.Level, r.Source, kind, stampPattern.ReplaceAllString(r.Message, "T")))
	}
	return strings.Join(lines, "\n")
}

type postureCase struct {
	name  string
	setup func(w *world)
	want  []string // the posture, then one summary line per reason
}

// runPostureCases runs each case on a fresh platform on both databases.
func runPostureCases(t *testing.T, cases []postureCase) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				sub := tg
				sub.DataDir = t.TempDir()
				if tg.Dialect == "postgres" {
					sub = testdb.Postgres(t)
				}
				w := newWorld(t, sub)
				tc.setup(w)
				if got, want := summary(w.status()), strings.Join(tc.want, "\n"); got != want {
					t.Errorf("got\n%s\nwant\n%s", got, want)
				}
			})
		}
	})
}

func TestPostureComponents(t *testing.T) {
	runPostureCases(t, []postureCase{
		{"every component healthy and fresh", func(w *world) { w.healthy() }, []string{"healthy"}},
		{"a component that never reported", func(w *world) {
			w.push("api", "healthy", "")
			w.result("INV-BILLING-001", "pass", "production")
			w.seal("api", "v1")
		}, []string{"degraded", "degraded component component: worker has never reported its status"}},
		{"degraded is degraded", func(w *world) {
			w.healthy()
			w.push("worker", "degraded", "queue lag 40s")
		}, []string{"degraded", "degraded component component_status: worker reports degraded: queue lag 40s"}},
		{"unknown is degraded", func(w *world) {
			w.healthy()
			w.push("worker", "unknown", "")
		}, []string{"degraded", "degraded component component_status: worker reports unknown"}},
		{"down is degraded", func(w *world) {
			w.healthy()
			w.push("worker", "down", "")
		}, []string{"degraded", "degraded component component_status: worker reports down"}},
		{"down and critical is blocked", func(w *world) {
			w.healthy()
			w.push("api", "down", "db unreachable")
		}, []string{"blocked", "blocked component component_status: api (critical) reports down: db unreachable"}},
		// The fake clock runs on real time too: each boundary is crossed
		// with a second to spare on either side.
		{"just under stale_after", func(w *world) {
			w.healthy()
			w.advance(5*time.Minute-time.Second, "api")
		}, []string{"healthy"}},
		{"just over stale_after is degraded", func(w *world) {
			w.healthy()
			w.advance(5*time.Minute+time.Second, "api")
		}, []string{"degraded", "degraded component component_status: api (critical) has not reported since T, past stale_after 5m"}},
		{"stale and reporting degraded gives both", func(w *world) {
			w.healthy()
			w.push("api", "degraded", "slow")
			w.advance(6*time.Minute, "api")
		}, []string{"degraded",
			"degraded component component_status: api (critical) reports degraded: slow",
			"degraded component component_status: api (critical) has not reported since T, past stale_after 5m"}},
		{"just under dead_after is still only stale", func(w *world) {
			w.healthy()
			w.advance(30*time.Minute-time.Second, "api")
		}, []string{"degraded", "degraded component component_status: api (critical) has not reported since T, past stale_after 5m"}},
		{"just over dead_after is down: blocked for a critical component", func(w *world) {
			w.healthy()
			w.advance(30*time.Minute+time.Second, "api")
		}, []string{"blocked", "blocked component component_status: api (critical) has not reported since T, past dead_after 30m: treated as down"}},
		{"dead and not critical is degraded", func(w *world) {
			w.healthy()
			w.advance(10*time.Minute+time.Second, "worker")
		}, []string{"degraded", "degraded component component_status: worker has not reported since T, past dead_after 10m: treated as down"}},
		{"a fresh healthy report clears it", func(w *world) {
			w.healthy()
			w.push("api", "down", "")
			w.advance(time.Minute)
		}, []string{"healthy"}},
	})
}

func TestPostureInvariants(t *testing.T) {
	runPostureCases(t, []postureCase{
		{"passing", func(w *world) { w.healthy() }, []string{"healthy"}},
		{"failing and critical is blocked", func(w *world) {
			w.healthy()
			w.result("INV-BILLING-001", "fail", "production")
		}, []string{"blocked", "blocked invariant invariant_result: INV-BILLING-001 (Invoices balance) is failing in production: result fail observed at T"}},
		{"an error counts as failing", func(w *world) {
			w.healthy()
			w.result("INV-BILLING-001", "error", "production")
		}, []string{"blocked", "blocked invariant invariant_result: INV-BILLING-001 (Invoices balance) is failing in production: result error observed at T"}},
		{"failing and not critical is degraded", func(w *world) {
			w.healthy()
			w.result("INV-SEARCH-001", "fail", "production")
		}, []string{"degraded", "degraded invariant invariant_result: INV-SEARCH-001 (Search answers) is failing in production: result fail observed at T"}},
		{"failing in another environment does not count", func(w *world) {
			w.healthy()
			w.result("INV-BILLING-001", "fail", "staging")
		}, []string{"healthy"}},
		{"just under max_age", func(w *world) {
			w.healthy()
			w.advance(24*time.Hour-time.Second, "INV-BILLING-001")
		}, []string{"healthy"}},
		{"just over max_age is degraded", func(w *world) {
			w.healthy()
			w.advance(24*time.Hour+time.Second, "INV-BILLING-001")
		}, []string{"degraded", "degraded invariant invariant_result: INV-BILLING-001 (Invoices balance) last passed in production at T, past max_age 24h"}},
		{"unproven and required is degraded", func(w *world) {
			w.push("api", "healthy", "")
			w.push("worker", "healthy", "")
			w.seal("api", "v1")
		}, []string{"degraded", "degraded invariant invariant: INV-BILLING-001 (Invoices balance) is required and has no result in production"}},
		{"unproven and not required counts for nothing", func(w *world) {
			w.healthy() // INV-SEARCH-001 never reports
		}, []string{"healthy"}},
	})
}

func TestPostureEvidence(t *testing.T) {
	const by = "(required by gate release rule evidence-security)"
	runPostureCases(t, []postureCase{
		{"fresh evidence", func(w *world) { w.healthy() }, []string{"healthy"}},
		{"no evidence is unproven: degraded", func(w *world) {
			w.push("api", "healthy", "")
			w.push("worker", "healthy", "")
			w.result("INV-BILLING-001", "pass", "production")
		}, []string{"degraded", "degraded evidence gate_rule: no sealed security evidence " + by}},
		{"just under max_age", func(w *world) {
			w.healthy()
			w.advance(168*time.Hour - time.Second)
		}, []string{"healthy"}},
		{"just over max_age is degraded", func(w *world) {
			w.healthy()
			w.advance(168*time.Hour + time.Second)
		}, []string{"degraded", "degraded evidence bundle: the newest security evidence (api@v1) was sealed at T, past max_age 168h " + by}},
		{"just under block_age is still degraded", func(w *world) {
			w.healthy()
			w.advance(336*time.Hour - time.Second)
		}, []string{"degraded", "degraded evidence bundle: the newest security evidence (api@v1) was sealed at T, past max_age 168h " + by}},
		{"just over block_age is blocked", func(w *world) {
			w.healthy()
			w.advance(336*time.Hour + time.Second)
		}, []string{"blocked", "blocked evidence bundle: the newest security evidence (api@v1) was sealed at T, past block_age 336h " + by}},
		{"a superseded bundle is no proof while its correction is open", func(w *world) {
			w.push("api", "healthy", "")
			w.push("worker", "healthy", "")
			w.result("INV-BILLING-001", "pass", "production")
			id := w.seal("api", "v1")
			w.post("/v1/evidence/bundles/"+id+"/supersede", `{"reason":"the scan missed a dependency"}`, 201)
		}, []string{"degraded", "degraded evidence gate_rule: no sealed security evidence " + by}},
		{"newer evidence of any subject renews it", func(w *world) {
			w.healthy()
			w.advance(200 * time.Hour)
			w.seal("web", "v7")
		}, []string{"healthy"}},
	})
}

func TestPostureGates(t *testing.T) {
	runPostureCases(t, []postureCase{
		{"a passing posture gate", func(w *world) {
			w.healthy()
			w.evaluate("release", "api@v1")
		}, []string{"healthy"}},
		{"a blocked posture gate is blocked", func(w *world) {
			w.healthy()
			w.evaluate("release", "web@v2") // no evidence for web@v2
		}, []string{"blocked", "blocked gate gate_result: gate release blocked web@v2 at T (evidence-security)"}},
		{"a later result for the same subject name replaces it", func(w *world) {
			w.healthy()
			w.evaluate("release", "web@v2")
			w.seal("web", "v3")
			w.evaluate("release", "web@v3")
		}, []string{"healthy"}},
		{"a pass for another subject does not hide it", func(w *world) {
			w.healthy()
			w.evaluate("release", "web@v2")
			w.evaluate("release", "api@v1")
		}, []string{"blocked", "blocked gate gate_result: gate release blocked web@v2 at T (evidence-security)"}},
		{"a gate that does not affect posture counts for nothing", func(w *world) {
			w.healthy()
			w.evaluate("canary", "api@v1") // INV-SEARCH-001 is unproven: blocks
		}, []string{"healthy"}},
	})
}

func TestPostureGuards(t *testing.T) {
	runPostureCases(t, []postureCase{
		{"blocking mode with open findings is blocked", func(w *world) {
			w.healthy()
			w.guard("policy", "blocking", 2)
		}, []string{"blocked", "blocked guard guard_report: guard policy (blocking) has 2 open findings for api@v1: 2 high"}},
		{"warn mode with open findings is degraded", func(w *world) {
			w.healthy()
			w.guard("lint", "warn", 1)
		}, []string{"degraded", "degraded guard guard_report: guard lint (warn) has 1 open findings for api@v1: 1 high"}},
		{"report_only counts for nothing", func(w *world) {
			w.healthy()
			w.guard("lint", "report_only", 5)
		}, []string{"healthy"}},
		{"no findings", func(w *world) {
			w.healthy()
			w.guard("policy", "blocking", 0)
		}, []string{"healthy"}},
		{"a clean report for another subject does not hide findings", func(w *world) {
			w.healthy()
			w.guardFor("policy", "web@v1", "blocking", 1)
			w.clk.advance(time.Second)
			w.guardFor("policy", "api@v2", "blocking", 0)
		}, []string{"blocked", "blocked guard guard_report: guard policy (blocking) has 1 open findings for web@v1: 1 high"}},
		{"the latest report of a guard decides", func(w *world) {
			w.healthy()
			w.guard("policy", "blocking", 2)
			w.clk.advance(time.Second)
			w.guard("policy", "blocking", 0)
		}, []string{"healthy"}},
	})
}

func TestPostureReconciliation(t *testing.T) {
	tomorrow := func(w *world) string { return w.now().Add(24 * time.Hour).Format(time.RFC3339) }
	runPostureCases(t, []postureCase{
		{"low is degraded", func(w *world) {
			w.healthy()
			w.record("worker", "low", "a stale cache entry")
		}, []string{"degraded", "degraded reconciliation reconciliation: drift on worker (low, owner platform) is detected: a stale cache entry"}},
		{"medium is degraded", func(w *world) {
			w.healthy()
			w.record("api", "medium", "one replica short")
		}, []string{"degraded", "degraded reconciliation reconciliation: drift on api (medium, owner platform) is detected: one replica short"}},
		{"high is blocked", func(w *world) {
			w.healthy()
			w.record("api", "high", "replicas 2, want 3")
		}, []string{"blocked", "blocked reconciliation reconciliation: drift on api (high, owner platform) is detected: replicas 2, want 3"}},
		{"critical is blocked", func(w *world) {
			w.healthy()
			w.record("api", "critical", "TLS certificate mismatch")
		}, []string{"blocked", "blocked reconciliation reconciliation: drift on api (critical, owner platform) is detected: TLS certificate mismatch"}},
		{"state blocked is blocked whatever the severity", func(w *world) {
			w.healthy()
			id := w.record("worker", "low", "orphaned volume")
			w.move(id, `{"state":"blocked","next_action":"ask storage to release it","next_action_owner":"storage"}`)
		}, []string{"blocked", `blocked reconciliation reconciliation: drift on worker (low, owner platform) is blocked: next action "ask storage to release it" by storage`}},
		{"accepted and unexpired counts for nothing, and says so", func(w *world) {
			w.healthy()
			id := w.record("api", "high", "replicas 2, want 3")
			w.move(id, fmt.Sprintf(`{"state":"accepted","reason":"capacity freeze","accepted_until":%q}`, tomorrow(w)))
		}, []string{"healthy", "healthy reconciliation reconciliation: drift on api (high, owner platform) is accepted until T"}},
		{"an expired acceptance counts again", func(w *world) {
			w.healthy()
			id := w.record("api", "high", "replicas 2, want 3")
			w.move(id, fmt.Sprintf(`{"state":"accepted","reason":"capacity freeze","accepted_until":%q}`, tomorrow(w)))
			w.advance(24*time.Hour + time.Second)
		}, []string{"blocked", "blocked reconciliation reconciliation: drift on api (high, owner platform) was accepted until T; the acceptance has expired"}},
		{"resolved counts for nothing", func(w *world) {
			w.healthy()
			id := w.record("api", "high", "replicas 2, want 3")
			w.move(id, `{"state":"resolved"}`)
		}, []string{"healthy"}},
	})
}

// A component's reason is dated from the first of the reports in a row
// that carry its status, not from the latest one.
func TestStatusSinceIsTheFirstReportOfARun(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		w := newWorld(t, tg)
		w.healthy()
		sinceOf := func() string {
			t.Helper()
			for _, r := range w.status().Reasons {
				if r.Component == "worker" && r.Since != nil {
					return r.Since.UTC().Format(time.RFC3339)
				}
			}
			return "none"
		}
		w.push("worker", "degraded", "lag")
		first := w.observed["worker"].Truncate(time.Second)
		w.clk.advance(30 * time.Second)
		w.push("worker", "degraded", "lag")
		if got := sinceOf(); got != first.Format(time.RFC3339) {
			t.Errorf("degraded twice: since %s, want %s", got, first.Format(time.RFC3339))
		}
		w.clk.advance(30 * time.Second)
		w.push("worker", "healthy", "")
		if got := sinceOf(); got != "none" {
			t.Errorf("healthy again: since %s", got)
		}
		w.clk.advance(30 * time.Second)
		w.push("worker", "degraded", "lag")
		again := w.observed["worker"].Truncate(time.Second)
		if got := sinceOf(); got != again.Format(time.RFC3339) {
			t.Errorf("degraded again: since %s, want %s", got, again.Format(time.RFC3339))
		}
	})
}
