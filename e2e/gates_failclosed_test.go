package e2e

// Gate and posture verdicts that must not pass on facts that do not
// justify them: reports dated ahead, a pipeline weakening its own guard,
// a pass under rules the gate no longer has, evidence that proves nothing.

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/apitest"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// TestAReportDatedAheadDoesNotOutrankLaterOnes: a status, result or guard
// run dated a few minutes ahead (within the clock skew allowed) counts as
// observed when it arrived, so the report that arrives after it decides,
// as the newest, even before that time has passed.
func TestAReportDatedAheadDoesNotOutrankLaterOnes(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		clk := &clock{}
		e := start(t, tg, withConfigFile(writeConfig(t, componentsYAML+gatesYAML)), withClock(clk))
		rl := &release{t: t, e: e, clk: clk, subject: "api@v1"}
		rl.sealSecurity("pass")
		ahead := clk.now().Add(4 * time.Minute).UTC().Format(time.RFC3339Nano)
		for _, req := range []struct{ path, body string }{
			{"/v1/invariants/INV-BILLING-001/results", `{"status":"pass","environment":"production","observed_at":"` + ahead + `"}`},
			{"/v1/guards/policy/reports", `{"subject":"api@v1","mode":"blocking","findings":[],"observed_at":"` + ahead + `"}`},
			{"/v1/components/api/status", `{"status":"healthy","observed_at":"` + ahead + `"}`},
		} {
			r := e.do("POST", req.path, adminToken, req.body)
			var rep struct {
				ObservedAt time.Time `json:"observed_at"`
			}
			r.json(t, &rep)
			if r.status != 201 || !rep.ObservedAt.Equal(clk.now()) {
				t.Fatalf("%s: %d, observed_at %v, want the server's now %v", req.path, r.status, rep.ObservedAt, clk.now())
			}
		}
		if got := outcomes(e.evaluate(t, rl.subject)); got != "pass: evidence-security=pass, invariants-production=pass, guards=pass" {
			t.Fatalf("before the later reports: %s", got)
		}
		clk.advance(time.Second)
		rl.invariant("fail")
		rl.guard("blocking", 2)
		if r := e.do("POST", "/v1/components/api/status", adminToken, `{"status":"down"}`); r.status != 201 {
			t.Fatalf("down: %d %s", r.status, r.body)
		}
		var api struct{ Status string }
		e.do("GET", "/v1/components/api", adminToken, nil).json(t, &api)
		if api.Status != "down" {
			t.Errorf("api is %q after it reported down, want down", api.Status)
		}
		if got, want := outcomes(e.evaluate(t, rl.subject)), "block: evidence-security=pass, invariants-production=block, guards=block"; got != want {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	})
}

// TestAPipelineCannotLiftItsOwnGuardBlock: the newest run of a guard
// decides, so a run in a weaker mode than the last one for the subject
// needs gates:override, as a waiver does.
func TestAPipelineCannotLiftItsOwnGuardBlock(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		clk := &clock{}
		e := start(t, tg, withConfigFile(writeConfig(t, gatesYAML)), withClock(clk))
		rl := &release{t: t, e: e, clk: clk, subject: "api@v1"}
		rl.sealSecurity("pass")
		rl.invariant("pass")
		pipeline := e.newToken("ci", "evidence:write", "gates:write")
		manager := e.newToken("release-manager", "evidence:write", "gates:override")
		send := func(tok, mode string, findings int) *response {
			var fs []string
			for i := 0; i < findings; i++ {
				fs = append(fs, fmt.Sprintf(`{"rule_id":"R%d","severity":"high"}`, i))
			}
			return e.doInvalid("POST", "/v1/guards/policy/reports", tok, fmt.Sprintf(`{"subject":"api@v1","mode":%q,"findings":[%s]}`, mode, strings.Join(fs, ",")))
		}
		sarif := func(tok, mode string) *response {
			data := reportFile(t, "gosec.sarif")
			return e.send(apitest.InvalidRequest(e.ctx), "POST", "/v1/guards/policy/reports/sarif?subject=api@v1&mode="+mode, tok, data, "Content-Type", "application/sarif+json")
		}
		if r := send(pipeline, "blocking", 2); r.status != 201 {
			t.Fatalf("blocking run: %d %s", r.status, r.body)
		}
		for _, tc := range []struct {
			name string
			r    *response
		}{
			{"the same findings in report_only mode", send(pipeline, "report_only", 2)},
			{"a clean run in warn mode", send(pipeline, "warn", 0)},
			{"a SARIF log in report_only mode", sarif(pipeline, "report_only")},
			{"the subject with a space after it", e.doInvalid("POST", "/v1/guards/policy/reports", pipeline, `{"subject":"api@v1 ","mode":"report_only","findings":[]}`)},
			{"a SARIF log for the subject with a space after it", e.send(apitest.InvalidRequest(e.ctx), "POST", "/v1/guards/policy/reports/sarif?subject=api@v1%20&mode=report_only", pipeline, reportFile(t, "gosec.sarif"), "Content-Type", "application/sarif+json")},
			// The posture counts the newest run per subject name: a new ref
			// replaces api@v1's run there.
			{"a clean run for a new ref in report_only mode", e.doInvalid("POST", "/v1/guards/policy/reports", pipeline, `{"subject":"api@v2","mode":"report_only","findings":[]}`)},
			{"a clean run for the bare name in warn mode", e.doInvalid("POST", "/v1/guards/policy/reports", pipeline, `{"subject":"api","mode":"warn","findings":[]}`)},
			{"a SARIF log for a new ref in report_only mode", e.send(apitest.InvalidRequest(e.ctx), "POST", "/v1/guards/policy/reports/sarif?subject=api@v1.0.1&mode=report_only", pipeline, reportFile(t, "gosec.sarif"), "Content-Type", "application/sarif+json")},
		} {
			if p := tc.r.problem(t); tc.r.status != 403 || p.Code != "forbidden" || !strings.Contains(p.Detail, "gates:override") {
				t.Errorf("%s: %d %s", tc.name, tc.r.status, tc.r.body)
			}
		}
		clk.advance(time.Second)
		if got, want := outcomes(e.evaluate(t, rl.subject)), "block: evidence-security=pass, invariants-production=pass, guards=block"; got != want {
			t.Errorf("after the refused runs: %s, want %s", got, want)
		}
		// The same mode, or a stronger one, needs nothing more; a clean
		// blocking run lifts the block as it should.
		if r := send(pipeline, "blocking", 0); r.status != 201 {
			t.Fatalf("a clean blocking run: %d %s", r.status, r.body)
		}
		clk.advance(time.Second)
		if got, want := outcomes(e.evaluate(t, rl.subject)), "pass: evidence-security=pass, invariants-production=pass, guards=pass"; got != want {
			t.Errorf("after a clean blocking run: %s, want %s", got, want)
		}
		// Whoever may waive may also change the mode.
		if r := send(manager, "report_only", 1); r.status != 201 {
			t.Errorf("report_only with gates:override: %d %s", r.status, r.body)
		}
		// A blocking scan and a report_only run sent at once: whichever
		// lands second, the newest run never weakens the mode unchecked.
		post := func(path, contentType, body string) int {
			req, err := http.NewRequestWithContext(e.ctx, "POST", e.main.URL()+path, strings.NewReader(body))
			if err != nil {
				return 0
			}
			req.Header.Set("Authorization", "Bearer "+pipeline)
			req.Header.Set("Content-Type", contentType)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return 0
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		scan := string(reportFile(t, "gosec.sarif"))
		var wg sync.WaitGroup
		for i := range 20 {
			subject := fmt.Sprintf("web@r%d", i)
			wg.Add(2)
			go func() {
				defer wg.Done()
				post("/v1/guards/policy/reports/sarif?subject="+subject+"&mode=blocking", "application/sarif+json", scan)
			}()
			go func() {
				defer wg.Done()
				post("/v1/guards/policy/reports", "application/json", `{"subject":"`+subject+`","mode":"report_only","findings":[]}`)
			}()
		}
		wg.Wait()
		for i := range 20 {
			var latest struct{ Mode string }
			e.do("GET", fmt.Sprintf("/v1/guards/policy/reports/latest?subject=web@r%d", i), adminToken, nil).json(t, &latest)
			if latest.Mode != "blocking" {
				t.Errorf("web@r%d: the latest run is %q after a blocking scan and a report_only run at once", i, latest.Mode)
			}
		}
	})
}

// A posture gate's rules before and after a config change adds one.
const (
	releaseOnAPI = componentsYAML + `gates:
  - name: release
    affects_posture: true
    rules:
      - {components: [api]}
`
	releaseOnAPIAndEvidence = releaseOnAPI + `      - {evidence: {kind: release}}
`
)

// TestAPassUnderRulesTheGateNoLongerHasIsNotHealthy: after the config
// changes a posture gate's rules, its last pass was judged by rules that
// are gone, so the posture is degraded until the gate is evaluated again.
func TestAPassUnderRulesTheGateNoLongerHasIsNotHealthy(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		v1, v2 := releaseOnAPI, releaseOnAPIAndEvidence
		e := start(t, tg, withConfigFile(writeConfig(t, v1)))
		for _, c := range []string{"api", "worker"} {
			if r := e.do("POST", "/v1/components/"+c+"/status", adminToken, `{"status":"healthy"}`); r.status != 201 {
				t.Fatalf("%s: %d %s", c, r.status, r.body)
			}
		}
		if res := e.evaluate(t, "api@v1"); res.Verdict != "pass" {
			t.Fatalf("under v1: %+v", res)
		}
		posture := func(e *env) (string, []string) {
			var st struct {
				Posture string
				Reasons []struct{ Level, Ref, Message string }
			}
			e.do("GET", "/v1/status", adminToken, nil).json(t, &st)
			var gates []string
			for _, r := range st.Reasons {
				if strings.HasPrefix(r.Ref, "gate_result:") {
					gates = append(gates, r.Level+": "+r.Message)
				}
			}
			return st.Posture, gates
		}
		if p, gates := posture(e); p != "healthy" || len(gates) != 0 {
			t.Fatalf("under v1: %s %v", p, gates)
		}
		e.stop()
		e2 := startAgain(t, e, withConfigFile(writeConfig(t, v2)))
		p, gates := posture(e2)
		if p != "degraded" || len(gates) != 1 || !strings.HasPrefix(gates[0], "degraded: gate release passed api@v1") || !strings.Contains(gates[0], "evaluate it again") {
			t.Errorf("under v2 before an evaluation: %s %v, want degraded by the old pass", p, gates)
		}
		if res := e2.evaluate(t, "api@v1"); res.Verdict != "block" {
			t.Fatalf("under v2 there is no release evidence: %+v", res)
		}
		if p, gates := posture(e2); p != "blocked" || len(gates) != 1 || !strings.HasPrefix(gates[0], "blocked: gate release blocked api@v1") {
			t.Errorf("under v2 once evaluated: %s %v", p, gates)
		}
	})
}

// TestThePostureReadsWhatEvidenceProvesAsAGateDoes: the evidence a
// posture gate requires is judged by its items too, so the posture and
// the gate agree on a bundle that proves nothing or proof observed long
// before its seal.
func TestThePostureReadsWhatEvidenceProvesAsAGateDoes(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		const cfg = `gates:
  - name: release
    affects_posture: true
    rules:
      - {evidence: {kind: security, max_age: 168h, block_age: 336h}}
`
		clk := &clock{}
		e := start(t, tg, withConfigFile(writeConfig(t, cfg)), withClock(clk))
		rl := &release{t: t, e: e, clk: clk, subject: "api@v1"}
		evidenceReason := func() (string, string) {
			var st struct {
				Posture string
				Reasons []struct{ Source, Level, Message string }
			}
			e.do("GET", "/v1/status", adminToken, nil).json(t, &st)
			for _, r := range st.Reasons {
				if r.Source == "evidence" {
					return st.Posture, r.Level + ": " + r.Message
				}
			}
			return st.Posture, ""
		}
		for _, tc := range []struct {
			name         string
			items        []client.ItemRequest
			posture, why string
			gate         string
		}{
			{"a bundle of skipped items", []client.ItemRequest{{Type: "scan", Name: "deps", Result: "skip"}},
				"degraded", "degraded: the newest security evidence (api@v1) proves nothing", "block"},
			{"a bundle sealed now of proof observed 400h ago", []client.ItemRequest{{Type: "scan", Name: "deps", Result: "pass",
				ObservedAt: clk.now().Add(-400 * time.Hour).UTC().Format(time.RFC3339)}},
				"blocked", "blocked: the newest security evidence (api@v1) holds proof observed at", "block"},
			{"a bundle of fresh proof", []client.ItemRequest{{Type: "scan", Name: "deps", Result: "pass"}}, "healthy", "", "pass"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				clk.advance(time.Second)
				rl.sealSecurityItems(tc.items...)
				if p, why := evidenceReason(); p != tc.posture || !strings.HasPrefix(why, tc.why) || (tc.why == "") != (why == "") {
					t.Errorf("posture %s, evidence reason %q; want %s, %q", p, why, tc.posture, tc.why)
				}
				r := e.do("POST", "/v1/gates/release/evaluate?dry_run=true", adminToken, `{"subject":"api@v1"}`)
				var res struct{ Verdict string }
				r.json(t, &res)
				if res.Verdict != tc.gate {
					t.Errorf("the gate's dry run: %s, want %s", res.Verdict, tc.gate)
				}
			})
		}
	})
}

// TestAllowFailingLetsFailuresThroughNotErrors: allow_failing accepts a
// scan that ran and found problems, not one that did not run to its end,
// even beside a clean one.
func TestAllowFailingLetsFailuresThroughNotErrors(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg, withConfigFile(writeConfig(t, `gates:
  - name: release
    rules:
      - {evidence: {kind: security, allow_failing: true}}
`)))
		seal := func(results ...string) {
			t.Helper()
			b, err := e.admin.CreateBundle(e.ctx, client.BundleRequest{Kind: "security", Subject: client.Subject{Name: "api", Ref: "v1"}, Title: "scans"})
			if err != nil {
				t.Fatal(err)
			}
			for i, res := range results {
				if _, err := e.admin.AddItem(e.ctx, b.ID, client.ItemRequest{Type: "scan", Name: fmt.Sprintf("scan-%d", i), Result: res}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := e.admin.SealBundle(e.ctx, b.ID); err != nil {
				t.Fatal(err)
			}
		}
		seal("pass", "fail")
		if got := outcomes(e.evaluate(t, "api@v1")); got != "pass: evidence-security=pass" {
			t.Errorf("a clean and a failing scan: %s", got)
		}
		seal("pass", "fail", "error")
		res := e.evaluate(t, "api@v1")
		if got := outcomes(res); got != "block: evidence-security=block" || !strings.Contains(res.Reasons[0].Detail, "did not run to their end: scan-2") {
			t.Errorf("with a scan that errored: %s %q", got, res.Reasons[0].Detail)
		}
	})
}
