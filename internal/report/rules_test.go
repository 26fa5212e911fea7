package report

import (
	"slices"
	"strings"
	"testing"
)

// These cases pin the result rules on small inputs written to show one
// rule each; the real reports in testdata/ show they hold on tools' output.
func TestParseAppliesTheResultRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, format, input string
		result              string
		counts              Counts
		durationMS          int64
		tool                string
		failures            []Failure
	}{
		{
			name: "a lone JUnit testsuite with an error is an error, located by file and line", format: FormatJUnit,
			input: `<testsuite name="solo" tests="3" time="1.5">
  <testcase name="test_a" classname="tests.test_a" file="tests/test_a.py" line="12"><failure message="assert 1 == 2">tests/test_a.py:12: AssertionError</failure></testcase>
  <testcase name="test_b" classname="tests.test_b"><error message="" type="RuntimeError"/></testcase>
  <testcase name="test_c" classname="tests.test_c" time="0.25"/>
</testsuite>`,
			result: ResultError, tool: "solo", durationMS: 1500,
			counts: Counts{Total: 3, Passed: 1, Failed: 1, Errored: 1},
			failures: []Failure{
				{Name: "test_a", Location: "tests/test_a.py:12", Message: "assert 1 == 2\ntests/test_a.py:12: AssertionError"},
				{Name: "test_b", Location: "tests.test_b", Message: "RuntimeError"},
			},
		},
		{
			name: "JUnit suites without a time attribute add up their test cases", format: FormatJUnit,
			input:  `<testsuites><testsuite name="a"><testcase name="x" time="0.25"/><testcase name="y" time="0.5"/></testsuite></testsuites>`,
			result: ResultPass, tool: "a", durationMS: 750,
			counts: Counts{Total: 2, Passed: 2},
		},
		{
			name: "JUnit with every test skipped is skipped", format: FormatJUnit,
			input:  `<testsuites><testsuite name="a"><testcase name="x"><skipped/></testcase></testsuite><testsuite name="b"/></testsuites>`,
			result: ResultSkip,
			counts: Counts{Total: 1, Skipped: 1},
		},
		{
			name: "JUnit with no tests at all proves nothing", format: FormatJUnit,
			input:  `<testsuites><testsuite name="empty"/></testsuites>`,
			result: ResultError, tool: "empty",
		},
		{
			name: "a go test stream with every test skipped is skipped", format: FormatGoTest,
			input: `{"Action":"skip","Package":"p","Test":"TestA"}
{"Action":"pass","Package":"p","Elapsed":0.0125}`,
			result: ResultSkip, tool: "go test", durationMS: 13,
			counts: Counts{Total: 1, Skipped: 1},
		},
		{
			name: "a package failing outside its tests is an error with its output", format: FormatGoTest,
			input: `{"Action":"start","Package":"p"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Output":"panic: TestMain forgot os.Exit\n"}
{"Action":"output","Package":"p","Output":"FAIL\n"}
{"Action":"fail","Package":"p","Elapsed":1}`,
			result: ResultError, tool: "go test", durationMS: 1000,
			counts:   Counts{Total: 2, Passed: 1, Errored: 1},
			failures: []Failure{{Name: "p", Location: "p", Message: "panic: TestMain forgot os.Exit"}},
		},
		{
			name: "build output before the events is one error and outranks the failed test", format: FormatGoTest,
			input: `# p
./p.go:3:1: syntax error

{"Action":"output","Package":"q","Test":"TestB","Output":"=== RUN   TestB\n"}
{"Action":"output","Package":"q","Test":"TestB","Output":"    q_test.go:5: boom\n"}
{"Action":"output","Package":"q","Test":"TestB","Output":"--- FAIL: TestB (0.00s)\n"}
{"Action":"fail","Package":"q","Test":"TestB"}
{"Action":"fail","Package":"q"}`,
			result: ResultError, tool: "go test",
			counts: Counts{Total: 2, Failed: 1, Errored: 1},
			failures: []Failure{
				{Name: "(non-JSON output)", Location: "line 1", Message: "# p\n./p.go:3:1: syntax error"},
				{Name: "q/TestB", Location: "q", Message: "q_test.go:5: boom"},
			},
		},
		{
			name: "SARIF levels come from the result, else its rule, else warning", format: FormatSARIF,
			input: `{"version":"2.1.0","runs":[{
  "tool":{"driver":{"name":"gosec","semanticVersion":"2.21.4","rules":[{"id":"G101","defaultConfiguration":{"level":"error"}},{"id":"G104","defaultConfiguration":{"level":"note"}}]}},
  "results":[
    {"ruleId":"G101","message":{"text":"credentials"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"main.go"},"region":{"startLine":7}}}]},
    {"ruleId":"G104","message":{"text":"unhandled error"}},
    {"ruleId":"G104","level":"warning","message":{"markdown":"**unhandled**"}},
    {"ruleId":"G999","message":{"text":"unknown rule"}},
    {"ruleId":"G101","kind":"pass","message":{"text":"checked"}},
    {"ruleId":"G101","suppressions":[{"kind":"inSource"}],"message":{"text":"ignored"}},
    {"ruleId":"G101","level":"none","message":{"text":"informational"}}
  ]}]}`,
			result: ResultFail, tool: "gosec 2.21.4",
			counts: Counts{Total: 7, Failed: 1, Warnings: 2, Notes: 2, None: 1, Suppressed: 1},
			failures: []Failure{
				{Name: "G101", Location: "main.go:7", Message: "credentials"},
				{Name: "G104", Message: "**unhandled**"},
				{Name: "G999", Message: "unknown rule"},
			},
		},
		{
			name: "SARIF kinds and levels the standard does not allow lose no problem", format: FormatSARIF,
			input: `{"version":"2.1.0","runs":[{
  "tool":{"driver":{"name":"gosec","rules":[{"id":"G401","defaultConfiguration":{"level":"error"}}]}},
  "results":[
    {"ruleId":"G401","kind":"Fail","message":{"text":"a kind SARIF does not have is a problem: the rule's level"}},
    {"ruleId":"G401","kind":"failure","level":"warning","message":{"text":"another"}},
    {"ruleId":"G401","kind":"open","message":{"text":"the tool could not tell"}},
    {"ruleId":"G401","kind":"review","level":"none","message":{"text":"a person must look"}},
    {"ruleId":"G401","kind":"fail","level":"none","message":{"text":"a problem of level none"}},
    {"ruleId":"G401","level":"critical","message":{"text":"not a SARIF level"}},
    {"ruleId":"G401","kind":"notApplicable","message":{"text":"does not apply"}},
    {"ruleId":"G401","kind":"informational","level":"none","message":{"text":"for information"}}
  ]}]}`,
			result: ResultFail, tool: "gosec",
			counts: Counts{Total: 8, Failed: 2, Warnings: 3, Notes: 1, None: 2},
			failures: []Failure{
				{Name: "G401", Message: "a kind SARIF does not have is a problem: the rule's level"},
				{Name: "G401", Message: "another"},
				{Name: "G401", Message: "the tool could not tell"},
				{Name: "G401", Message: "a person must look"},
				{Name: "G401", Message: "not a SARIF level"},
			},
		},
		{
			name: "a SARIF result without a level takes it from the rule its reference or index points at", format: FormatSARIF,
			input: `{"version":"2.1.0","runs":[{
  "tool":{"driver":{"name":"codeql","rules":[{"id":"D1","defaultConfiguration":{"level":"error"}},{"id":"D2","defaultConfiguration":{"level":"note"}}]},
    "extensions":[{"name":"pack","guid":"11111111-2222-3333-4444-555555555555","rules":[{"id":"js/sqli","guid":"aaaaaaaa-2222-3333-4444-555555555555","defaultConfiguration":{"level":"error"}},{"id":"js/xss","defaultConfiguration":{"level":"note"}}]}]},
  "results":[
    {"ruleIndex":0,"message":{"text":"by ruleIndex alone, in the driver"}},
    {"ruleId":"js/sqli","rule":{"id":"js/sqli","index":0,"toolComponent":{"index":0}},"message":{"text":"CodeQL's reference"}},
    {"rule":{"id":"js/sqli","toolComponent":{"name":"pack"}},"message":{"text":"by id, in the extension named"}},
    {"rule":{"guid":"aaaaaaaa-2222-3333-4444-555555555555","toolComponent":{"guid":"11111111-2222-3333-4444-555555555555"}},"message":{"text":"by guid"}},
    {"ruleIndex":1,"rule":{"toolComponent":{"index":0}},"message":{"text":"ruleIndex into the extension"}},
    {"ruleId":"D1/sub","ruleIndex":0,"message":{"text":"a hierarchical id below its rule"}},
    {"ruleId":"D2","ruleIndex":-1,"message":{"text":"ruleIndex -1 means none: found by id"}},
    {"ruleId":"js/sqli","message":{"text":"no component named: the driver, which lacks it"}}
  ]}]}`,
			result: ResultFail, tool: "codeql",
			counts: Counts{Total: 8, Failed: 5, Warnings: 1, Notes: 2},
			failures: []Failure{
				{Name: "D1", Message: "by ruleIndex alone, in the driver"},
				{Name: "js/sqli", Message: "CodeQL's reference"},
				{Name: "js/sqli", Message: "by id, in the extension named"},
				{Name: "js/sqli", Message: "by guid"},
				{Name: "D1/sub", Message: "a hierarchical id below its rule"},
				{Name: "js/sqli", Message: "no component named: the driver, which lacks it"},
			},
		},
		{
			name: "SARIF with only notes passes", format: FormatSARIF,
			input:  `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"level":"note","message":{"text":"fyi"}}]}]}`,
			result: ResultPass, tool: "x",
			counts: Counts{Total: 1, Notes: 1},
		},
		{
			name: "only suppressions all accepted or without a status suppress", format: FormatSARIF,
			input: `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[
    {"ruleId":"A","level":"error","message":{"text":"kept"},"suppressions":[{"kind":"external","status":"rejected"}]},
    {"ruleId":"B","level":"error","message":{"text":"reviewed"},"suppressions":[{"kind":"external","status":"underReview"}]},
    {"ruleId":"C","level":"error","message":{"text":"accepted"},"suppressions":[{"kind":"inSource","status":"accepted"}]},
    {"ruleId":"D","level":"error","message":{"text":"empty list"},"suppressions":[]},
    {"ruleId":"E","level":"error","message":{"text":"no status"},"suppressions":[{"kind":"inSource"}]},
    {"ruleId":"F","level":"error","message":{"text":"one rejected"},"suppressions":[{"kind":"inSource"},{"kind":"external","status":"rejected"}]}
  ]}]}`,
			result: ResultFail, tool: "x",
			counts: Counts{Total: 6, Failed: 4, Suppressed: 2},
			failures: []Failure{{Name: "A", Message: "kept"}, {Name: "B", Message: "reviewed"}, {Name: "D", Message: "empty list"},
				{Name: "F", Message: "one rejected"}},
		},
		{
			name: "a result repeated at a worse level counts once, at the worse level", format: FormatSARIF,
			input: `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[
    {"ruleId":"A","level":"note","message":{"text":"m"},"fingerprints":{"k":"1"}},
    {"ruleId":"A","level":"error","message":{"text":"m"},"fingerprints":{"k":"1"}}
  ]}]}`,
			result: ResultFail, tool: "x",
			counts:   Counts{Total: 1, Failed: 1, Duplicates: 1},
			failures: []Failure{{Name: "A", Message: "m"}},
		},
		{
			name: "an error-level tool notification makes the run an error", format: FormatSARIF,
			input: `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[],
  "invocations":[{"executionSuccessful":true,"toolExecutionNotifications":[{"level":"error","message":{"text":"out of memory"}}]}]}]}`,
			result: ResultError, tool: "x",
			counts:   Counts{Errored: 1},
			failures: []Failure{{Name: "x", Message: "the tool reports an error: out of memory"}},
		},
		{
			name: "a tool notification takes its level from the descriptor it names", format: FormatSARIF,
			input: `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","notifications":[
    {"id":"N1","defaultConfiguration":{"level":"note"}},{"id":"N2","defaultConfiguration":{"level":"error"}}]}},"results":[],
  "invocations":[{"executionSuccessful":true,"toolExecutionNotifications":[
    {"descriptor":{"id":"N1"},"message":{"text":"just a note"}},
    {"descriptor":{"index":1},"message":{"text":"could not load the package"}}]}]}]}`,
			result: ResultError, tool: "x",
			counts:   Counts{Errored: 1},
			failures: []Failure{{Name: "x", Message: "the tool reports an error: could not load the package"}},
		},
		{
			name: "a tool notification's descriptor is found by guid, and in the extension it names", format: FormatSARIF,
			input: `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","notifications":[
    {"id":"N1","defaultConfiguration":{"level":"error"}},{"id":"N2","guid":"G2","defaultConfiguration":{"level":"note"}}]},
    "extensions":[{"name":"pack","notifications":[{"id":"E1","defaultConfiguration":{"level":"note"}},{"id":"E2","defaultConfiguration":{"level":"error"}}]}]},
  "results":[],
  "invocations":[{"executionSuccessful":true,"toolExecutionNotifications":[
    {"descriptor":{"guid":"G2"},"message":{"text":"a note by guid, not descriptor 0"}},
    {"descriptor":{"id":"E1","toolComponent":{"index":0}},"message":{"text":"a note in the extension"}},
    {"descriptor":{"id":"E2","toolComponent":{"name":"pack"}},"message":{"text":"the extension failed"}}]}]}]}`,
			result: ResultError, tool: "x",
			counts:   Counts{Errored: 1},
			failures: []Failure{{Name: "x", Message: "the tool reports an error: the extension failed"}},
		},
		{
			name: "a run with neither results nor a finished invocation is an error", format: FormatSARIF,
			input:  `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}}}]}`,
			result: ResultError, tool: "x",
			counts:   Counts{Errored: 1},
			failures: []Failure{{Name: "x", Message: "the run has no results array and no invocation that finished"}},
		},
		{
			name: "a package that passes with a benchmark still running passed it", format: FormatGoTest,
			input: `{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"BenchmarkA"}
{"Action":"pass","Package":"p","Elapsed":0.5}`,
			result: ResultPass, tool: "go test", durationMS: 500,
			counts: Counts{Total: 1, Passed: 1},
		},
		{
			name: "a test the stream never ends is an error when its package passes", format: FormatGoTest,
			input: `{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"run","Package":"p","Test":"BenchmarkB/sub"}
{"Action":"pass","Package":"p","Elapsed":0.5}`,
			result: ResultError, tool: "go test", durationMS: 500,
			counts:   Counts{Total: 2, Passed: 1, Errored: 1},
			failures: []Failure{{Name: "p/TestA", Location: "p", Message: "the package passed without an event saying how this test ended"}},
		},
		{
			name: "a test left running is an error when its package is skipped", format: FormatGoTest,
			input: `{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"run","Package":"p","Test":"TestB"}
{"Action":"output","Package":"p","Test":"TestB","Output":"--- FAIL: TestB (0.00s)\n"}
{"Action":"skip","Package":"p","Elapsed":0.5}`,
			result: ResultError, tool: "go test", durationMS: 500,
			counts:   Counts{Total: 2, Passed: 1, Errored: 1},
			failures: []Failure{{Name: "p/TestB", Location: "p", Message: "the package was skipped without an event saying how this test ended"}},
		},
		{
			name: "what would reorder or hide the text around a failure is shown as U+FFFD", format: FormatJUnit,
			input: "<testsuite name=\"s\"><testcase name=\"test_ok\u202e\" file=\"cart\u2028.py\" line=\"12\">" +
				"<failure message=\"boom\">line one\n\tline two &#x9b;2K &#x2067;x&#x2069;</failure></testcase></testsuite>",
			result: ResultFail, tool: "s",
			counts:   Counts{Total: 1, Failed: 1},
			failures: []Failure{{Name: "test_ok\ufffd", Location: "cart\ufffd.py:12", Message: "boom\nline one\nline two \ufffd2K \ufffdx\ufffd"}},
		},
		{
			name: "a JUnit header claiming failures its test cases do not show is an error", format: FormatJUnit,
			input:  `<testsuites tests="10" failures="9"><testsuite name="s" tests="10" failures="9"><testcase name="a"/></testsuite></testsuites>`,
			result: ResultError, tool: "s",
			counts: Counts{Total: 3, Passed: 1, Errored: 2},
			failures: []Failure{
				{Name: "s", Location: "line 1", Message: "the suite's counts contradict its test cases: tests=10 but the test cases show 1; failures=9 errors=0 but the test cases show 0 failures or errors"},
				{Name: "testsuites", Location: "line 1", Message: "the suite's counts contradict its test cases: tests=10 but the test cases show 1; failures=9 errors=0 but the test cases show 0 failures or errors"},
			},
		},
		{
			name: "a JUnit header with counts that are not numbers or skips that are not there is an error", format: FormatJUnit,
			input: `<testsuite name="s" tests="x" skipped="1" disabled="2">
<testcase name="a"/></testsuite>`,
			result: ResultError, tool: "s",
			counts:   Counts{Total: 2, Passed: 1, Errored: 1},
			failures: []Failure{{Name: "s", Location: "line 1", Message: "the suite's counts contradict its test cases: tests is not a count; skipped=1 disabled=2 but the test cases show 0 skipped"}},
		},
		{
			name: "a JUnit header may count fewer than its test cases show, as pytest and Node do", format: FormatJUnit,
			input: `<testsuites><testsuite name="s" tests="2" failures="1" errors="0" skipped="0">
<testcase name="a"><failure/></testcase><testcase name="a"><error/></testcase><testcase name="b"/></testsuite></testsuites>`,
			result: ResultError, tool: "s",
			counts:   Counts{Total: 3, Passed: 1, Failed: 1, Errored: 1},
			failures: []Failure{{Name: "a"}, {Name: "a"}},
		},
		{
			name: "a package that ran nothing proves nothing", format: FormatGoTest,
			input: `{"Action":"start","Package":"p"}
{"Action":"output","Package":"p","Output":"testing: warning: no tests to run\n"}
{"Action":"pass","Package":"p","Elapsed":0.01}`,
			result: ResultError, tool: "go test", durationMS: 10,
		},
		{
			name: "a JUnit test case that fails and errors counts once, as an error", format: FormatJUnit,
			input:  `<testsuite name="s"><testcase name="t"><failure message="f"/><error message="e"/></testcase></testsuite>`,
			result: ResultError, tool: "s",
			counts:   Counts{Total: 1, Errored: 1},
			failures: []Failure{{Name: "t", Message: "e"}},
		},
		{
			// No tool writes this; it is the smallest document that lists no test.
			name: "an empty testsuites document proves nothing", format: FormatJUnit,
			input:  `<testsuites/>`,
			result: ResultError,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.format, strings.NewReader(tt.input), limit)
			if err != nil {
				t.Fatal(err)
			}
			if s.Result != tt.result || s.Tool != tt.tool || s.DurationMS != tt.durationMS {
				t.Errorf("result, tool, duration = %q, %q, %d; want %q, %q, %d", s.Result, s.Tool, s.DurationMS, tt.result, tt.tool, tt.durationMS)
			}
			if s.Counts != tt.counts || !s.Counts.AddsUp(tt.format) {
				t.Errorf("counts = %+v (adds up: %v), want %+v", s.Counts, s.Counts.AddsUp(tt.format), tt.counts)
			}
			if !slices.Equal(s.Failures, tt.failures) {
				t.Errorf("failures =\n%#v\nwant\n%#v", s.Failures, tt.failures)
			}
		})
	}
}
