package report

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// testEvent is one line of a `go test -json` stream, as test2json writes
// it, plus the build events `go test -json` adds since Go 1.24.
type testEvent struct {
	Action      string
	Package     string
	Test        string
	Elapsed     float64
	Output      string
	ImportPath  string // build-output and build-fail events
	FailedBuild string // on a package's fail event when its build failed
}

// goTest accumulates a stream. Output is kept per test only until the test
// ends, so memory follows the tests still running, not the whole stream.
type goTest struct {
	counts     Counts
	seconds    float64
	fs         failures
	testOutput map[string]*strings.Builder // by package + "\x00" + test
	pkgOutput  map[string]*strings.Builder // by package
	build      map[string]*strings.Builder // by build ImportPath
	pkgFailed  map[string]bool             // a test of the package failed
	events     int

	// The current run of lines that are not test2json events: build
	// output, a panic from a TestMain, or a stream cut short.
	badStart int
	bad      []string
}

// parseGoTest summarises a `go test -json` stream. Lines that are not
// events are tolerated (go test mixes in build output) and count as errors,
// but a stream with no event at all is not a go test stream.
func parseGoTest(data []byte) (*Summary, error) {
	g := &goTest{
		testOutput: map[string]*strings.Builder{},
		pkgOutput:  map[string]*strings.Builder{},
		build:      map[string]*strings.Builder{},
		pkgFailed:  map[string]bool{},
	}
	var first *ParseError // why the first non-event line was rejected
	lineNo := 0
	for len(data) > 0 {
		lineNo++
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimRight(line, "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var ev testEvent
		err := json.Unmarshal(line, &ev)
		if err == nil && ev.Action != "" {
			g.flushBad()
			g.event(ev)
			continue
		}
		if first == nil {
			if err != nil {
				first = jsonError(FormatGoTest, line, err)
				first.Line = lineNo // position counted within the line alone
			} else {
				first = parseError(FormatGoTest, lineNo, 1, "JSON without an Action: not a test2json event")
			}
		}
		if g.bad == nil {
			g.badStart = lineNo
		}
		g.bad = append(g.bad, string(line))
	}
	g.flushBad()
	if g.events == 0 {
		if first == nil {
			return nil, parseError(FormatGoTest, 1, 0, "empty stream: no test2json events")
		}
		first.Msg = "no test2json events; first line: " + first.Msg
		return nil, first
	}
	return g.summary(), nil
}

// event applies one test2json event.
func (g *goTest) event(ev testEvent) {
	g.events++
	switch {
	case ev.Action == "build-output":
		appendTo(g.build, ev.ImportPath, ev.Output)
	case ev.Test == "" && ev.Action == "output":
		appendTo(g.pkgOutput, ev.Package, ev.Output)
	case ev.Test == "" && ev.Action == "pass":
		g.seconds += max(ev.Elapsed, 0)
	case ev.Test == "" && ev.Action == "fail":
		g.seconds += max(ev.Elapsed, 0)
		if !g.pkgFailed[ev.Package] {
			// The package failed but none of its tests did: it did not
			// build, or failed around its tests (TestMain, init, a
			// timeout). That is an error of the run, not a test failure.
			g.counts.Errored++
			g.fs.add(ev.Package, ev.Package, g.packageMessage(ev))
		}
		delete(g.pkgOutput, ev.Package)
	case ev.Test == "":
		// start, skip ("no test files"), build-fail: nothing to count.
	case ev.Action == "output":
		appendTo(g.testOutput, ev.Package+"\x00"+ev.Test, ev.Output)
	case ev.Action == "pass", ev.Action == "bench":
		g.counts.Total++
		g.counts.Passed++
		delete(g.testOutput, ev.Package+"\x00"+ev.Test)
	case ev.Action == "skip":
		g.counts.Total++
		g.counts.Skipped++
		delete(g.testOutput, ev.Package+"\x00"+ev.Test)
	case ev.Action == "fail":
		g.counts.Total++
		g.counts.Failed++
		g.pkgFailed[ev.Package] = true
		key := ev.Package + "\x00" + ev.Test
		var out string
		if b := g.testOutput[key]; b != nil {
			out = joinLines(b.String(), isFraming)
		}
		delete(g.testOutput, key)
		g.fs.add(ev.Package+"/"+ev.Test, ev.Package, out)
	}
}

// packageMessage is why a package failed: its build output when the build
// failed, else what it printed outside any test.
func (g *goTest) packageMessage(ev testEvent) string {
	if b := g.build[ev.FailedBuild]; ev.FailedBuild != "" && b != nil {
		return joinLines(b.String(), nil)
	}
	if b := g.pkgOutput[ev.Package]; b != nil {
		return joinLines(b.String(), func(l string) bool { return l == "FAIL" || l == "PASS" })
	}
	return ""
}

// flushBad counts the pending run of non-event lines as one error: a
// ten-line compiler message is one problem, not ten.
func (g *goTest) flushBad() {
	if g.bad == nil {
		return
	}
	g.counts.Errored++
	g.fs.add("(non-JSON output)", "line "+strconv.Itoa(g.badStart), joinLines(strings.Join(g.bad, "\n"), nil))
	g.bad = nil
}

// summary applies the result rules: failed tests first, then errors of the
// run, then whether anything ran at all.
func (g *goTest) summary() *Summary {
	s := &Summary{Tool: "go test", Counts: g.counts, DurationMS: millis(g.seconds)}
	s.Failures, s.Truncated = g.fs.list, g.fs.truncated
	switch c := g.counts; {
	case c.Failed > 0:
		s.Result = ResultFail
	case c.Errored > 0:
		s.Result = ResultError
	case c.Total == c.Skipped:
		s.Result = ResultSkip
	default:
		s.Result = ResultPass
	}
	return s
}

// isFraming reports the lines the test framework prints around a test's
// own output; they repeat what the event already says.
func isFraming(line string) bool {
	for _, p := range []string{"=== RUN", "=== PAUSE", "=== CONT", "=== NAME", "--- FAIL:", "--- PASS:", "--- SKIP:"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

// appendTo appends text to the builder under key, creating it.
func appendTo(m map[string]*strings.Builder, key, text string) {
	b := m[key]
	if b == nil {
		b = &strings.Builder{}
		m[key] = b
	}
	b.WriteString(text)
}
