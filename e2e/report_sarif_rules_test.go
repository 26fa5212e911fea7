package e2e

import (
	"bytes"
	"testing"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/report"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// A SARIF result without a level is as bad as its rule says, wherever the
// run keeps that rule (CodeQL keeps it in a query pack extension), and a
// reference that points nowhere is refused rather than read as a warning.
func TestASARIFResultTakesTheLevelOfTheRuleItPointsAt(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		b := newBundle(t, e, "codeql", "v1")
		data := reportFile(t, "codeql-extension-rules.sarif")
		it, err := e.admin.AddReport(e.ctx, b.ID, client.ReportOptions{Format: report.FormatSARIF}, bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		if want := (client.Counts{Total: 2, Failed: 1, Notes: 1}); it.Result != "fail" || it.Counts != want {
			t.Errorf("result %s counts %+v, want fail %+v", it.Result, it.Counts, want)
		}
		for _, file := range []string{"sarif-rule-index-out-of-range.sarif", "sarif-results-null.sarif"} {
			r := e.do("POST", "/v1/evidence/bundles/"+b.ID+"/reports?format=sarif", adminToken, reportFile(t, file))
			if p := r.problem(t); r.status != 400 || p.Code != "malformed_report" {
				t.Errorf("%s: %d %+v, want 400 malformed_report", file, r.status, p)
			}
		}

		byIndex := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","rules":[{"id":"G101","defaultConfiguration":{"level":"error"}}]}},` +
			`"invocations":[{"executionSuccessful":true}],"results":[{"ruleIndex":0,"message":{"text":"credentials"}}]}]}`
		r := e.do("POST", "/v1/guards/scan/reports/sarif?subject=api@v1&mode=blocking", adminToken, []byte(byIndex))
		if r.status != 201 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		var rep guardReport
		r.json(t, &rep)
		if rep.Counts.High != 1 || rep.Counts.Medium != 0 || len(rep.Findings) != 1 || rep.Findings[0].RuleID != "G101" || !rep.Open {
			t.Errorf("guard report %+v, want one high finding of rule G101", rep)
		}
	})
}
