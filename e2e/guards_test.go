package e2e

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/report"
	"github.com/aeso-dev/aeso/internal/testdb"
)

type guardReport struct {
	ID         string `json:"id"`
	Mode       string `json:"mode"`
	Open       bool   `json:"open"`
	Duplicates int    `json:"duplicates"`
	Counts     struct {
		Critical, High, Medium, Low, Info int
	} `json:"counts"`
	Findings []struct {
		RuleID      string `json:"rule_id"`
		Message     string `json:"message"`
		Fingerprint string `json:"fingerprint"`
	} `json:"findings"`
}

func TestGuardReportsAreNormalisedAndDeduplicated(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		body := `{"subject":"api@v1.4.2","mode":"blocking","source_url":"https://ci.example/j/9","findings":[
			{"rule_id":"SEC-001","severity":"high","location":"deploy.yaml:12","message":"privileged container"},
			{"rule_id":"SEC-001","severity":"high","location":"deploy.yaml:12","message":"privileged container"},
			{"rule_id":"SEC-002","severity":"low","location":"Dockerfile:3","message":"leaked password=hunter22 in build arg"},
			{"rule_id":"SEC-003","severity":"low","fingerprint":"abc","message":"one"},
			{"rule_id":"SEC-003","severity":"medium","fingerprint":"abc","message":"same fingerprint, worse severity"}]}`
		r := e.do("POST", "/v1/guards/policy-check/reports", adminToken, body)
		if r.status != 201 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		var rep guardReport
		r.json(t, &rep)
		if len(rep.Findings) != 3 || rep.Duplicates != 2 || !rep.Open || rep.Counts.High != 1 || rep.Counts.Low != 1 || rep.Counts.Medium != 1 {
			t.Errorf("report %+v: want 3 distinct findings, 2 duplicates, counted by severity", rep)
		}
		if strings.Contains(string(r.body), "hunter22") {
			t.Error("a secret in a finding message was kept")
		}
		if rep.Findings[0].Fingerprint == "" {
			t.Error("a finding without a fingerprint got none")
		}

		// A clean run later for the same subject is the latest; another
		// subject keeps its own.
		if r := e.do("POST", "/v1/guards/policy-check/reports", adminToken, `{"subject":"web@v2","mode":"warn","findings":[{"rule_id":"X","severity":"info"}]}`); r.status != 201 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if r := e.do("POST", "/v1/guards/policy-check/reports", adminToken, `{"subject":"api@v1.4.2","mode":"blocking","findings":[]}`); r.status != 201 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		r = e.do("GET", "/v1/guards/policy-check/reports/latest?subject=api@v1.4.2", adminToken, nil)
		var latest guardReport
		r.json(t, &latest)
		if r.status != 200 || latest.Open || len(latest.Findings) != 0 || latest.Mode != "blocking" {
			t.Errorf("latest for api: %d %+v", r.status, latest)
		}
		r = e.do("GET", "/v1/guards/policy-check/reports/latest?subject=web@v2", adminToken, nil)
		r.json(t, &latest)
		if r.status != 200 || !latest.Open || latest.Mode != "warn" {
			t.Errorf("latest for web: %d %+v", r.status, latest)
		}
		if r := e.do("GET", "/v1/guards/policy-check/reports/latest?subject=none", adminToken, nil); r.status != 404 || r.problem(t).Code != "no_guard_report" {
			t.Errorf("latest for an unknown subject: %d", r.status)
		}
		r = e.do("GET", "/v1/guards/policy-check/reports?subject=api@v1.4.2&limit=1", adminToken, nil)
		var page struct {
			Reports    []guardReport `json:"reports"`
			NextCursor *string       `json:"next_cursor"`
		}
		r.json(t, &page)
		if len(page.Reports) != 1 || page.Reports[0].Open || page.NextCursor == nil {
			t.Errorf("history page: %+v", page)
		}

		for name, tc := range map[string]struct{ path, body, field string }{
			"an unknown mode":          {"/v1/guards/g/reports", `{"subject":"s","mode":"strict","findings":[]}`, "mode"},
			"no subject":               {"/v1/guards/g/reports", `{"mode":"warn","findings":[]}`, "subject"},
			"a finding without rule":   {"/v1/guards/g/reports", `{"subject":"s","mode":"warn","findings":[{"severity":"high"}]}`, "findings[0].rule_id"},
			"an unknown severity":      {"/v1/guards/g/reports", `{"subject":"s","mode":"warn","findings":[{"rule_id":"r","severity":"severe"}]}`, "findings[0].severity"},
			"counts below findings":    {"/v1/guards/g/reports", `{"subject":"s","mode":"warn","counts":{"critical":0,"high":0,"medium":0,"low":0,"info":0},"findings":[{"rule_id":"r","severity":"low"}]}`, "counts.low"},
			"a guard name in capitals": {"/v1/guards/Policy/reports", `{"subject":"s","mode":"warn","findings":[]}`, "guard"},
		} {
			r := e.doInvalid("POST", tc.path, adminToken, tc.body)
			p := r.problem(t)
			if r.status != 400 || len(p.Errors) == 0 || p.Errors[0].Field != tc.field {
				t.Errorf("%s: %d %+v", name, r.status, p.Errors)
			}
		}
		many := `{"subject":"s","mode":"warn","findings":[` + strings.TrimSuffix(strings.Repeat(`{"rule_id":"r","severity":"low"},`, 101), ",") + `]}`
		if r := e.doInvalid("POST", "/v1/guards/g/reports", adminToken, many); r.status != 400 {
			t.Errorf("101 findings: %d", r.status)
		}
	})
}

func TestASARIFLogBecomesAGuardReport(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		path := "/v1/guards/staticcheck/reports/sarif?subject=api@v1.4.2&mode=blocking&source_url=https://ci.example/j/3"
		r := e.do("POST", path, adminToken, reportFile(t, "staticcheck.sarif"))
		if r.status != 201 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		var rep guardReport
		r.json(t, &rep)
		// staticcheck.sarif holds 2 error-level and 4 warning-level results.
		if rep.Counts.High != 2 || rep.Counts.Medium != 4 || len(rep.Findings) != 6 || !rep.Open || rep.Mode != "blocking" {
			t.Errorf("report %+v", rep)
		}
		// The same log again: the same findings, fingerprinted the same way.
		again := e.do("POST", path, adminToken, reportFile(t, "staticcheck.sarif"))
		var rep2 guardReport
		again.json(t, &rep2)
		for i := range rep.Findings {
			if rep.Findings[i].Fingerprint != rep2.Findings[i].Fingerprint {
				t.Errorf("finding %d fingerprinted differently the second time", i)
			}
		}
		clean := e.do("POST", "/v1/guards/staticcheck/reports/sarif?subject=web&mode=warn", adminToken, reportFile(t, "staticcheck-clean.sarif"))
		clean.json(t, &rep)
		if clean.status != 201 || rep.Open || len(rep.Findings) != 0 {
			t.Errorf("a clean log: %d %+v", clean.status, rep)
		}
		broken := e.do("POST", "/v1/guards/staticcheck/reports/sarif?subject=web&mode=warn", adminToken, reportFile(t, "sarif-broken.sarif"))
		if p := broken.problem(t); broken.status != 400 || p.Code != "malformed_report" {
			t.Errorf("a broken log: %d %+v", broken.status, p)
		}
	})
}

// A SARIF log that proves nothing never clears a blocking guard: a run
// that did not finish is an open, critical finding, and a log without
// runs is refused, leaving the previous report in force.
func TestABrokenSARIFLogDoesNotClearABlockingGuard(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		w := newWorld(t, tg)
		w.healthy()
		upload := func(file string, want int) guardReport {
			t.Helper()
			r := w.e.do("POST", "/v1/guards/staticcheck/reports/sarif?subject=api@v1&mode=blocking", adminToken, reportFile(t, file))
			if r.status != want {
				t.Fatalf("%s: %d %s", file, r.status, r.body)
			}
			var rep guardReport
			if want == 201 {
				r.json(t, &rep)
			} else if p := r.problem(t); p.Code != "malformed_report" || len(p.Errors) != 1 || p.Errors[0].Field != "body:1:134" {
				t.Fatalf("%s: %+v, want malformed_report at body:1:134", file, p)
			}
			return rep
		}
		if rep := upload("staticcheck-clean.sarif", 201); rep.Open {
			t.Fatalf("a clean run is open: %+v", rep)
		}
		if v := w.status(); v.Posture != "healthy" {
			t.Fatalf("posture after a clean run: %s %+v", v.Posture, v.Reasons)
		}

		w.clk.advance(time.Second)
		rep := upload("sarif-not-finished.sarif", 201)
		if !rep.Open || rep.Counts.Critical != 1 || len(rep.Findings) != 1 || rep.Findings[0].RuleID != "aeso.run_incomplete" ||
			!strings.Contains(rep.Findings[0].Message, "did not finish") {
			t.Fatalf("a run that did not finish: %+v, want one open critical aeso.run_incomplete finding", rep)
		}
		blocked := func(when string) {
			t.Helper()
			v := w.status()
			if v.Posture != "blocked" || len(v.Reasons) == 0 || !strings.Contains(v.Reasons[0].Message, "guard staticcheck (blocking) has 1 open finding for api@v1: 1 critical") {
				t.Errorf("%s: posture %s %+v, want blocked by the guard", when, v.Posture, v.Reasons)
			}
		}
		blocked("after a run that did not finish")

		// Logs without runs are refused and change nothing.
		w.clk.advance(time.Second)
		upload("sarif-runs-null.sarif", 400)
		upload("sarif-runs-empty.sarif", 400)
		blocked("after logs without runs")
		latest := w.e.do("GET", "/v1/guards/staticcheck/reports/latest?subject=api@v1", adminToken, nil)
		var got guardReport
		latest.json(t, &got)
		if got.ID != rep.ID {
			t.Errorf("latest report %s, want the unfinished run %s still", got.ID, rep.ID)
		}
	})
}

// A result listed twice counts once, the same way in an evidence item as
// in a guard report of the same log.
func TestASARIFLogCountsTheSameAsItemAndAsGuardReport(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		for _, file := range []string{"sarif-duplicate.sarif", "eslint.sarif", "staticcheck.sarif", "govulncheck.sarif",
			"sarif-same-partial-fingerprint.sarif", "sarif-suppression-under-review.sarif"} {
			t.Run(file, func(t *testing.T) {
				data := reportFile(t, file)
				b := newBundle(t, e, "same-"+strings.TrimSuffix(file, ".sarif"), "v1")
				it, err := e.admin.AddReport(e.ctx, b.ID, client.ReportOptions{Format: report.FormatSARIF}, bytes.NewReader(data), int64(len(data)))
				if err != nil {
					t.Fatal(err)
				}
				r := e.do("POST", "/v1/guards/scan/reports/sarif?subject="+b.ID+"&mode=blocking", adminToken, data)
				if r.status != 201 {
					t.Fatalf("%d %s", r.status, r.body)
				}
				var rep guardReport
				r.json(t, &rep)
				c := it.Counts
				if rep.Counts.High != c.Failed || rep.Counts.Medium != c.Warnings || rep.Counts.Low != c.Notes ||
					rep.Duplicates != c.Duplicates || len(rep.Findings) != c.Failed+c.Warnings+c.Notes ||
					c.Total != c.Failed+c.Warnings+c.Notes+c.None+c.Suppressed {
					t.Errorf("item counts %+v, guard counts %+v with %d findings and %d duplicates: they disagree",
						c, rep.Counts, len(rep.Findings), rep.Duplicates)
				}
				// gosec's five results are five findings, whatever their
				// partial fingerprints say (the same-fingerprint log gives
				// all five the same one).
				if strings.HasPrefix(file, "sarif-s") && (c.Total != 5 || c.Duplicates != 0) {
					t.Errorf("item counts %+v, want gosec's 5 distinct results", c)
				}
			})
		}
	})
}

// Counts a JSON number cannot carry exactly, or whose sum would wrap, are
// refused: stored, two counts of the largest int and two more once added
// up to 0, and a blocking guard with them let its gate pass.
func TestGuardCountsBeyondTwoToTheFiftyThreeAreRefused(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		const maxInt = "9223372036854775807"
		for _, tc := range []struct {
			name, counts string
			fields       []string // every field refused, each with code range
		}{
			{"two counts of the largest int and two more", `{"critical":` + maxInt + `,"high":` + maxInt + `,"medium":2}`, []string{"counts.critical", "counts.high"}},
			{"two counts of the largest int", `{"critical":` + maxInt + `,"high":` + maxInt + `}`, []string{"counts.critical", "counts.high"}},
			{"one count past 2^53", `{"low":9007199254740993}`, []string{"counts.low"}},
			{"counts within 2^53 whose sum is not", `{"critical":9007199254740992,"info":1}`, []string{"counts"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				subject := "api@" + strings.ReplaceAll(tc.name, " ", "-")
				r := e.doInvalid("POST", "/v1/guards/gwrap/reports", adminToken, `{"subject":"`+subject+`","mode":"blocking","counts":`+tc.counts+`}`)
				requireFieldErrors(t, r, "range", tc.fields)
				if r := e.do("GET", "/v1/guards/gwrap/reports/latest?subject="+subject, adminToken, nil); r.status != 404 {
					t.Errorf("a refused report was stored: %d %s", r.status, r.body)
				}
			})
		}

		// 2^53 itself is exact, and a blocking guard counting it is open.
		r := e.do("POST", "/v1/guards/gwrap/reports", adminToken, `{"subject":"api@max","mode":"blocking","counts":{"critical":9007199254740992}}`)
		if r.status != 201 {
			t.Fatalf("counts of 2^53: %d %s", r.status, r.body)
		}
		var rep guardReport
		r.json(t, &rep)
		if !rep.Open || rep.Counts.Critical != 1<<53 {
			t.Errorf("report %+v, want open with 2^53 critical findings", rep)
		}
	})
}

// A secret that straddles a length limit is redacted before it is cut:
// cut first, it loses the last characters that gave it its shape and is
// kept as most of a secret, in a guard's findings and in the sealed items
// SARIF logs become.
func TestASecretCutShortAtALimitIsStillRedacted(t *testing.T) {
	t.Parallel()
	const gh = "ghp_R8x2Kq9LmVt4Wz7NpB3cYd6Hf1Js5Ga0Ue2i"
	const leaked = "ghp_R8x2Kq9LmVt4Wz7N" // any part of it kept is a leak
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		long := strings.Repeat("x", 460) + " leaked in " + gh + " (see the CI log)"
		body, err := json.Marshal(map[string]any{"subject": "api@v1", "mode": "report_only", "findings": []map[string]string{
			{"rule_id": "R9", "severity": "high", "location": long, "message": long}}})
		if err != nil {
			t.Fatal(err)
		}
		r := e.do("POST", "/v1/guards/secretscan/reports", adminToken, body)
		if r.status != 201 || strings.Contains(string(r.body), leaked) {
			t.Errorf("a finding whose secret crosses its 512-byte limit: %d %s", r.status, r.body)
		}
		ruleID := strings.Repeat("R", 85) + "-" + gh + "-extra"
		sarif := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"invocations":[{"executionSuccessful":true}],` +
			`"results":[{"ruleId":"` + ruleID + `","level":"error","message":{"text":"m"}}]}]}`
		r = e.do("POST", "/v1/guards/secretscan/reports/sarif?subject=api@v1&mode=report_only", adminToken, []byte(sarif))
		if r.status != 201 || strings.Contains(string(r.body), leaked) {
			t.Errorf("a SARIF rule id whose secret crosses its 128-byte limit, as a guard report: %d %s", r.status, r.body)
		}
		b := newBundle(t, e, "api", "v1")
		r = e.do("POST", "/v1/evidence/bundles/"+b.ID+"/reports?format=sarif", adminToken, []byte(sarif))
		if r.status != 201 || strings.Contains(string(r.body), leaked) {
			t.Errorf("the same, as an evidence item: %d %s", r.status, r.body)
		}
		got := e.do("GET", "/v1/evidence/bundles/"+b.ID, adminToken, nil)
		if strings.Contains(string(got.body), leaked) {
			t.Errorf("the bundle holds the secret: %s", got.body)
		}
	})
}

// Sent counts may exceed the findings listed, severity by severity, never
// fall below them: two critical findings are not "2 info".
func TestGuardCountsCoverTheFindingsOfEachSeverity(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		findings := `"findings":[{"rule_id":"SQLI","severity":"critical","message":"sql injection","fingerprint":"f1"},
			{"rule_id":"RCE","severity":"critical","message":"remote code exec","fingerprint":"f2"}]`
		r := e.do("POST", "/v1/guards/g2/reports", adminToken, `{"subject":"y@1","mode":"warn",`+findings+`,"counts":{"info":2}}`)
		if p := r.problem(t); r.status != 400 || len(p.Errors) != 1 || p.Errors[0].Field != "counts.critical" || p.Errors[0].Code != "too_few" {
			t.Errorf("2 critical findings counted as 2 info: %d %s", r.status, r.body)
		}
		r = e.do("POST", "/v1/guards/g2/reports", adminToken, `{"subject":"y@1","mode":"warn",`+findings+`,"counts":{"critical":3,"info":40}}`)
		var rep guardReport
		r.json(t, &rep)
		if r.status != 201 || rep.Counts.Critical != 3 || rep.Counts.Info != 40 {
			t.Errorf("counts beyond the findings listed: %d %s", r.status, r.body)
		}
	})
}
