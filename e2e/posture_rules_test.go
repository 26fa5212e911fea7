package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/testdb"
)

// One table per rule of the posture, each case on a fresh platform on both
// databases; runPostureCases compares the whole posture with want.

func TestPostureComponents(t *testing.T) {
	t.Parallel()
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
		// The clock moves only when told: each boundary is met exactly,
		// then passed by a millisecond.
		{"at stale_after", func(w *world) {
			w.healthy()
			w.advance(5*time.Minute, "api")
		}, []string{"healthy"}},
		{"just over stale_after is degraded", func(w *world) {
			w.healthy()
			w.advance(5*time.Minute+time.Millisecond, "api")
		}, []string{"degraded", "degraded component component_status: api (critical) has not reported since T, past stale_after 5m"}},
		{"stale and reporting degraded gives both", func(w *world) {
			w.healthy()
			w.push("api", "degraded", "slow")
			w.advance(6*time.Minute, "api")
		}, []string{"degraded",
			"degraded component component_status: api (critical) reports degraded: slow",
			"degraded component component_status: api (critical) has not reported since T, past stale_after 5m"}},
		{"at dead_after is still only stale", func(w *world) {
			w.healthy()
			w.advance(30*time.Minute, "api")
		}, []string{"degraded", "degraded component component_status: api (critical) has not reported since T, past stale_after 5m"}},
		{"just over dead_after is down: blocked for a critical component", func(w *world) {
			w.healthy()
			w.advance(30*time.Minute+time.Millisecond, "api")
		}, []string{"blocked", "blocked component component_status: api (critical) has not reported since T, past dead_after 30m: treated as down"}},
		{"dead and not critical is degraded", func(w *world) {
			w.healthy()
			w.advance(10*time.Minute+time.Millisecond, "worker")
		}, []string{"degraded", "degraded component component_status: worker has not reported since T, past dead_after 10m: treated as down"}},
		{"a fresh healthy report clears it", func(w *world) {
			w.healthy()
			w.push("api", "down", "")
			w.advance(time.Minute)
		}, []string{"healthy"}},
	})
}

func TestPostureInvariants(t *testing.T) {
	t.Parallel()
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
		{"a run of failures is failing since its first", func(w *world) {
			w.healthy()
			w.advance(time.Minute, "INV-BILLING-001")
			w.result("INV-BILLING-001", "fail", "production")
			w.advance(time.Minute, "INV-BILLING-001")
			w.result("INV-BILLING-001", "error", "production")
		}, []string{"blocked", "blocked invariant invariant_result: INV-BILLING-001 (Invoices balance) is failing in production: result error observed at T, failing since T"}},
		{"failing and not critical is degraded", func(w *world) {
			w.healthy()
			w.result("INV-SEARCH-001", "fail", "production")
		}, []string{"degraded", "degraded invariant invariant_result: INV-SEARCH-001 (Search answers) is failing in production: result fail observed at T"}},
		{"failing in another environment does not count", func(w *world) {
			w.healthy()
			w.result("INV-BILLING-001", "fail", "staging")
		}, []string{"healthy"}},
		{"at max_age", func(w *world) {
			w.healthy()
			w.advance(24*time.Hour, "INV-BILLING-001")
		}, []string{"healthy"}},
		{"just over max_age is degraded", func(w *world) {
			w.healthy()
			w.advance(24*time.Hour+time.Millisecond, "INV-BILLING-001")
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
	t.Parallel()
	const by = "(required by gate release rule evidence-security)"
	runPostureCases(t, []postureCase{
		{"fresh evidence", func(w *world) { w.healthy() }, []string{"healthy"}},
		{"no evidence is unproven: degraded", func(w *world) {
			w.push("api", "healthy", "")
			w.push("worker", "healthy", "")
			w.result("INV-BILLING-001", "pass", "production")
		}, []string{"degraded", "degraded evidence gate_rule: no sealed security evidence " + by}},
		{"at max_age", func(w *world) {
			w.healthy()
			w.advance(168 * time.Hour)
		}, []string{"healthy"}},
		{"just over max_age is degraded", func(w *world) {
			w.healthy()
			w.advance(168*time.Hour + time.Millisecond)
		}, []string{"degraded", "degraded evidence bundle: the newest security evidence (api@v1) was sealed at T, past max_age 168h " + by}},
		{"at block_age is still degraded", func(w *world) {
			w.healthy()
			w.advance(336 * time.Hour)
		}, []string{"degraded", "degraded evidence bundle: the newest security evidence (api@v1) was sealed at T, past max_age 168h " + by}},
		{"just over block_age is blocked", func(w *world) {
			w.healthy()
			w.advance(336*time.Hour + time.Millisecond)
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
	t.Parallel()
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
	t.Parallel()
	runPostureCases(t, []postureCase{
		{"blocking mode with open findings is blocked", func(w *world) {
			w.healthy()
			w.guard("policy", "blocking", 2)
		}, []string{"blocked", "blocked guard guard_report: guard policy (blocking) has 2 open findings for api@v1: 2 high"}},
		{"warn mode with open findings is degraded", func(w *world) {
			w.healthy()
			w.guard("lint", "warn", 1)
		}, []string{"degraded", "degraded guard guard_report: guard lint (warn) has 1 open finding for api@v1: 1 high"}},
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
		}, []string{"blocked", "blocked guard guard_report: guard policy (blocking) has 1 open finding for web@v1: 1 high"}},
		{"the latest report of a guard decides", func(w *world) {
			w.healthy()
			w.guard("policy", "blocking", 2)
			w.clk.advance(time.Second)
			w.guard("policy", "blocking", 0)
		}, []string{"healthy"}},
	})
}

func TestPostureReconciliation(t *testing.T) {
	t.Parallel()
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

// A failing invariant's reason is since the run of failures began, not
// since its newest report: a consumer alerting on "failing for an hour"
// sees the hour, however often the check reports.
func TestAFailingInvariantIsFailingSinceTheRunBegan(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		w := newWorld(t, tg)
		w.healthy()
		w.advance(time.Minute, "INV-BILLING-001")
		began := w.now()
		w.result("INV-BILLING-001", "fail", "production")
		w.advance(time.Minute, "INV-BILLING-001")
		w.result("INV-BILLING-001", "fail", "production")
		since := func() *time.Time {
			for _, r := range w.status().Reasons {
				if strings.Contains(r.Message, "INV-BILLING-001") {
					return r.Since
				}
			}
			t.Fatal("no reason names INV-BILLING-001")
			return nil
		}
		if got := since(); got == nil || !got.Equal(began) {
			t.Errorf("since %v, want the first failure at %s", got, began)
		}
		// A pass ends the run; the next failure starts another.
		w.advance(time.Minute, "INV-BILLING-001")
		w.result("INV-BILLING-001", "pass", "production")
		w.advance(time.Minute, "INV-BILLING-001")
		again := w.now()
		w.result("INV-BILLING-001", "fail", "production")
		if got := since(); got == nil || !got.Equal(again) {
			t.Errorf("after a pass: since %v, want the new failure at %s", got, again)
		}
		// A pass that does not count (its bundle still open) neither ends
		// the run nor starts it.
		var b struct{ ID string }
		if err := json.Unmarshal(w.post("/v1/evidence/bundles", `{"kind":"uat","subject":{"name":"billing","ref":"v9"},"title":"uat"}`, 201), &b); err != nil {
			t.Fatal(err)
		}
		w.advance(time.Minute, "INV-BILLING-001")
		w.post("/v1/evidence/bundles/"+b.ID+"/items", `{"type":"invariant_result","name":"INV-BILLING-001","result":"pass",
			"metadata":{"invariant_id":"INV-BILLING-001","environment":"production"}}`, 201)
		w.advance(time.Minute, "INV-BILLING-001")
		w.result("INV-BILLING-001", "fail", "production")
		if got := since(); got == nil || !got.Equal(again) {
			t.Errorf("after an open bundle's pass: since %v, want the run's first failure at %s", got, again)
		}
	})
}
