package report

import (
	"bytes"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
)

// testEvent is one line of a `go test -json` stream, as test2json writes
// it, plus the build events `go test -json` adds since Go 1.24.
// Names match exactly, as test2json writes them: a line with "action" or
// "ACTION" is not an event, so a second, differently cased key cannot
// override the one that counts.
type testEvent struct {
	Action      string  `json:"Action"`
	Package     string  `json:"Package"`
	Test        string  `json:"Test"`
	Elapsed     float64 `json:"Elapsed"`
	Output      string  `json:"Output"`
	ImportPath  string  `json:"ImportPath"`  // build-output and build-fail events
	FailedBuild string  `json:"FailedBuild"` // on a package's fail event when its build failed
}

// goPackage is what the stream has said about one package so far.
type goPackage struct {
	ended       bool
	testFailed  bool     // a test of the package failed
	running     []string // tests started and not yet ended, in start order
	runningKeys map[string]bool
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
	packages   map[string]*goPackage
	order      []string // packages in the order the stream named them
	events     int
	buildFail  map[string]bool // build-fail ImportPaths, true once a package's fail claims it

	// The current run of lines that are not test2json events: build
	// output, a panic from a TestMain, or a stream cut short.
	badStart int
	bad      []string
}

// knownActions are the actions test2json writes (`go doc cmd/test2json`),
// plus the build events `go test -json` adds.
var knownActions = map[string]bool{
	"start": true, "run": true, "pause": true, "cont": true, "pass": true, "bench": true,
	"fail": true, "output": true, "skip": true, "build-output": true, "build-fail": true,
}

// downloading matches the lines the go command prints on stderr while it
// fetches modules before the stream starts; they say nothing about tests.
var downloading = regexp.MustCompile(`^go: (downloading|extracting|finding) \S+ \S+$`)

// parseGoTest summarises a `go test -json` stream. Lines that are not
// events are tolerated (go test mixes in build output) and count as
// errors, except the go command's module downloads; a stream with no event
// at all is not a go test stream.
func parseGoTest(data []byte) (*Summary, error) {
	g := &goTest{
		testOutput: map[string]*strings.Builder{},
		pkgOutput:  map[string]*strings.Builder{},
		build:      map[string]*strings.Builder{},
		packages:   map[string]*goPackage{},
		buildFail:  map[string]bool{},
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
		err := jsonv2.Unmarshal(line, &ev)
		if bad := jsonAmbiguous(err); bad != nil {
			// A line that is JSON but reads two ways (a name given twice,
			// or bytes that are not UTF-8) is not tolerated as output:
			// which of its values counts would be a guess.
			pe := jsonError(FormatGoTest, line, bad)
			pe.Line = lineNo
			return nil, pe
		}
		if err == nil && ev.Action != "" {
			if !knownActions[ev.Action] {
				// An event whose meaning aeso does not know may be the
				// one that said a test failed: refuse, rather than count
				// the stream without it.
				return nil, parseError(FormatGoTest, lineNo, 0, "an event with an Action test2json does not write")
			}
			g.flushBad()
			g.event(ev)
			continue
		}
		if downloading.Match(line) {
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

// pkg returns the state of a package, noting when the stream first named it.
func (g *goTest) pkg(name string) *goPackage {
	p := g.packages[name]
	if p == nil {
		p = &goPackage{runningKeys: map[string]bool{}}
		g.packages[name] = p
		g.order = append(g.order, name)
	}
	return p
}

// event applies one test2json event.
//
// A package that has ended is reopened by its next start or test event:
// `go test -count=N` and a concatenation of streams run a package again,
// and the rerun must end too, or it was cut off.
func (g *goTest) event(ev testEvent) {
	g.events++
	switch ev.Action {
	case "build-output":
		appendTo(g.build, ev.ImportPath, ev.Output)
		return
	case "build-fail":
		if _, ok := g.buildFail[ev.ImportPath]; !ok {
			g.buildFail[ev.ImportPath] = false
		}
		return
	}
	p := g.pkg(ev.Package)
	if ev.Test != "" || ev.Action == "start" {
		p.ended = false
	}
	key := ev.Package + "\x00" + ev.Test
	switch {
	case ev.Test == "" && ev.Action == "output":
		appendTo(g.pkgOutput, ev.Package, ev.Output)
	case ev.Test == "" && (ev.Action == "pass" || ev.Action == "fail" || ev.Action == "skip"):
		g.seconds += max(ev.Elapsed, 0)
		g.endPackage(ev, p)
	case ev.Test == "":
		// start: the package is named; nothing to count.
	case ev.Action == "pass", ev.Action == "bench":
		g.counts.Passed++
		g.endTest(p, key, ev.Test)
	case ev.Action == "skip":
		g.counts.Skipped++
		g.endTest(p, key, ev.Test)
	case ev.Action == "fail":
		g.failTest(p, ev.Package, ev.Test)
	default:
		// run, output, pause, cont…: the test is running until an event
		// ends it, so one the stream never ends is counted all the same.
		if !p.runningKeys[ev.Test] {
			p.runningKeys[ev.Test] = true
			p.running = append(p.running, ev.Test)
		}
		if ev.Action == "output" {
			appendTo(g.testOutput, key, ev.Output)
		}
	}
}

// endTest forgets a test that has ended.
func (g *goTest) endTest(p *goPackage, key, test string) {
	delete(g.testOutput, key)
	if p.runningKeys[test] {
		delete(p.runningKeys, test)
		p.running = slicesDelete(p.running, test)
	}
}

// failTest counts a failed test with what it printed.
func (g *goTest) failTest(p *goPackage, pkg, test string) {
	key := pkg + "\x00" + test
	g.counts.Failed++
	p.testFailed = true
	var out string
	if b := g.testOutput[key]; b != nil {
		out = joinLines(b.String(), isFraming)
	}
	g.endTest(p, key, test)
	g.fs.add(pkg+"/"+test, pkg, out)
}

// endPackage applies a package's final action to the tests it left
// running. test2json gives a benchmark no pass event, so a benchmark still
// running when its package passes passed; a test always gets one, so a
// test still running then (or when the package is skipped, which runs no
// test) is an error: the stream never said how it ended, and counting it
// as passed or skipped would claim what nobody saw. When a
// package fails with tests still running (a test timed out: `panic: test
// timed out`, or one panicked), those tests failed, and their output says
// how.
func (g *goTest) endPackage(ev testEvent, p *goPackage) {
	if ev.FailedBuild != "" && ev.Action == "fail" {
		g.buildFail[ev.FailedBuild] = true // this package's error says why
	}
	running := p.running
	p.running, p.runningKeys, p.ended = nil, map[string]bool{}, true
	for _, test := range running {
		key := ev.Package + "\x00" + test
		switch {
		case ev.Action == "pass" && isBenchmark(test):
			g.counts.Passed++
			delete(g.testOutput, key)
		case ev.Action == "pass" || ev.Action == "skip":
			// A skipped package runs no test: one left running was cut
			// off, whatever the package's last word.
			g.counts.Errored++
			delete(g.testOutput, key)
			g.fs.add(ev.Package+"/"+test, ev.Package, "the package "+map[string]string{"pass": "passed", "skip": "was skipped"}[ev.Action]+
				" without an event saying how this test ended")
		case ev.Action == "fail":
			// Older Go prints the timeout panic outside the test.
			if b := g.pkgOutput[ev.Package]; b != nil && !strings.Contains(builderString(g.testOutput[key]), "panic:") {
				appendTo(g.testOutput, key, b.String())
			}
			p.runningKeys[test] = true // so failTest can end it
			g.failTest(p, ev.Package, test)
		}
	}
	if ev.Action == "fail" && !p.testFailed {
		// The package failed but none of its tests did: it did not
		// build, or failed around its tests (TestMain, init). That is
		// an error of the run, not a test failure.
		g.counts.Errored++
		g.fs.add(ev.Package, ev.Package, g.packageMessage(ev))
	}
	p.testFailed = false // a rerun of the package starts afresh
	delete(g.pkgOutput, ev.Package)
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

// cutOff counts what the stream left unfinished: every test still running
// (in any package, ended or not) and every package without its final pass
// or fail is an error, since the runner was stopped (or the upload cut)
// before they ended. So is every build that failed (build-fail) without a
// package fail claiming it: the package it was for never reported.
func (g *goTest) cutOff() {
	for _, name := range g.order {
		p := g.packages[name]
		for _, test := range p.running {
			g.counts.Errored++
			g.fs.add(name+"/"+test, name, "the stream ended before this test did")
		}
		if !p.ended && len(p.running) == 0 {
			g.counts.Errored++
			g.fs.add(name, name, "the stream ended before this package did")
		}
	}
	var unclaimed []string
	for path, claimed := range g.buildFail {
		if !claimed {
			unclaimed = append(unclaimed, path)
		}
	}
	sort.Strings(unclaimed)
	for _, path := range unclaimed {
		g.counts.Errored++
		name, _, _ := strings.Cut(path, " ")
		msg := "the build failed and no package reported it"
		if b := g.build[path]; b != nil {
			msg = joinLines(b.String(), nil)
		}
		g.fs.add(name, name, msg)
	}
}

// summary counts what was read; resultOf decides the result (a stream cut
// off always has an error).
func (g *goTest) summary() *Summary {
	g.cutOff()
	c := g.counts
	c.Total = c.Passed + c.Failed + c.Skipped + c.Errored
	s := &Summary{Tool: "go test", Counts: c, DurationMS: millis(g.seconds), Result: resultOf(FormatGoTest, c)}
	s.Failures, s.Truncated = g.fs.list, g.fs.truncated
	return s
}

// isBenchmark reports whether test names a benchmark or one of its
// sub-benchmarks, as the testing package tells them apart: "Benchmark"
// followed by nothing or by a character that is not a lower-case letter.
func isBenchmark(test string) bool {
	top, _, _ := strings.Cut(test, "/")
	rest, ok := strings.CutPrefix(top, "Benchmark")
	if !ok {
		return false
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return rest == "" || !unicode.IsLower(r)
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

// slicesDelete removes the first s from list.
func slicesDelete(list []string, s string) []string {
	for i, x := range list {
		if x == s {
			return append(list[:i], list[i+1:]...)
		}
	}
	return list
}

// builderString is b's text, or "" for none.
func builderString(b *strings.Builder) string {
	if b == nil {
		return ""
	}
	return b.String()
}
