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

// The fixtures in testdata/ were produced by the real tools (go test -json,
// go-junit-report v2.1.0, staticcheck 2026.2.2) on a throwaway module whose
// calc package has a passing, a failing, a skipped and a table test, and
// whose strutil package passes. The broken ones are truncated copies.

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
	const calc = "example.com/rptmod/calc"
	const deprecated = "io/ioutil has been deprecated since Go 1.19: As of Go 1.16, the same functionality is now provided by package [io] or package [os], and those implementations should be preferred in new code. See the specific function documentation for details."
	tests := []struct {
		name, file, format string
		tool, result       string
		counts             Counts
		durationMS         int64
		failures           []Failure
	}{
		{
			name: "a failing go test -json stream lists its failed tests and subtests", file: "gotest-fail.json", format: FormatGoTest,
			tool: "go test", result: "fail", durationMS: 9,
			counts: Counts{Total: 9, Passed: 5, Failed: 3, Skipped: 1},
			failures: []Failure{
				{Name: calc + "/TestDiv", Location: calc, Message: "calc_test.go:16: Div(7, 2) = 4, want 3"},
				{Name: calc + "/TestTable/rounds_down", Location: calc, Message: "calc_test.go:38: Div(7, 2) = 4, want 3"},
				{Name: calc + "/TestTable", Location: calc},
			},
		},
		{
			name: "a passing go test -json stream passes", file: "gotest-pass.json", format: FormatGoTest,
			tool: "go test", result: "pass", durationMS: 9,
			counts: Counts{Total: 4, Passed: 4},
		},
		{
			name: "a package that does not build is an error with its compiler output", file: "gotest-build-error.json", format: FormatGoTest,
			tool: "go test", result: "error", durationMS: 4,
			counts: Counts{Total: 3, Passed: 3, Errored: 1},
			failures: []Failure{{
				Name: "example.com/rptmod/broken", Location: "example.com/rptmod/broken",
				Message: "# example.com/rptmod/broken [example.com/rptmod/broken.test]\n" +
					`broken/broken.go:5:28: cannot use "forty-two" (untyped string constant) as int value in return statement`,
			}},
		},
		{
			name: "a go test stream cut mid-line counts the partial line as an error", file: "gotest-truncated.json", format: FormatGoTest,
			tool: "go test", result: "fail",
			counts: Counts{Total: 3, Passed: 1, Failed: 1, Skipped: 1, Errored: 1},
			failures: []Failure{
				{Name: calc + "/TestDiv", Location: calc, Message: "calc_test.go:16: Div(7, 2) = 4, want 3"},
				{Name: "(non-JSON output)", Location: "line 19", Message: `{"Time":"2026-11-23T19:33:11.302431864Z","Action":"run","Package":"example.com/rptmod/calc","Test":`},
			},
		},
		{
			name: "a failing go-junit-report file lists failures with their class as location", file: "junit-fail.xml", format: FormatJUnit,
			result: "fail", durationMS: 8,
			counts: Counts{Total: 9, Passed: 5, Failed: 3, Skipped: 1},
			failures: []Failure{
				{Name: "TestDiv", Location: calc, Message: "Failed\ncalc_test.go:16: Div(7, 2) = 4, want 3"},
				{Name: "TestTable", Location: calc, Message: "Failed"},
				{Name: "TestTable/rounds_down", Location: calc, Message: "Failed\ncalc_test.go:38: Div(7, 2) = 4, want 3"},
			},
		},
		{
			name: "a passing go-junit-report file passes with the suites' own times", file: "junit-pass.xml", format: FormatJUnit,
			result: "pass", durationMS: 7,
			counts: Counts{Total: 4, Passed: 4},
		},
		{
			name: "staticcheck findings of error and warning level fail the report", file: "staticcheck.sarif", format: FormatSARIF,
			tool: "Staticcheck 2026.2.2", result: "fail",
			counts: Counts{Total: 6, Failed: 2, Warnings: 4},
			failures: []Failure{
				{Name: "SA1019", Location: "lint/lint.go:5", Message: deprecated},
				{Name: "U1000", Location: "lint/lint.go:11", Message: "func unusedHelper is unused"},
				{Name: "SA4006", Location: "lint/lint.go:20", Message: "this value of n is never used"},
				{Name: "SA4000", Location: "lint/lint.go:27", Message: "identical expressions on the left and right side of the '==' operator"},
				{Name: "SA1000", Location: "lint/lint.go:32", Message: "error parsing regexp: missing closing ]: `[a-z`"},
				{Name: "SA5000", Location: "lint/lint.go:38", Message: "assignment to nil map"},
			},
		},
		{
			name: "staticcheck findings of warning level only warn", file: "staticcheck-warn.sarif", format: FormatSARIF,
			tool: "Staticcheck 2026.2.2", result: "warn",
			counts: Counts{Total: 4, Warnings: 4},
			failures: []Failure{
				{Name: "SA1019", Location: "warnonly/warnonly.go:5", Message: deprecated},
				{Name: "U1000", Location: "warnonly/warnonly.go:10", Message: "func unusedHelper is unused"},
				{Name: "SA4006", Location: "warnonly/warnonly.go:19", Message: "this value of n is never used"},
				{Name: "SA4000", Location: "warnonly/warnonly.go:26", Message: "identical expressions on the left and right side of the '==' operator"},
			},
		},
		{
			name: "a staticcheck run without findings passes", file: "staticcheck-clean.sarif", format: FormatSARIF,
			tool: "Staticcheck 2026.2.2", result: "pass",
		},
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
			if s.DurationMS != tt.durationMS {
				t.Errorf("duration = %d ms, want %d", s.DurationMS, tt.durationMS)
			}
			if s.Failures == nil || !slices.Equal(s.Failures, tt.failures) {
				t.Errorf("failures =\n%#v\nwant\n%#v", s.Failures, tt.failures)
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

func TestParseSaysWhereAReportBroke(t *testing.T) {
	tests := []struct {
		name, format, file, input string
		want                      ParseError
	}{
		{
			name: "a truncated JUnit file breaks at its end", format: FormatJUnit, file: "junit-broken.xml",
			want: ParseError{Format: FormatJUnit, Line: 10, Column: 10, Msg: "unexpected EOF"},
		},
		{
			name: "a truncated SARIF log breaks just past its last byte", format: FormatSARIF, file: "sarif-broken.sarif",
			want: ParseError{Format: FormatSARIF, Line: 1, Column: 3001, Msg: "unexpected end of JSON input"},
		},
		{
			name: "go test output without -json has no event on its first line", format: FormatGoTest, file: "gotest-garbage.json",
			want: ParseError{Format: FormatGoTest, Line: 1, Column: 1, Msg: "no test2json events; first line: invalid character '=' looking for beginning of value"},
		},
		{
			name: "a mismatched JUnit end tag breaks on its line", format: FormatJUnit,
			input: "<testsuite>\n  <testcase name=\"a\">\n  </testsuite>\n",
			want:  ParseError{Format: FormatJUnit, Line: 3, Column: 15, Msg: "element <testcase> closed by </testsuite>"},
		},
		{
			name: "XML without a test suite is not a JUnit report", format: FormatJUnit,
			input: "<?xml version=\"1.0\"?>\n<project><target/></project>\n",
			want:  ParseError{Format: FormatJUnit, Msg: "no <testsuite> element: not a JUnit report"},
		},
		{
			name: "JUnit nested absurdly deep is refused where the limit is crossed", format: FormatJUnit,
			input: "<testsuites>\n" + strings.Repeat("<x>", 16) + "</testsuites>",
			want:  ParseError{Format: FormatJUnit, Line: 2, Column: 49, Msg: "elements nested more than 16 deep"},
		},
		{
			name: "a pretty-printed SARIF log breaks on the right line and column", format: FormatSARIF,
			input: "{\n  \"version\": \"2.1.0\",\n  \"runs\": [}\n",
			want:  ParseError{Format: FormatSARIF, Line: 3, Column: 12, Msg: "invalid character '}' looking for beginning of value"},
		},
		{
			name: "a SARIF log of another version is refused", format: FormatSARIF,
			input: `{"version": "2.0.0", "runs": []}`,
			want:  ParseError{Format: FormatSARIF, Msg: `version "2.0.0" is not SARIF 2.1.0`},
		},
		{
			name: "a SARIF field of the wrong type breaks where the value ends", format: FormatSARIF,
			input: "{\"version\": \"2.1.0\",\n\"runs\": 7}",
			want:  ParseError{Format: FormatSARIF, Line: 2, Column: 9, Msg: "json: cannot unmarshal number into Go struct field Report.runs of type []*sarif.Run"},
		},
		{
			name: "an empty go test stream has no events", format: FormatGoTest, input: "\n\n",
			want: ParseError{Format: FormatGoTest, Line: 1, Msg: "empty stream: no test2json events"},
		},
		{
			name: "JSON lines without an Action are not events", format: FormatGoTest, input: "\n{\"Test\": \"x\"}\n",
			want: ParseError{Format: FormatGoTest, Line: 2, Column: 1, Msg: "no test2json events; first line: JSON without an Action: not a test2json event"},
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
