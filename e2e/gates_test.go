package e2e

import (
	"encoding/json"
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

const gatesYAML = invariantsYAML + `gates:
  - name: release
    affects_posture: true
    rules:
      - {evidence: {kind: security, max_age: 168h, block_age: 336h}}
      - {invariants: [INV-BILLING-001], environment: production}
      - {guards: blocking}
`

type gateReason struct {
	Rule    string   `json:"rule"`
	Outcome string   `json:"outcome"`
	Detail  string   `json:"detail"`
	Refs    []string `json:"refs"`
	Waiver  string   `json:"waiver"`
}

type gateResult struct {
	Verdict      string       `json:"verdict"`
	Warnings     []string     `json:"warnings"`
	Reasons      []gateReason `json:"reasons"`
	InputsDigest string       `json:"inputs_digest"`
}

func (e *env) evaluate(t *testing.T, subject string) gateResult {
	t.Helper()
	r := e.do("POST", "/v1/gates/release/evaluate", adminToken, map[string]string{"subject": subject})
	if r.status != 201 {
		t.Fatalf("evaluate: %d %s", r.status, r.body)
	}
	var res gateResult
	r.json(t, &res)
	return res
}

func outcomes(res gateResult) string {
	var out []string
	for _, r := range res.Reasons {
		out = append(out, r.Rule+"="+r.Outcome)
	}
	return res.Verdict + ": " + strings.Join(out, ", ")
}

// release prepares a world where every rule of the release gate passes
// for api@v1, then lets a test break one thing.
type release struct {
	t       *testing.T
	e       *env
	clk     *clock
	subject string // evaluated subject; api@v1 unless a case changes it
}

func (rl *release) sealSecurity(result string) *client.Bundle {
	rl.t.Helper()
	return rl.sealSecurityItems(client.ItemRequest{Type: "scan", Name: "deps", Result: result})
}

// sealSecurityItems seals a security bundle for api@v1 holding items.
func (rl *release) sealSecurityItems(items ...client.ItemRequest) *client.Bundle {
	rl.t.Helper()
	b, err := rl.e.admin.CreateBundle(rl.e.ctx, client.BundleRequest{Kind: "security", Subject: client.Subject{Name: "api", Ref: "v1"}, Title: "scan"})
	if err != nil {
		rl.t.Fatal(err)
	}
	for _, it := range items {
		if _, err := rl.e.admin.AddItem(rl.e.ctx, b.ID, it); err != nil {
			rl.t.Fatal(err)
		}
	}
	if _, err := rl.e.admin.SealBundle(rl.e.ctx, b.ID); err != nil {
		rl.t.Fatal(err)
	}
	return b
}

func (rl *release) invariant(status string) {
	rl.t.Helper()
	r := rl.e.do("POST", "/v1/invariants/INV-BILLING-001/results", adminToken, fmt.Sprintf(`{"status":%q,"environment":"production"}`, status))
	if r.status != 201 {
		rl.t.Fatalf("%d %s", r.status, r.body)
	}
}

func (rl *release) guard(mode string, findings int) {
	rl.t.Helper()
	var fs []string
	for i := 0; i < findings; i++ {
		fs = append(fs, fmt.Sprintf(`{"rule_id":"R%d","severity":"high"}`, i))
	}
	r := rl.e.do("POST", "/v1/guards/policy/reports", adminToken, fmt.Sprintf(`{"subject":"api@v1","mode":%q,"findings":[%s]}`, mode, strings.Join(fs, ",")))
	if r.status != 201 {
		rl.t.Fatalf("%d %s", r.status, r.body)
	}
}

func (rl *release) waive(rule string, d time.Duration) {
	rl.t.Helper()
	r := rl.e.do("POST", "/v1/gates/release/waivers", adminToken, map[string]string{
		"rule": rule, "subject": "api@v1", "reason": "vendor fix due Friday", "expires_at": rl.clk.now().Add(d).UTC().Format(time.RFC3339),
	})
	if r.status != 201 {
		rl.t.Fatalf("waive: %d %s", r.status, r.body)
	}
}

func TestEveryRuleOutcome(t *testing.T) {
	t.Parallel() // a server and database of its own, no clock boundaries
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		for _, tc := range []struct {
			name  string
			setup func(rl *release)
			want  string
		}{
			{"everything in place passes", func(rl *release) {
				rl.sealSecurity("pass")
				rl.invariant("pass")
				rl.guard("blocking", 0)
			}, "pass: evidence-security=pass, invariants-production=pass, guards=pass"},
			{"missing evidence and an unproven invariant block", func(rl *release) {}, "block: evidence-security=block, invariants-production=block, guards=warn"},
			{"a failing item blocks", func(rl *release) {
				rl.sealSecurity("fail")
				rl.invariant("pass")
			}, "block: evidence-security=block, invariants-production=pass, guards=warn"},
			{"a sealed bundle without items proves nothing and blocks", func(rl *release) {
				rl.sealSecurityItems()
				rl.invariant("pass")
			}, "block: evidence-security=block, invariants-production=pass, guards=warn"},
			{"a bundle of skipped and errored items proves nothing and blocks", func(rl *release) {
				rl.sealSecurityItems(client.ItemRequest{Type: "scan", Name: "deps", Result: "skip"},
					client.ItemRequest{Type: "check", Name: "sast", Result: "error"})
				rl.invariant("pass")
			}, "block: evidence-security=block, invariants-production=pass, guards=warn"},
			{"a bundle whose only passing item expired proves nothing and blocks", func(rl *release) {
				rl.sealSecurityItems(client.ItemRequest{Type: "scan", Name: "deps", Result: "pass",
					ExpiresAt: rl.clk.now().Add(time.Hour).UTC().Format(time.RFC3339)})
				rl.clk.advance(2 * time.Hour)
				rl.invariant("pass")
			}, "block: evidence-security=block, invariants-production=pass, guards=warn"},
			{"a warning, or one item still unexpired, is proof", func(rl *release) {
				rl.sealSecurityItems(client.ItemRequest{Type: "scan", Name: "deps", Result: "warn"},
					client.ItemRequest{Type: "scan", Name: "image", Result: "pass", ExpiresAt: rl.clk.now().Add(time.Hour).UTC().Format(time.RFC3339)})
				rl.clk.advance(2 * time.Hour)
				rl.invariant("pass")
			}, "pass: evidence-security=pass, invariants-production=pass, guards=warn"},
			{"a bundle sealed now of proof observed long ago is as old as its proof", func(rl *release) {
				rl.sealSecurityItems(client.ItemRequest{Type: "scan", Name: "deps", Result: "pass",
					ObservedAt: rl.clk.now().Add(-400 * time.Hour).UTC().Format(time.RFC3339)})
				rl.invariant("pass")
			}, "block: evidence-security=block, invariants-production=pass, guards=warn"},
			{"one old item among fresh ones ages the bundle", func(rl *release) {
				rl.sealSecurityItems(client.ItemRequest{Type: "scan", Name: "image", Result: "pass"},
					client.ItemRequest{Type: "scan", Name: "deps", Result: "pass", ObservedAt: rl.clk.now().Add(-200 * time.Hour).UTC().Format(time.RFC3339)})
				rl.invariant("pass")
			}, "pass: evidence-security=warn, invariants-production=pass, guards=warn"},
			{"evidence past max_age warns", func(rl *release) {
				rl.sealSecurity("pass")
				rl.clk.advance(200 * time.Hour)
				rl.invariant("pass")
			}, "pass: evidence-security=warn, invariants-production=pass, guards=warn"},
			{"evidence past block_age blocks", func(rl *release) {
				rl.sealSecurity("pass")
				rl.clk.advance(400 * time.Hour)
				rl.invariant("pass")
			}, "block: evidence-security=block, invariants-production=pass, guards=warn"},
			{"a stale invariant blocks", func(rl *release) {
				rl.sealSecurity("pass")
				rl.invariant("pass")
				rl.clk.advance(2 * time.Hour) // max_age 1h
			}, "block: evidence-security=pass, invariants-production=block, guards=warn"},
			{"a failing invariant blocks", func(rl *release) {
				rl.sealSecurity("pass")
				rl.invariant("fail")
			}, "block: evidence-security=pass, invariants-production=block, guards=warn"},
			{"blocking-mode findings block", func(rl *release) {
				rl.sealSecurity("pass")
				rl.invariant("pass")
				rl.guard("blocking", 2)
			}, "block: evidence-security=pass, invariants-production=pass, guards=block"},
			{"warn-mode findings warn", func(rl *release) {
				rl.sealSecurity("pass")
				rl.invariant("pass")
				rl.guard("warn", 2)
			}, "pass: evidence-security=pass, invariants-production=pass, guards=warn"},
			{"report-only findings pass", func(rl *release) {
				rl.sealSecurity("pass")
				rl.invariant("pass")
				rl.guard("report_only", 5)
			}, "pass: evidence-security=pass, invariants-production=pass, guards=pass"},
			{"a waiver excuses one rule", func(rl *release) {
				rl.sealSecurity("pass")
				rl.invariant("pass")
				rl.guard("blocking", 1)
				rl.waive("guards", 24*time.Hour)
			}, "pass: evidence-security=pass, invariants-production=pass, guards=waived"},
			{"a subject without a ref blocks evidence", func(rl *release) {
				rl.sealSecurity("pass")
				rl.invariant("pass")
				rl.guard("blocking", 0)
				rl.subject = "api"
			}, "block: evidence-security=block, invariants-production=pass, guards=warn"},
			{"an expired waiver is ignored", func(rl *release) {
				rl.waive("guards", time.Hour)
				rl.clk.advance(2 * time.Hour)
				rl.sealSecurity("pass")
				rl.invariant("pass")
				rl.guard("blocking", 1)
			}, "block: evidence-security=pass, invariants-production=pass, guards=block"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				clk := &clock{}
				sub := tg
				sub.DataDir = t.TempDir()
				if tg.Dialect == "postgres" {
					sub = testdb.Postgres(t)
				}
				e := start(t, sub, withConfigFile(writeConfig(t, gatesYAML)), withClock(clk))
				rl := &release{t: t, e: e, clk: clk, subject: "api@v1"}
				tc.setup(rl)
				if got := outcomes(e.evaluate(t, rl.subject)); got != tc.want {
					t.Errorf("got  %s\nwant %s", got, tc.want)
				}
			})
		}
	})
}

func TestAReleaseGoesFromBlockedToPass(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		clk := &clock{}
		e := start(t, tg, withConfigFile(writeConfig(t, gatesYAML)), withClock(clk))
		rl := &release{t: t, e: e, clk: clk}
		first := e.evaluate(t, "api@v1")
		if first.Verdict != "block" || !strings.Contains(first.Reasons[0].Detail, "no sealed security bundle for api@v1") ||
			!strings.Contains(first.Reasons[1].Detail, "INV-BILLING-001 is unproven") {
			t.Fatalf("empty world: %+v", first)
		}
		again := e.evaluate(t, "api@v1")
		if again.InputsDigest != first.InputsDigest || again.Verdict != first.Verdict {
			t.Errorf("the same inputs gave digest %s then %s", first.InputsDigest, again.InputsDigest)
		}
		b := rl.sealSecurity("pass")
		rl.invariant("pass")
		final := e.evaluate(t, "api@v1")
		if final.Verdict != "pass" || final.InputsDigest == first.InputsDigest {
			t.Fatalf("after adding the evidence: %s", outcomes(final))
		}
		if !strings.HasPrefix(final.Reasons[0].Refs[0], "bundle:"+b.ID+"@sha256:") {
			t.Errorf("the evidence reason points at %v, want the bundle and its digest", final.Reasons[0].Refs)
		}
		r := e.do("GET", "/v1/gates/release/results/latest?subject=api@v1", adminToken, nil)
		var latest gateResult
		r.json(t, &latest)
		if latest.InputsDigest != final.InputsDigest {
			t.Errorf("latest result is not the last evaluation")
		}
		page, err := e.admin.ListEvents(e.ctx, client.ListOptions{Action: "aeso.gate.*"})
		if err != nil {
			t.Fatal(err)
		}
		var results []string
		for _, ev := range page.Events {
			results = append(results, ev.Result)
		}
		if strings.Join(results, ",") != "success,denied,denied" {
			t.Errorf("gate evaluations in the audit trail: %v", results)
		}
	})
}

func TestWaiversAreCheckedAndAudited(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg, withConfigFile(writeConfig(t, gatesYAML)))
		in := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		for name, tc := range map[string]struct {
			body  string
			field string
		}{
			"an unknown rule":    {`{"rule":"nope","subject":"api","reason":"r","expires_at":"` + in + `"}`, "rule"},
			"no reason":          {`{"rule":"guards","subject":"api","reason":"","expires_at":"` + in + `"}`, "reason"},
			"a past expiry":      {`{"rule":"guards","subject":"api","reason":"r","expires_at":"2001-01-01T00:00:00Z"}`, "expires_at"},
			"a year-long waiver": {`{"rule":"guards","subject":"api","reason":"r","expires_at":"` + time.Now().AddDate(1, 0, 0).UTC().Format(time.RFC3339) + `"}`, "expires_at"},
			"no subject":         {`{"rule":"guards","reason":"r","expires_at":"` + in + `"}`, "subject"},
		} {
			r := e.doInvalid("POST", "/v1/gates/release/waivers", adminToken, tc.body)
			p := r.problem(t)
			if r.status != 400 || len(p.Errors) == 0 || p.Errors[0].Field != tc.field {
				t.Errorf("%s: %d %+v", name, r.status, p.Errors)
			}
		}
		// A subject is refused for what is wrong with it, the same way
		// wherever it is given.
		for _, tc := range []struct{ subject, code string }{
			{"", "required"},
			{strings.Repeat("a", 257), "too_long"},
			{"@v1", "format"},
			{"api@", "format"},
			{" api@v1", "format"},
		} {
			subject, _ := json.Marshal(tc.subject)
			for _, req := range []struct{ path, body string }{
				{"/v1/gates/release/evaluate", `{"subject":` + string(subject) + `}`},
				{"/v1/gates/release/waivers", `{"rule":"guards","subject":` + string(subject) + `,"reason":"r","expires_at":"` + in + `"}`},
				{"/v1/gates/release/withdrawals", `{"subject":` + string(subject) + `,"reason":"abandoned"}`},
			} {
				r := e.doInvalid("POST", req.path, adminToken, req.body)
				p := r.problem(t)
				if r.status != 400 || len(p.Errors) != 1 || p.Errors[0].Field != "subject" || p.Errors[0].Code != tc.code {
					t.Errorf("%s with subject %q: %d %+v, want subject %s", req.path, tc.subject, r.status, p.Errors, tc.code)
				}
			}
		}
		if r := e.do("POST", "/v1/gates/nope/evaluate", adminToken, `{"subject":"api"}`); r.status != 404 || r.problem(t).Code != "unknown_gate" {
			t.Errorf("an unknown gate: %d", r.status)
		}
		// Neither a reader nor the pipeline's evaluating token can waive.
		for _, scope := range []string{"status:read", "gates:write"} {
			tok := e.newToken("viewer", scope)
			if r := e.do("POST", "/v1/gates/release/waivers", tok, `{"rule":"guards","subject":"api","reason":"r","expires_at":"`+in+`"}`); r.status != 403 {
				t.Errorf("waiver with %s: %d", scope, r.status)
			}
		}
		if r := e.do("POST", "/v1/gates/release/waivers", adminToken, `{"rule":"guards","subject":"api","reason":"pentest","expires_at":"`+in+`"}`); r.status != 201 {
			t.Fatalf("waive: %d %s", r.status, r.body)
		}
		page, err := e.admin.ListEvents(e.ctx, client.ListOptions{Action: "aeso.gate.waive"})
		if err != nil || len(page.Events) != 1 || page.Events[0].Presentation.SafeDetails["rule"] != "guards" {
			t.Errorf("the waiver in the audit trail: %+v %v", page, err)
		}
	})
}

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

// TestAPassUnderRulesTheGateNoLongerHasIsNotHealthy: after the config
// changes a posture gate's rules, its last pass was judged by rules that
// are gone, so the posture is degraded until the gate is evaluated again.
func TestAPassUnderRulesTheGateNoLongerHasIsNotHealthy(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		const v1 = componentsYAML + `gates:
  - name: release
    affects_posture: true
    rules:
      - {components: [api]}
`
		const v2 = componentsYAML + `gates:
  - name: release
    affects_posture: true
    rules:
      - {components: [api]}
      - {evidence: {kind: release}}
`
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
