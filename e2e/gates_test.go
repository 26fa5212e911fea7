package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
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
