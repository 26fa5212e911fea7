package e2e

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/report"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// A report that reads but does not prove what it claims is stored as an
// error, never a pass, and its counts still add up.
func TestReportsThatDoNotProveTheirClaimAreErrors(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		b := newBundle(t, e, "fail-closed", "v1")
		for _, tc := range []struct {
			name, file, format string
			result             string
			counts             client.Counts
			firstFailure       string
		}{
			{"a run whose tool says it did not finish", "sarif-not-finished.sarif", report.FormatSARIF,
				"error", client.Counts{Errored: 1}, "Staticcheck 2026.2.2"},
			{"an ESLint run that could not parse a file", "eslint-parse-error.sarif", report.FormatSARIF,
				"error", client.Counts{Errored: 1}, "ESLint 10.15.0"},
			{"a staticcheck run over a package that does not compile", "staticcheck-compile-error.sarif", report.FormatSARIF,
				"error", client.Counts{Total: 2, Warnings: 2, Errored: 1}, "Staticcheck 2026.2.2"},
			{"the first 300 lines of a passing go test run", "gotest-cut.json", report.FormatGoTest,
				"error", client.Counts{Total: 60, Passed: 59, Errored: 1}, "example.com/fixture/many/TestCase056"},
			{"a go test stream cut inside a line", "gotest-truncated.json", report.FormatGoTest,
				"error", client.Counts{Total: 6, Passed: 1, Failed: 1, Skipped: 1, Errored: 3}, "example.com/fixture/calc/TestDiv"},
			{"a rerun cut off after a full pass", "gotest-rerun-cut.json", report.FormatGoTest,
				"error", client.Counts{Total: 184, Passed: 183, Errored: 1}, "example.com/fixture/many/TestCase056"},
			{"a failed build with no package event", "gotest-build-only.json", report.FormatGoTest,
				"error", client.Counts{Total: 1, Errored: 1}, "example.com/fixture/broken"},
			{"a test that timed out", "gotest-timeout.json", report.FormatGoTest,
				"fail", client.Counts{Total: 2, Passed: 1, Failed: 1}, "example.com/fixture/slow/TestHangs"},
			{"Node's reporter with test cases outside any suite", "node-junit.xml", report.FormatJUnit,
				"fail", client.Counts{Total: 12, Passed: 4, Failed: 6, Skipped: 2}, "divides"},
			{"a UTF-16 JUnit file", "junit-utf16.xml", report.FormatJUnit,
				"error", client.Counts{Total: 11, Passed: 3, Failed: 4, Errored: 2, Skipped: 2}, "test_divides"},
			{"a pytest run interrupted in its first test", "pytest-interrupted.xml", report.FormatJUnit,
				"error", client.Counts{Total: 1, Errored: 1}, "(no name)"},
			{"a pytest run ended by pytest.exit()", "pytest-exit.xml", report.FormatJUnit,
				"error", client.Counts{Total: 2, Passed: 1, Errored: 1}, "(no name)"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				data := reportFile(t, tc.file)
				it, err := e.admin.AddReport(e.ctx, b.ID, client.ReportOptions{Format: tc.format}, bytes.NewReader(data), int64(len(data)))
				if err != nil {
					t.Fatal(err)
				}
				if it.Result != tc.result || it.Counts != tc.counts {
					t.Errorf("result %s counts %+v, want %s %+v", it.Result, it.Counts, tc.result, tc.counts)
				}
				if it.Report == nil || len(it.Report.Failures) == 0 || it.Report.Failures[0].Name != tc.firstFailure {
					t.Errorf("report %+v, want the first failure named %q", it.Report, tc.firstFailure)
				}
				got, err := e.admin.GetItem(e.ctx, it.ID)
				if err != nil || got.Result != tc.result {
					t.Errorf("stored item: %+v, %v; want result %s", got, err, tc.result)
				}
			})
		}
	})
}

// A report whose parts disagree (a header claiming failures its test
// cases do not show, a test the stream never ends) is stored as an error
// naming what disagrees, never as the pass the rest of it shows.
func TestReportsThatContradictThemselvesAreErrors(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		b := newBundle(t, e, "contradictions", "v1")
		for _, tc := range []struct {
			name, format, body string
			counts             client.Counts
			firstFailure, says string
		}{
			{"a JUnit suite claiming nine failures over one passing test case", report.FormatJUnit,
				`<testsuites tests="10" failures="9"><testsuite name="s" tests="10" failures="9"><testcase name="a"/></testsuite></testsuites>`,
				client.Counts{Total: 3, Passed: 1, Errored: 2}, "s", "failures=9 errors=0 but the test cases show 0"},
			{"a go test stream whose test never ends in a package that passed", report.FormatGoTest,
				"{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"TestA\"}\n{\"Action\":\"pass\",\"Package\":\"p\"}\n",
				client.Counts{Total: 1, Errored: 1}, "p/TestA", "without an event saying how this test ended"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				it, err := e.admin.AddReport(e.ctx, b.ID, client.ReportOptions{Format: tc.format}, strings.NewReader(tc.body), int64(len(tc.body)))
				if err != nil {
					t.Fatal(err)
				}
				if it.Result != "error" || it.Counts != tc.counts {
					t.Errorf("result %s counts %+v, want error %+v", it.Result, it.Counts, tc.counts)
				}
				if it.Report == nil || len(it.Report.Failures) == 0 || it.Report.Failures[0].Name != tc.firstFailure ||
					!strings.Contains(it.Report.Failures[0].Message, tc.says) {
					t.Errorf("report %+v, want the first failure %q saying %q", it.Report, tc.firstFailure, tc.says)
				}
				got, err := e.admin.GetItem(e.ctx, it.ID)
				if err != nil || got.Result != "error" {
					t.Errorf("stored item: %+v, %v; want result error", got, err)
				}
			})
		}
	})
}

// A refusal points at the place in the report and never repeats what the
// report holds there.
func TestRefusedReportsNameThePositionNotTheContent(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		b := newBundle(t, e, "positions", "v1")
		canary := "ghp_" + strings.Repeat("Zq9", 12)
		for _, tc := range []struct {
			name, format, body, field string
		}{
			{"a mismatched end tag named after a secret", report.FormatJUnit,
				"<testsuites>\n<testsuite name=\"s\">\n<" + canary + "></testsuite>\n</testsuites>", "body:3:"},
			{"an unknown SARIF version holding a secret", report.FormatSARIF,
				`{"version":"` + canary + `","runs":[]}`, "body:1:1"},
			{"a SARIF value where a character is unexpected", report.FormatSARIF,
				"{\"version\":\"2.1.0\",\n\"runs\": [" + canary + "]}", "body:2:"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.do("POST", "/v1/evidence/bundles/"+b.ID+"/reports?format="+tc.format, adminToken, []byte(tc.body))
				p := r.problem(t)
				if r.status != 400 || p.Code != "malformed_report" || len(p.Errors) != 1 ||
					!strings.HasPrefix(p.Errors[0].Field, tc.field) || p.Errors[0].Code != "malformed_report" {
					t.Fatalf("%d %+v, want 400 malformed_report at %s", r.status, p, tc.field)
				}
				if bytes.Contains(r.body, []byte(canary[:10])) {
					t.Errorf("the refusal repeats the report: %s", r.body)
				}
			})
		}
	})
}
