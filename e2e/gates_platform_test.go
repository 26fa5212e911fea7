package e2e

// Gate rules that judge the platform as it stands: component status and
// open reconciliation records.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/testdb"
)

// statusGateYAML holds a release gate over component status and open
// reconciliation records only, so each case decides both outcomes itself.
const statusGateYAML = componentsYAML + `gates:
  - name: release
    rules:
      - {components: [api, worker]}
      - {reconciliation: {max_open_severity: medium}}
`

// push reports a component's status as observed now by the test clock and
// returns the report's id.
func (rl *release) push(name, status string) string {
	rl.t.Helper()
	r := rl.e.do("POST", "/v1/components/"+name+"/status", adminToken,
		fmt.Sprintf(`{"status":%q,"observed_at":%q}`, status, rl.clk.now().UTC().Format(time.RFC3339Nano)))
	if r.status != 201 {
		rl.t.Fatalf("push %s: %d %s", name, r.status, r.body)
	}
	var rep struct{ ID string }
	r.json(rl.t, &rep)
	return rep.ID
}

// healthy has both components report healthy now.
func (rl *release) healthy() {
	rl.push("api", "healthy")
	rl.push("worker", "healthy")
}

// drift records an open reconciliation record on api and returns its id.
func (rl *release) drift(severity string) string {
	rl.t.Helper()
	r := rl.e.do("POST", "/v1/reconciliations", adminToken, fmt.Sprintf(
		`{"component":"api","kind":"drift","severity":%q,"owner":"platform","evidence":{"summary":"replica count drifted"}}`, severity))
	if r.status != 201 {
		rl.t.Fatalf("drift: %d %s", r.status, r.body)
	}
	var rec struct{ ID string }
	r.json(rl.t, &rec)
	return rec.ID
}

// move walks a record one step.
func (rl *release) move(id, body string) {
	rl.t.Helper()
	if r := rl.e.do("POST", "/v1/reconciliations/"+id+"/transitions", adminToken, body); r.status != 200 {
		rl.t.Fatalf("move %s: %d %s", body, r.status, r.body)
	}
}

// accept accepts a record until d from now by the test clock.
func (rl *release) accept(id string, d time.Duration) {
	rl.move(id, fmt.Sprintf(`{"state":"accepted","reason":"quota request filed","accepted_until":%q}`,
		rl.clk.now().Add(d).UTC().Format(time.RFC3339)))
}

func TestEveryComponentAndReconciliationOutcome(t *testing.T) {
	t.Parallel() // a server and database of its own, no clock boundaries
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		for _, tc := range []struct {
			name  string
			setup func(rl *release) []string // the refs the reasons must carry
			want  string
			// detail, when set, must appear in the detail of the rule
			// that did not pass.
			detail string
		}{
			{"healthy components and no drift pass", func(rl *release) []string {
				return []string{"component_status:" + rl.push("api", "healthy"), "component_status:" + rl.push("worker", "healthy")}
			}, "pass: components=pass, reconciliation=pass", ""},
			{"a stale component warns", func(rl *release) []string {
				rl.healthy()
				rl.clk.advance(2 * time.Minute) // worker: stale_after 1m; api: 5m
				return nil
			}, "pass: components=warn, reconciliation=pass", "worker is stale (no report for 2m, past stale_after 1m)"},
			{"a degraded component warns", func(rl *release) []string {
				rl.push("api", "degraded")
				rl.push("worker", "healthy")
				return nil
			}, "pass: components=warn, reconciliation=pass", "api is degraded"},
			{"a critical component reported down blocks", func(rl *release) []string {
				rl.push("api", "down")
				rl.push("worker", "healthy")
				return nil
			}, "block: components=block, reconciliation=pass", "api is down (reported down"},
			{"a component dead by the clock blocks", func(rl *release) []string {
				rl.push("api", "healthy")
				rl.clk.advance(31 * time.Minute) // api: dead_after 30m
				rl.push("worker", "healthy")
				return nil
			}, "block: components=block, reconciliation=pass", "api is down (no report for 31m, past dead_after 30m)"},
			{"a component that never reported blocks", func(rl *release) []string {
				rl.push("api", "healthy")
				return nil
			}, "block: components=block, reconciliation=pass", "worker has never reported"},
			{"a low record under medium warns", func(rl *release) []string {
				rl.healthy()
				return []string{"reconciliation:" + rl.drift("low")}
			}, "pass: components=pass, reconciliation=warn", "1 record open at or below medium"},
			{"a high record blocks", func(rl *release) []string {
				rl.healthy()
				return []string{"reconciliation:" + rl.drift("high")}
			}, "block: components=pass, reconciliation=block", "1 record above medium or in state blocked"},
			{"a blocked low record blocks", func(rl *release) []string {
				rl.healthy()
				id := rl.drift("low")
				rl.move(id, `{"state":"blocked","next_action":"raise quota","next_action_owner":"infra"}`)
				return []string{"reconciliation:" + id}
			}, "block: components=pass, reconciliation=block", "(low drift on api, blocked)"},
			{"a high record accepted until tomorrow passes", func(rl *release) []string {
				rl.healthy()
				rl.accept(rl.drift("high"), 24*time.Hour)
				return nil
			}, "pass: components=pass, reconciliation=pass", ""},
			{"a high record whose acceptance expired blocks", func(rl *release) []string {
				rl.accept(rl.drift("high"), 24*time.Hour)
				rl.clk.advance(25 * time.Hour)
				rl.healthy()
				return nil
			}, "block: components=pass, reconciliation=block", "expired"},
			{"a low record whose acceptance expired warns", func(rl *release) []string {
				rl.accept(rl.drift("low"), 24*time.Hour)
				rl.clk.advance(25 * time.Hour)
				rl.healthy()
				return nil
			}, "pass: components=pass, reconciliation=warn", "expired"},
			{"a resolved record passes", func(rl *release) []string {
				rl.healthy()
				rl.move(rl.drift("critical"), `{"state":"resolved","reason":"replicas restored"}`)
				return nil
			}, "pass: components=pass, reconciliation=pass", ""},
			{"a waiver excuses the components rule", func(rl *release) []string {
				rl.push("api", "down")
				rl.push("worker", "healthy")
				rl.waive("components", 24*time.Hour)
				return nil
			}, "pass: components=waived, reconciliation=pass", "api is down (reported down"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				clk := &clock{}
				sub := tg
				sub.DataDir = t.TempDir()
				if tg.Dialect == "postgres" {
					sub = testdb.Postgres(t)
				}
				e := start(t, sub, withConfigFile(writeConfig(t, statusGateYAML)), withClock(clk))
				rl := &release{t: t, e: e, clk: clk, subject: "api@v1"}
				refs := tc.setup(rl)
				res := e.evaluate(t, rl.subject)
				if got := outcomes(res); got != tc.want {
					t.Errorf("got  %s\nwant %s", got, tc.want)
				}
				var details, all []string
				for _, r := range res.Reasons {
					if r.Outcome != "pass" {
						details = append(details, r.Detail)
					}
					all = append(all, r.Refs...)
				}
				if tc.detail != "" && !strings.Contains(strings.Join(details, "\n"), tc.detail) {
					t.Errorf("details %q, want one containing %q", details, tc.detail)
				}
				for _, ref := range refs {
					if !strings.Contains(strings.Join(all, " "), ref) {
						t.Errorf("refs %v, want %s among them", all, ref)
					}
				}
			})
		}
	})
}
