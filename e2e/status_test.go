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

// A component's reason is dated from the first of the reports in a row
// that carry its status, not from the latest one.
func TestStatusSinceIsTheFirstReportOfARun(t *testing.T) {
	t.Parallel()
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
