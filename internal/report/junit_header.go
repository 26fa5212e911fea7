package report

import (
	"encoding/xml"
	"strconv"
	"strings"
)

// junitHeader is what a <testsuite>'s (or the <testsuites> root's) own
// attributes claim, beside what the test cases inside it, at any depth,
// show.
//
// The tools disagree on what the attributes count, so a header may claim
// less than its test cases show, never more:
//
//   - Surefire counts every run of a rerun test (tests="6" over four test
//     cases with a rerunFailure and a rerunError; failures="1" over a
//     flakyFailure that passed on its rerun), so each rerun or flaky
//     element is a run and a failure or error seen;
//   - pytest counts a test that fails and then errors in teardown once,
//     though it writes two test cases;
//   - Node counts a suite's direct children (a nested suite is one test,
//     failed or skipped when anything in it was).
//
// A header that claims more (failures the test cases do not show, tests
// that are not there) contradicts its report: which of the two is true is
// a guess, and one of them is not a pass.
type junitHeader struct {
	name  string // the suite's name, or "testsuites" for the root
	line  int    // where it starts
	depth int

	// Claimed, -1 when the attribute is absent; -2 when it is not a count.
	tests, failures, errors, skipped, disabled int

	// Seen in the test cases inside it.
	runs, failed, skipped2 int
}

// newJUnitHeader reads the counts a suite or root claims.
func newJUnitHeader(el xml.StartElement, depth, line int) *junitHeader {
	name := el.Name.Local
	if n := attr(el, "name"); name == "testsuite" && n != "" {
		name = n
	}
	return &junitHeader{name: name, line: line, depth: depth,
		tests: count(attr(el, "tests")), failures: count(attr(el, "failures")),
		errors: count(attr(el, "errors")), skipped: count(attr(el, "skipped")),
		disabled: count(attr(el, "disabled"))}
}

// count reads a count attribute: -1 when absent, -2 when not a count.
func count(v string) int {
	if v == "" {
		return -1
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return -2
	}
	return n
}

// sawCase notes a finished test case in every suite around it.
func (j *junitReader) sawCase(c *junitCase) {
	for _, h := range j.headers {
		h.runs++
		if c.skipped {
			h.skipped2++
		}
	}
}

// sawOutcome notes an element directly inside the current test case that
// a header may count: a failure or error, or one of Surefire's reruns.
func (j *junitReader) sawOutcome(name string) {
	rerun := false
	switch name {
	case "failure", "error":
	case "rerunFailure", "rerunError", "flakyFailure", "flakyError":
		rerun = true
	default:
		return
	}
	for _, h := range j.headers {
		h.failed++
		if rerun {
			h.runs++
		}
	}
}

// checkHeader counts a header that claims more than its test cases show
// as one error, saying which numbers disagree.
func (j *junitReader) checkHeader(h *junitHeader) {
	var bad []string
	for _, a := range []struct {
		attr  string
		claim int
	}{{"tests", h.tests}, {"failures", h.failures}, {"errors", h.errors}, {"skipped", h.skipped}, {"disabled", h.disabled}} {
		if a.claim == -2 {
			bad = append(bad, a.attr+" is not a count")
		}
	}
	if h.tests > h.runs {
		bad = append(bad, "tests="+strconv.Itoa(h.tests)+" but the test cases show "+strconv.Itoa(h.runs))
	}
	// Tools differ on what is a failure and what an error; together they
	// must be there.
	if claim := max(h.failures, 0) + max(h.errors, 0); claim > h.failed {
		bad = append(bad, "failures="+strconv.Itoa(max(h.failures, 0))+" errors="+strconv.Itoa(max(h.errors, 0))+
			" but the test cases show "+strconv.Itoa(h.failed)+" failures or errors")
	}
	// Skipped and disabled are different tests (CTest, GoogleTest): each
	// must be there, so together they are checked against the test cases
	// that did not run.
	if claim := max(h.skipped, 0) + max(h.disabled, 0); claim > h.skipped2 {
		bad = append(bad, "skipped="+strconv.Itoa(max(h.skipped, 0))+" disabled="+strconv.Itoa(max(h.disabled, 0))+
			" but the test cases show "+strconv.Itoa(h.skipped2)+" skipped")
	}
	if len(bad) == 0 {
		return
	}
	j.counts.Errored++
	j.fs.add(h.name, "line "+strconv.Itoa(h.line),
		"the suite's counts contradict its test cases: "+strings.Join(bad, "; "))
}
