package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The fixtures in testdata/ were made by running the real tools on the
// sample projects in testdata/projects; testdata/make-fixtures.sh remakes
// them and testdata/README.md lists the command behind each file. Counts
// and names do not change when they are remade (durations do, so only the
// rule tests pin those).

const limit = 10 << 20

// parseFile parses testdata/name and returns the summary, the raw bytes so
// tests can check the digest, and the error.
func parseFile(t *testing.T, format, name string) (*Summary, []byte, error) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(format, bytes.NewReader(data), limit)
	return s, data, err
}

func TestParseSummarisesRealReports(t *testing.T) {
	t.Parallel()
	const calc, slow, many = "example.com/fixture/calc/", "example.com/fixture/slow/", "example.com/fixture/many/"
	pytest := []string{"test_divides", "test_uses_database", "test_fixed_bug", "test_table[7-2-3]", "test_fails_and_leaks", "test_fails_and_leaks"}
	pytestCounts := Counts{Total: 11, Passed: 3, Failed: 4, Errored: 2, Skipped: 2}
	tests := []struct {
		name, file, format string
		tool, result       string
		counts             Counts
		failing            []string // names of the listed failures, in order
		first              string   // text the first failure's message contains
	}{
		// go test -json
		{name: "a failing go test stream lists its failed tests and subtests", file: "gotest-fail.json", format: FormatGoTest,
			tool: "go test", result: ResultFail, counts: Counts{Total: 7, Passed: 3, Failed: 3, Skipped: 1},
			failing: []string{calc + "TestDiv", calc + "TestTable/rounds_down", calc + "TestTable"}, first: "Div(7, 2) = 4, want 3"},
		{name: "a passing go test stream passes", file: "gotest-pass.json", format: FormatGoTest,
			tool: "go test", result: ResultPass, counts: Counts{Total: 124, Passed: 124}},
		{name: "a package that does not build is an error with its compiler output", file: "gotest-build-error.json", format: FormatGoTest,
			tool: "go test", result: ResultError, counts: Counts{Total: 5, Passed: 4, Errored: 1},
			failing: []string{"example.com/fixture/broken"}, first: "cannot use"},
		{name: "a test that timed out is a failure named with the test", file: "gotest-timeout.json", format: FormatGoTest,
			tool: "go test", result: ResultFail, counts: Counts{Total: 2, Passed: 1, Failed: 1},
			failing: []string{slow + "TestHangs"}, first: "panic: test timed out after 2s"},
		{name: "a benchmark-only package run with -bench passes", file: "gotest-bench.json", format: FormatGoTest,
			tool: "go test", result: ResultPass, counts: Counts{Total: 2, Passed: 2}},
		{name: "go: downloading lines before the stream are not errors", file: "gotest-downloading.json", format: FormatGoTest,
			tool: "go test", result: ResultPass, counts: Counts{Total: 1, Passed: 1}},
		{name: "a passing stream cut after 300 lines is an error naming the test left running", file: "gotest-cut.json", format: FormatGoTest,
			tool: "go test", result: ResultError, counts: Counts{Total: 60, Passed: 59, Errored: 1},
			failing: []string{many + "TestCase056"}, first: "the stream ended before this test did"},
		{name: "a stream cut mid-line is an error even though a test failed", file: "gotest-truncated.json", format: FormatGoTest,
			tool: "go test", result: ResultError, counts: Counts{Total: 6, Passed: 1, Failed: 1, Skipped: 1, Errored: 3},
			failing: []string{calc + "TestDiv", "(non-JSON output)", calc + "TestTable", calc + "TestTable/exact"}, first: "Div(7, 2) = 4, want 3"},
		{name: "a rerun cut off after a full pass is an error, not the first run's pass", file: "gotest-rerun-cut.json", format: FormatGoTest,
			tool: "go test", result: ResultError, counts: Counts{Total: 184, Passed: 183, Errored: 1},
			failing: []string{many + "TestCase056"}, first: "the stream ended before this test did"},
		{name: "a build that failed with no package event is an errored package", file: "gotest-build-only.json", format: FormatGoTest,
			tool: "go test", result: ResultError, counts: Counts{Total: 1, Errored: 1},
			failing: []string{"example.com/fixture/broken"}, first: "cannot use"},
		{name: "a go test run where no test ran proves nothing", file: "gotest-none.json", format: FormatGoTest,
			tool: "go test", result: ResultError},
		// JUnit XML
		{name: "a JUnit file without test cases proves nothing", file: "gotestsum-none.xml", format: FormatJUnit,
			tool: "example.com/fixture/calc", result: ResultError},
		{name: "test cases inside an unknown element count", file: "junit-wrapped.xml", format: FormatJUnit,
			result: ResultPass, counts: Counts{Total: 3, Passed: 2, Skipped: 1}},
		{name: "gotestsum's JUnit file counts every test case", file: "gotestsum-fail.xml", format: FormatJUnit,
			result: ResultFail, counts: Counts{Total: 11, Passed: 7, Failed: 3, Skipped: 1},
			failing: []string{"TestDiv", "TestTable/rounds_down", "TestTable"}, first: "Div(7, 2) = 4, want 3"},
		{name: "Node's reporter counts test cases outside any suite", file: "node-junit.xml", format: FormatJUnit,
			result: ResultFail, counts: Counts{Total: 12, Passed: 4, Failed: 6, Skipped: 2},
			failing: []string{"divides", "throws", "async rejection", "rounds down", "negative is negative infinity", "second"},
			first:   "Expected values to be strictly equal"},
		{name: "a Node file with only top-level tests is accepted", file: "node-junit-top.xml", format: FormatJUnit,
			result: ResultPass, counts: Counts{Total: 3, Passed: 2, Skipped: 1}},
		{name: "pytest xunit1 locates failures by file and line", file: "pytest-xunit1.xml", format: FormatJUnit,
			tool: "pytest", result: ResultError, counts: pytestCounts, failing: pytest, first: "assert 4 == 3"},
		{name: "pytest xunit2 counts the same as xunit1", file: "pytest-xunit2.xml", format: FormatJUnit,
			tool: "pytest", result: ResultError, counts: pytestCounts, failing: pytest, first: "assert 4 == 3"},
		{name: "a UTF-16 JUnit file with a byte order mark is decoded", file: "junit-utf16.xml", format: FormatJUnit,
			tool: "pytest", result: ResultError, counts: pytestCounts, failing: pytest, first: "assert 4 == 3"},
		{name: "a pytest run ended by pytest.exit() is an error, not two passed tests", file: "pytest-exit.xml", format: FormatJUnit,
			tool: "pytest", result: ResultError, counts: Counts{Total: 2, Passed: 1, Errored: 1},
			failing: []string{"(no name)"}, first: "a test case with no name"},
		{name: "an interrupted pytest run is an error, not a pass", file: "pytest-interrupted.xml", format: FormatJUnit,
			tool: "pytest", result: ResultError, counts: Counts{Total: 1, Errored: 1},
			failing: []string{"(no name)"}, first: "a test case with no name"},
		{name: "a CTest run of a disabled and a skipped test ran nothing", file: "ctest-disabled.xml", format: FormatJUnit,
			tool: "(empty)", result: ResultSkip, counts: Counts{Total: 2, Skipped: 2}},
		{name: "Surefire's report separates failures from errors", file: "surefire-calc.xml", format: FormatJUnit,
			tool: "example.CalcTest", result: ResultError, counts: Counts{Total: 4, Passed: 1, Failed: 1, Errored: 1, Skipped: 1},
			failing: []string{"divides", "divideByZero"}, first: "expected:<3> but was:<4>"},
		{name: "a Surefire test that passed on a rerun passes", file: "surefire-flaky.xml", format: FormatJUnit,
			tool: "example.FlakyTest", result: ResultPass, counts: Counts{Total: 1, Passed: 1}},
		{name: "Ant's junit task report counts like Surefire's", file: "ant-calc.xml", format: FormatJUnit,
			tool: "example.CalcTest", result: ResultError, counts: Counts{Total: 4, Passed: 1, Failed: 1, Errored: 1, Skipped: 1},
			failing: []string{"divides", "divideByZero"}, first: "expected:<3> but was:<4>"},
		{name: "Ant's junitreport merges suites into one file", file: "ant-junitreport.xml", format: FormatJUnit,
			result: ResultError, counts: Counts{Total: 7, Passed: 3, Failed: 2, Errored: 1, Skipped: 1},
			failing: []string{"divides", "divideByZero", "secondTimeLucky"}, first: "expected:<3> but was:<4>"},
		{name: "the JUnit 5 console launcher counts disabled and aborted tests as skipped", file: "junit5-console.xml", format: FormatJUnit,
			tool: "JUnit Jupiter", result: ResultError, counts: Counts{Total: 8, Passed: 3, Failed: 2, Errored: 1, Skipped: 2},
			failing: []string{"divides()", "table(int, int, int)[2]", "divideByZero()"}, first: "expected: <3> but was: <4>"},
		// SARIF
		{name: "staticcheck findings fall in exactly one bucket each", file: "staticcheck.sarif", format: FormatSARIF,
			tool: "Staticcheck 2026.2.2", result: ResultFail, counts: Counts{Total: 7, Failed: 2, Warnings: 4, Suppressed: 1},
			failing: []string{"SA1019", "U1000", "SA4006", "SA4000", "SA1000", "SA5000"}, first: "io/ioutil has been deprecated"},
		{name: "a clean staticcheck run without a results array passes", file: "staticcheck-clean.sarif", format: FormatSARIF,
			tool: "Staticcheck 2026.2.2", result: ResultPass},
		{name: "a staticcheck run that could not compile a package is an error", file: "staticcheck-compile-error.sarif", format: FormatSARIF,
			tool: "Staticcheck 2026.2.2", result: ResultError, counts: Counts{Total: 2, Warnings: 2, Errored: 1},
			failing: []string{"Staticcheck 2026.2.2", "compile", "compile"}, first: "did not compile"},
		{name: "gosec counts a #nosec finding as suppressed", file: "gosec.sarif", format: FormatSARIF,
			tool: "gosec dev", result: ResultFail, counts: Counts{Total: 5, Failed: 3, Warnings: 1, Suppressed: 1},
			failing: []string{"G401", "G304", "G501", "G104"}, first: "weak cryptographic primitive"},
		{name: "a result listed twice counts once, as a duplicate", file: "sarif-duplicate.sarif", format: FormatSARIF,
			tool: "gosec dev", result: ResultFail, counts: Counts{Total: 5, Failed: 3, Warnings: 1, Suppressed: 1, Duplicates: 1},
			failing: []string{"G401", "G304", "G501", "G104"}, first: "weak cryptographic primitive"},
		{name: "SARIF names are case-sensitive: a cased second results array changes nothing", file: "sarif-results-cased.sarif", format: FormatSARIF,
			tool: "Staticcheck 2026.2.2", result: ResultFail, counts: Counts{Total: 7, Failed: 2, Warnings: 4, Suppressed: 1},
			failing: []string{"SA1019", "U1000", "SA4006", "SA4000", "SA1000", "SA5000"}, first: "io/ioutil has been deprecated"},
		{name: "results of different rules sharing a partial fingerprint stay distinct", file: "sarif-same-partial-fingerprint.sarif", format: FormatSARIF,
			tool: "gosec dev", result: ResultFail, counts: Counts{Total: 5, Failed: 3, Warnings: 1, Suppressed: 1},
			failing: []string{"G401", "G304", "G501", "G104"}, first: "weak cryptographic primitive"},
		{name: "a suppression under review does not suppress", file: "sarif-suppression-under-review.sarif", format: FormatSARIF,
			tool: "gosec dev", result: ResultFail, counts: Counts{Total: 5, Failed: 4, Warnings: 1},
			failing: []string{"G401", "G401", "G304", "G501", "G104"}, first: "weak cryptographic primitive"},
		{name: "govulncheck reports a called vulnerable function as an error", file: "govulncheck.sarif", format: FormatSARIF,
			tool: "govulncheck v1.9.0", result: ResultFail, counts: Counts{Total: 1, Failed: 1},
			failing: []string{"GO-2022-1059"}, first: "calls vulnerable functions"},
		{name: "ESLint's SARIF formatter marks eslint-disable as suppressed", file: "eslint.sarif", format: FormatSARIF,
			tool: "ESLint 10.15.0", result: ResultFail, counts: Counts{Total: 7, Failed: 4, Warnings: 2, Suppressed: 1},
			failing: []string{"no-unused-vars", "eqeqeq", "no-undef", "no-console", "no-undef", "no-undef"}, first: "is assigned a value but never used"},
		{name: "an ESLint run that could not parse a file did not finish", file: "eslint-parse-error.sarif", format: FormatSARIF,
			tool: "ESLint 10.15.0", result: ResultError, counts: Counts{Errored: 1},
			failing: []string{"ESLint 10.15.0"}, first: "executionSuccessful is false"},
		{name: "a CodeQL result takes the level of its rule in the query pack extension", file: "codeql-extension-rules.sarif", format: FormatSARIF,
			tool: "CodeQL 2.20.1", result: ResultFail, counts: Counts{Total: 2, Failed: 1, Notes: 1},
			failing: []string{"js/sql-injection"}, first: "depends on a [user-provided value]"},
		{name: "a run that says it did not finish is an error, not a pass", file: "sarif-not-finished.sarif", format: FormatSARIF,
			tool: "Staticcheck 2026.2.2", result: ResultError, counts: Counts{Errored: 1},
			failing: []string{"Staticcheck 2026.2.2"}, first: "did not finish"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, data, err := parseFile(t, tt.format, tt.file)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			digest := sha256.Sum256(data)
			if s.Format != tt.format || s.Tool != tt.tool || s.Result != tt.result {
				t.Errorf("format, tool, result = %q, %q, %q; want %q, %q, %q", s.Format, s.Tool, s.Result, tt.format, tt.tool, tt.result)
			}
			if s.Counts != tt.counts {
				t.Errorf("counts = %+v, want %+v", s.Counts, tt.counts)
			}
			if !s.Counts.AddsUp(tt.format) {
				t.Errorf("counts %+v do not add up", s.Counts)
			}
			names := []string{}
			for _, f := range s.Failures {
				names = append(names, f.Name)
			}
			if tt.failing == nil {
				tt.failing = []string{}
			}
			if !slices.Equal(names, tt.failing) {
				t.Errorf("failing = %q, want %q", names, tt.failing)
			}
			if tt.first != "" && (len(s.Failures) == 0 || !strings.Contains(s.Failures[0].Message, tt.first)) {
				t.Errorf("first failure = %+v, want its message to contain %q", s.Failures, tt.first)
			}
			if s.Truncated {
				t.Error("failures truncated, want all listed")
			}
			if s.SHA256 != hex.EncodeToString(digest[:]) || s.Size != int64(len(data)) {
				t.Errorf("sha256, size = %s, %d; want %x, %d", s.SHA256, s.Size, digest, len(data))
			}
		})
	}
}

func TestParseLocatesFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want Failure
	}{
		{"pytest-xunit1.xml", Failure{Name: "test_divides", Location: "test_sample.py:12"}},
		{"pytest-xunit2.xml", Failure{Name: "test_divides", Location: "test_sample"}},
		{"surefire-calc.xml", Failure{Name: "divides", Location: "example.CalcTest"}},
		{"gotestsum-fail.xml", Failure{Name: "TestDiv", Location: "example.com/fixture/calc"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s, _, err := parseFile(t, FormatJUnit, tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Failures[0]; got.Name != tt.want.Name || got.Location != tt.want.Location {
				t.Errorf("first failure at %q %q, want %q %q", got.Name, got.Location, tt.want.Name, tt.want.Location)
			}
		})
	}
}

func TestParseSaysWhereAReportBroke(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, format, file, input string
		want                      ParseError
	}{
		{
			name: "a truncated JUnit file breaks at its end", format: FormatJUnit, file: "junit-broken.xml",
			want: ParseError{Format: FormatJUnit, Line: -1, Msg: "unexpected EOF"}, // Line -1: at the last byte
		},
		{
			name: "a SARIF log naming results twice is refused where the second name starts", format: FormatSARIF, file: "sarif-results-twice.sarif",
			want: ParseError{Format: FormatSARIF, Line: 1, Column: 145292, Msg: "an object member name is given twice"},
		},
		{
			name: "a SARIF invocation naming executionSuccessful twice is refused", format: FormatSARIF, file: "sarif-success-twice.sarif",
			want: ParseError{Format: FormatSARIF, Line: 1, Column: 143180, Msg: "an object member name is given twice"},
		},
		{
			name: "a go test event naming its Action twice is refused on its line", format: FormatGoTest, file: "gotest-action-twice.json",
			want: ParseError{Format: FormatGoTest, Line: 10, Column: 58, Msg: "an object member name is given twice"},
		},
		{
			name: "a truncated SARIF log breaks just past its last byte", format: FormatSARIF, file: "sarif-broken.sarif",
			want: ParseError{Format: FormatSARIF, Line: 1, Column: 3001, Msg: "unexpected end of JSON input"},
		},
		{
			name: "a SARIF log whose runs are null proves nothing", format: FormatSARIF, file: "sarif-runs-null.sarif",
			want: ParseError{Format: FormatSARIF, Line: 1, Column: 134, Msg: "no runs: the log does not show that any tool ran"},
		},
		{
			name: "a SARIF log with an empty runs array proves nothing", format: FormatSARIF, file: "sarif-runs-empty.sarif",
			want: ParseError{Format: FormatSARIF, Line: 1, Column: 134, Msg: "no runs: the log does not show that any tool ran"},
		},
		{
			name: "a SARIF log with only a version proves nothing, located at its end", format: FormatSARIF, file: "sarif-no-runs.sarif",
			want: ParseError{Format: FormatSARIF, Line: 1, Column: 19, Msg: "no runs: the log does not show that any tool ran"},
		},
		{
			name: "a SARIF rule reference past the end of its rules is refused at the index", format: FormatSARIF, file: "sarif-rule-index-out-of-range.sarif",
			want: ParseError{Format: FormatSARIF, Line: 1, Column: 1122, Msg: "run 0, result 0: the rule index points at no rule of its tool component"},
		},
		{
			name: "a SARIF null result is refused, not read as a clean run", format: FormatSARIF, file: "sarif-results-null.sarif",
			want: ParseError{Format: FormatSARIF, Line: 1, Column: 143192, Msg: "a null where SARIF requires an object (runs[0].results[0])"},
		},
		{
			name: "a negative SARIF ruleIndex is refused at the index", format: FormatSARIF,
			input: `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","rules":[{"id":"A","defaultConfiguration":{"level":"error"}}]}},"results":[{"ruleIndex":-5,"message":{"text":"m"}}]}]}`,
			want:  ParseError{Format: FormatSARIF, Line: 1, Column: 146, Msg: "run 0, result 0: the rule index points at no rule of its tool component"},
		},
		{
			name: "a SARIF ruleIndex past the driver's rules is refused", format: FormatSARIF,
			input: `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","rules":[{"id":"A","defaultConfiguration":{"level":"error"}}]}},"results":[{"ruleIndex":99999999999,"message":{"text":"m"}}]}]}`,
			want:  ParseError{Format: FormatSARIF, Line: 1, Column: 146, Msg: "run 0, result 0: the rule index points at no rule of its tool component"},
		},
		{
			name: "a SARIF toolComponent index past the extensions is refused", format: FormatSARIF,
			input: `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","rules":[{"id":"A","defaultConfiguration":{"level":"error"}}]}},"results":[{"rule":{"index":0,"toolComponent":{"index":3}},"message":{"text":"m"}}]}]}`,
			want:  ParseError{Format: FormatSARIF, Line: 1, Column: 177, Msg: "run 0, result 0: rule.toolComponent.index points at no tool extension"},
		},
		{
			name: "a SARIF rule id that is not the indexed rule's is refused", format: FormatSARIF,
			input: `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","rules":[{"id":"A","defaultConfiguration":{"level":"error"}}]}},"results":[{"ruleId":"B","ruleIndex":0,"message":{"text":"m"}}]}]}`,
			want:  ParseError{Format: FormatSARIF, Line: 1, Column: 133, Msg: "run 0, result 0: the rule id or guid is not that of the rule at the rule index"},
		},
		{
			name: "a SARIF ruleId and rule.id that differ are refused", format: FormatSARIF,
			input: `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","rules":[{"id":"A","defaultConfiguration":{"level":"error"}}]}},"results":[{"ruleId":"A","rule":{"id":"B"},"message":{"text":"m"}}]}]}`,
			want:  ParseError{Format: FormatSARIF, Line: 1, Column: 133, Msg: "run 0, result 0: ruleId and rule.id differ"},
		},
		{
			name: "a SARIF ruleIndex and rule.index that differ are refused", format: FormatSARIF,
			input: `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","rules":[{"id":"A","defaultConfiguration":{"level":"error"}}]}},"results":[{"ruleIndex":0,"rule":{"index":1},"message":{"text":"m"}}]}]}`,
			want:  ParseError{Format: FormatSARIF, Line: 1, Column: 164, Msg: "run 0, result 0: ruleIndex and rule.index differ"},
		},
		{
			name: "a SARIF rule in a tool component the run lacks is refused", format: FormatSARIF,
			input: `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","rules":[{"id":"A","defaultConfiguration":{"level":"error"}}]}},"results":[{"rule":{"id":"A","toolComponent":{"name":"nope"}},"message":{"text":"m"}}]}]}`,
			want:  ParseError{Format: FormatSARIF, Line: 1, Column: 133, Msg: "run 0, result 0: rule.toolComponent names no tool component of the run"},
		},
		{
			name: "a SARIF null run is refused", format: FormatSARIF,
			input: `{"version":"2.1.0","runs":[null]}`,
			want:  ParseError{Format: FormatSARIF, Line: 1, Column: 28, Msg: "a null where SARIF requires an object (runs[0])"},
		},
		{
			name: "a SARIF null rule is refused", format: FormatSARIF,
			input: `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","rules":[null]}},"results":[]}]}`,
			want:  ParseError{Format: FormatSARIF, Line: 1, Column: 67, Msg: "a null where SARIF requires an object (runs[0].tool.driver.rules[0])"},
		},
		{
			name: "a SARIF null extension rule is refused", format: FormatSARIF,
			input: `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"},"extensions":[{"name":"p","rules":[{"id":"A"},null]}]},"results":[]}]}`,
			want:  ParseError{Format: FormatSARIF, Line: 1, Column: 105, Msg: "a null where SARIF requires an object (runs[0].tool.extensions[0].rules[1])"},
		},
		{
			name: "a SARIF null location is refused", format: FormatSARIF,
			input: `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"level":"error","message":{"text":"m"},"locations":[null]}]}]}`,
			want:  ParseError{Format: FormatSARIF, Line: 1, Column: 124, Msg: "a null where SARIF requires an object (runs[0].results[0].locations[0])"},
		},
		{
			name: "a SARIF null invocation is refused", format: FormatSARIF,
			input: `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"invocations":[null],"results":[]}]}`,
			want:  ParseError{Format: FormatSARIF, Line: 1, Column: 75, Msg: "a null where SARIF requires an object (runs[0].invocations[0])"},
		},
		{
			name: "go test output without -json has no event on its first line", format: FormatGoTest, file: "gotest-garbage.json",
			want: ParseError{Format: FormatGoTest, Line: 1, Column: 2, Msg: "no test2json events; first line: invalid character"},
		},
		{
			name: "a mismatched JUnit end tag breaks on its line, without quoting the names", format: FormatJUnit,
			input: "<testsuite>\n  <testcase name=\"a\">\n  </testsuite>\n",
			want:  ParseError{Format: FormatJUnit, Line: 3, Column: 15, Msg: "an element closed by the end tag of another"},
		},
		{
			name: "XML whose root is not a test suite is not a JUnit report", format: FormatJUnit,
			input: "<?xml version=\"1.0\"?>\n<project><target/></project>\n",
			want:  ParseError{Format: FormatJUnit, Line: 2, Column: 10, Msg: "the root element is neither testsuites nor testsuite: not a JUnit report"},
		},
		{
			name: "text without any element is not a JUnit report", format: FormatJUnit, input: "just text\n",
			want: ParseError{Format: FormatJUnit, Msg: "no root element: not a JUnit report"},
		},
		{
			name: "a JUnit file declaring another encoding is refused without quoting it", format: FormatJUnit,
			input: "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<testsuites/>\n",
			want:  ParseError{Format: FormatJUnit, Line: 1, Column: 44, Msg: "the document declares an encoding other than UTF-8 or UTF-16"},
		},
		{
			name: "JUnit nested absurdly deep is refused where the limit is crossed", format: FormatJUnit,
			input: "<testsuites>\n" + strings.Repeat("<x>", 16) + "</testsuites>",
			want:  ParseError{Format: FormatJUnit, Line: 2, Column: 49, Msg: "elements nested more than 16 deep"},
		},
		{
			name: "a pretty-printed SARIF log breaks on the right line and column", format: FormatSARIF,
			input: "{\n  \"version\": \"2.1.0\",\n  \"runs\": [}\n",
			want:  ParseError{Format: FormatSARIF, Line: 3, Column: 12, Msg: "invalid character"},
		},
		{
			name: "a SARIF log of another version is refused without quoting it", format: FormatSARIF,
			input: `{"version": "2.0.0", "runs": []}`,
			want:  ParseError{Format: FormatSARIF, Line: 1, Column: 1, Msg: "the version is not 2.1.0"},
		},
		{
			name: "a SARIF run without a tool name is refused where the run starts", format: FormatSARIF,
			input: "{\"version\": \"2.1.0\",\n\"runs\": [\n  {\"tool\": {\"driver\": {\"name\": \"x\"}}, \"results\": []},\n  {\"results\": []}]}",
			want:  ParseError{Format: FormatSARIF, Line: 4, Column: 3, Msg: "run 1 names no tool (tool.driver.name)"},
		},
		{
			name: "a SARIF field of the wrong type breaks where the value ends", format: FormatSARIF,
			input: "{\"version\": \"2.1.0\",\n\"runs\": 7}",
			want:  ParseError{Format: FormatSARIF, Line: 2, Column: 9, Msg: "a value has the wrong JSON type for its field"},
		},
		{
			name: "an empty go test stream has no events", format: FormatGoTest, input: "\n\n",
			want: ParseError{Format: FormatGoTest, Line: 1, Msg: "empty stream: no test2json events"},
		},
		{
			name: "JSON lines without an Action are not events", format: FormatGoTest, input: "\n{\"Test\": \"x\"}\n",
			want: ParseError{Format: FormatGoTest, Line: 2, Column: 1, Msg: "no test2json events; first line: JSON without an Action: not a test2json event"},
		},
		{
			name: "a JUnit testcase inside another testcase is refused, not counted as one pass", format: FormatJUnit,
			input: `<testsuites><testsuite name="s"><testcase name="a"><testcase name="b"><failure/></testcase></testcase></testsuite></testsuites>`,
			want:  ParseError{Format: FormatJUnit, Line: 1, Column: 71, Msg: "a testcase inside another testcase"},
		},
		{
			name: "a JUnit suite inside a testcase is refused: its failures would be nobody's", format: FormatJUnit,
			input: `<testsuites><testsuite name="s"><testcase name="a"><testsuite name="in" failures="3"/></testcase></testsuite></testsuites>`,
			want:  ParseError{Format: FormatJUnit, Line: 1, Column: 87, Msg: "a testsuite inside a testcase"},
		},
		{
			name: "a JUnit failure directly under a suite is refused", format: FormatJUnit,
			input: "<testsuite name=\"s\">\n<testcase name=\"a\"/>\n<failure message=\"x\"/>\n</testsuite>",
			want:  ParseError{Format: FormatJUnit, Line: 3, Column: 23, Msg: "a failure or error element not directly inside a testcase"},
		},
		{
			name: "a JUnit error inside a test case's output is refused", format: FormatJUnit,
			input: `<testsuite name="s"><testcase name="a"><system-out><error/></system-out></testcase></testsuite>`,
			want:  ParseError{Format: FormatJUnit, Line: 1, Column: 60, Msg: "a failure or error element not directly inside a testcase"},
		},
		{
			name: "two JUnit root elements back to back are not one document", format: FormatJUnit,
			input: "<testsuites><testcase name=\"a\"/></testsuites>\n<testsuites><testcase name=\"b\"/></testsuites>",
			want:  ParseError{Format: FormatJUnit, Line: 2, Column: 13, Msg: "a second root element after the first one ended: not one XML document"},
		},
		{
			name: "an element after the JUnit root says so, not that the root is wrong", format: FormatJUnit,
			input: "<testsuites/>\n<x/>",
			want:  ParseError{Format: FormatJUnit, Line: 2, Column: 5, Msg: "a second root element after the first one ended: not one XML document"},
		},
		{
			name: "text after the JUnit root is refused", format: FormatJUnit, input: "<testsuites/>garbage",
			want: ParseError{Format: FormatJUnit, Line: 1, Column: 21, Msg: "text after the root element ended: not one XML document"},
		},
		{
			name: "text before the JUnit root is refused", format: FormatJUnit, input: "garbage<testsuites/>",
			want: ParseError{Format: FormatJUnit, Line: 1, Column: 8, Msg: "text before the root element: not one XML document"},
		},
		{
			name: "a go test event with an unknown Action is refused on its line", format: FormatGoTest,
			input: "{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"TestA\"}\n{\"Action\":\"explode\",\"Package\":\"p\",\"Test\":\"TestA\"}\n{\"Action\":\"pass\",\"Package\":\"p\"}\n",
			want:  ParseError{Format: FormatGoTest, Line: 2, Msg: "an event with an Action test2json does not write"},
		},
		{
			name: "go: downloading lines alone are not a stream", format: FormatGoTest, input: "go: downloading golang.org/x/text v0.3.7\n",
			want: ParseError{Format: FormatGoTest, Line: 1, Msg: "empty stream: no test2json events"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := []byte(tt.input)
			if tt.file != "" {
				var err error
				if input, err = os.ReadFile(filepath.Join("testdata", tt.file)); err != nil {
					t.Fatal(err)
				}
			}
			if tt.want.Line == -1 {
				// Where the cut falls depends on how long the tool's
				// timings were; the decoder stops at the last byte.
				tt.want.Line = 1 + bytes.Count(input, []byte("\n"))
				tt.want.Column = len(input) - bytes.LastIndexByte(input, '\n')
			}
			s, err := Parse(tt.format, bytes.NewReader(input), limit)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse = %+v, %v; want a *ParseError", s, err)
			}
			if *pe != tt.want {
				t.Errorf("error = %#v\nwant    %#v", *pe, tt.want)
			}
		})
	}
}

func TestParseErrorReadsLikeAnEditorPosition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  ParseError
		want string
	}{
		{"line and column are both given", ParseError{FormatJUnit, 12, 5, "boom"}, "junit: line 12, column 5: boom"},
		{"a line without a column leaves the column out", ParseError{FormatJUnit, 12, 0, "boom"}, "junit: line 12: boom"},
		{"an unknown place leaves both out", ParseError{FormatSARIF, 0, 0, "boom"}, "sarif: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}
