package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/unicode"
)

// maxXMLDepth bounds element nesting in a JUnit report. Real reports nest
// four to six deep (testsuites > testsuite > testsuite > testcase >
// failure); the bound keeps a hostile upload from costing a stack per level.
const maxXMLDepth = 16

// maxBody bounds how much of a failure's text is kept while reading: only
// the first MaxMessage bytes survive into the summary anyway.
const maxBody = 8 << 10

// junitCase is one <testcase> being read.
type junitCase struct {
	name, classname, file, line string
	seconds                     float64
	failed, errored, skipped    bool
	message, kind               string // of the <error> or <failure> that decides the outcome
	body                        strings.Builder
}

// junitReader walks a JUnit document token by token. Counting the
// <testcase> elements themselves, rather than trusting go-junit or the
// suites' tests/failures attributes, is what makes the counts add up:
// Node's reporter puts test cases straight under <testsuites>, Surefire's
// attributes count reruns, and pytest writes a test that fails and then
// errors in teardown as two test cases (and counts it once).
type junitReader struct {
	counts      Counts
	fs          failures
	seconds     float64 // outermost suites and top-level test cases
	rootSeconds float64 // <testsuites time="…">, -1 when absent
	suiteTimed  bool    // the open outermost suite has its own time
	caseSeconds float64 // its test cases' times, for when it has not
	suites      []string
	suiteDepth  int // nesting depth of the open outermost suite, -1 when none is open
	cur         *junitCase
	curDepth    int    // nesting depth of cur
	into        string // "failure" or "error" while reading the element that decided cur
	sawRoot     bool
	headers     []*junitHeader // the open suites (and root), innermost last
}

// parseJUnit summarises a JUnit XML report: a <testsuites> document (with
// suites, test cases, or both) or a lone <testsuite>. Every <testcase> not
// nested inside another one counts once, wherever it sits (under a suite,
// under the root, or inside an element this reader does not know): error
// before failure before skipped, else passed. A suite whose own counts
// claim more than its test cases show is one error more (see
// checkHeader).
func parseJUnit(data []byte) (*Summary, error) {
	data, declared16, err := junitUTF8(data)
	if err != nil {
		return nil, err
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		// The text was UTF-16 and is UTF-8 by now; any other declared
		// encoding is refused rather than read as the wrong characters.
		if declared16 && strings.HasPrefix(strings.ToLower(label), "utf-16") {
			return in, nil
		}
		return nil, errors.New("declares an encoding other than UTF-8 or UTF-16")
	}
	j := &junitReader{rootSeconds: -1, suiteDepth: -1}
	var open []string            // names of the open elements
	var textLine, textColumn int // where text outside any element ended, 0 when none
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			line, column := d.InputPos()
			var syntax *xml.SyntaxError
			if errors.As(err, &syntax) {
				if syntax.Line != line {
					line, column = syntax.Line, 0
				}
				return nil, parseError(FormatJUnit, line, column, xmlText(syntax.Msg))
			}
			return nil, parseError(FormatJUnit, line, column, xmlText(err.Error()))
		}
		switch el := tok.(type) {
		case xml.StartElement:
			line, column := d.InputPos()
			if len(open) == maxXMLDepth {
				return nil, parseError(FormatJUnit, line, column,
					"elements nested more than "+strconv.Itoa(maxXMLDepth)+" deep")
			}
			name := el.Name.Local
			if len(open) == 0 && j.sawRoot {
				// encoding/xml reads on past the root; a second one is
				// not XML, and which of the two is the report a guess.
				return nil, parseError(FormatJUnit, line, column,
					"a second root element after the first one ended: not one XML document")
			}
			if len(open) == 0 && name != "testsuites" && name != "testsuite" {
				return nil, parseError(FormatJUnit, line, column,
					"the root element is neither testsuites nor testsuite: not a JUnit report")
			}
			if textLine > 0 {
				return nil, parseError(FormatJUnit, textLine, textColumn,
					"text before the root element: not one XML document")
			}
			j.sawRoot = true
			if msg := j.start(open, el, line); msg != "" {
				return nil, parseError(FormatJUnit, line, column, msg)
			}
			open = append(open, name)
		case xml.EndElement:
			// Token has already checked that the end matches its start.
			open = open[:len(open)-1]
			j.end(open, el.Name.Local)
		case xml.CharData:
			if len(open) == 0 && len(bytes.TrimSpace(el)) > 0 {
				// Only blanks, comments and processing instructions may
				// surround the root; text before a root is refused when
				// the root comes, so a file of text alone still says it
				// has no root.
				line, column := d.InputPos()
				if j.sawRoot {
					return nil, parseError(FormatJUnit, line, column,
						"text after the root element ended: not one XML document")
				}
				if textLine == 0 {
					textLine, textColumn = line, column
				}
			}
			if j.into != "" && j.cur.body.Len() < maxBody {
				j.cur.body.Write(el[:min(len(el), maxBody-j.cur.body.Len())])
			}
		}
	}
	if !j.sawRoot {
		return nil, parseError(FormatJUnit, 0, 0, "no root element: not a JUnit report")
	}
	return j.summary(), nil
}

// start opens an element whose ancestors are open, at line. It returns
// why the report is refused, or "": a test case inside a test case, or a
// failure or error anywhere but directly inside a test case, is not JUnit,
// and counting around it could turn the failure it holds into a pass.
func (j *junitReader) start(open []string, el xml.StartElement, line int) string {
	depth := len(open)
	name := el.Name.Local
	switch {
	case name == "testcase" && j.cur != nil:
		return "a testcase inside another testcase"
	case (name == "failure" || name == "error") && (j.cur == nil || depth != j.curDepth+1):
		return "a failure or error element not directly inside a testcase"
	case (name == "testsuite" || name == "testsuites") && j.cur != nil:
		// Its counts would be nobody's to check: a suite's failures
		// inside a test case that shows none would pass unseen.
		return "a testsuite inside a testcase"
	}
	switch {
	case (name == "testsuites" && depth == 0 || name == "testsuite") && j.cur == nil:
		j.headers = append(j.headers, newJUnitHeader(el, depth, line))
	}
	switch {
	case name == "testsuites" && depth == 0:
		j.rootSeconds = seconds(attr(el, "time"))
	case name == "testsuite" && j.suiteDepth < 0 && j.cur == nil:
		// An outermost suite: its name may name the tool, its time is
		// part of the run's.
		j.suites = append(j.suites, attr(el, "name"))
		j.suiteDepth, j.caseSeconds = depth, 0
		t := seconds(attr(el, "time"))
		if j.suiteTimed = t >= 0; j.suiteTimed {
			j.seconds += t
		}
	case name == "testcase":
		j.cur = &junitCase{name: attr(el, "name"), classname: attr(el, "classname"),
			file: attr(el, "file"), line: attr(el, "line"), seconds: seconds(attr(el, "time")),
			skipped: notRun(el)}
		j.curDepth = depth
		if j.suiteDepth < 0 {
			j.seconds += max(j.cur.seconds, 0) // Node: a test outside any suite
		} else {
			j.caseSeconds += max(j.cur.seconds, 0)
		}
	case j.cur != nil && depth == j.curDepth+1:
		j.outcome(name, el)
	}
	return ""
}

// outcome notes a child of the current test case that decides how it
// ended. Surefire's flakyFailure/flakyError (failed, then passed on a
// rerun) and rerunFailure/rerunError (beside the failure that counts)
// change nothing.
func (j *junitReader) outcome(name string, el xml.StartElement) {
	c := j.cur
	j.sawOutcome(name)
	switch name {
	case "error":
		if !c.errored {
			c.errored, c.message, c.kind = true, attr(el, "message"), attr(el, "type")
			c.body.Reset()
			j.into = name
		}
	case "failure":
		if !c.errored && !c.failed {
			c.failed, c.message, c.kind = true, attr(el, "message"), attr(el, "type")
			j.into = name
		}
	case "skipped":
		c.skipped = true
	}
}

// end closes an element; open are the elements still open around it.
func (j *junitReader) end(open []string, name string) {
	depth := len(open)
	if n := len(j.headers); n > 0 && j.headers[n-1].depth == depth && j.cur == nil &&
		(name == "testsuite" || name == "testsuites") {
		j.checkHeader(j.headers[n-1])
		j.headers = j.headers[:n-1]
	}
	switch {
	case name == "testsuite" && depth == j.suiteDepth:
		if !j.suiteTimed {
			j.seconds += j.caseSeconds
		}
		j.suiteDepth = -1
	case j.cur != nil && j.into != "" && name == j.into && depth == j.curDepth+1:
		j.into = ""
	case j.cur != nil && name == "testcase" && depth == j.curDepth:
		j.finish(j.cur)
		j.cur, j.into = nil, ""
	}
}

// notRun reports a test case that says in its attributes that it did not
// run, with no <skipped> inside: CTest writes a disabled test as
// status="disabled" (and a skipped one as status="notrun" beside its
// <skipped>), GoogleTest a disabled one as status="notrun" and
// result="suppressed", a GTEST_SKIP as result="skipped". Counted as
// passed, a run of disabled tests would pass.
func notRun(el xml.StartElement) bool {
	switch strings.ToLower(strings.TrimSpace(attr(el, "status"))) {
	case "notrun", "disabled", "skipped":
		return true
	}
	switch strings.ToLower(strings.TrimSpace(attr(el, "result"))) {
	case "skipped", "suppressed":
		return true
	}
	return false
}

// unnamedCase is why a test case with no name is an error.
const unnamedCase = "a test case with no name: the tool could not say which test this was (pytest writes one for the test it was in when the run was interrupted)"

// finish counts one test case in exactly one bucket. A test case with no
// name is an error whatever else it says: it is not a test that passed.
func (j *junitReader) finish(c *junitCase) {
	if strings.TrimSpace(c.name) == "" && !c.errored {
		c.errored, c.failed, c.skipped = true, false, false
		c.name, c.message, c.kind = "(no name)", unnamedCase, ""
		c.body.Reset()
	}
	j.sawCase(c)
	switch {
	case c.errored:
		j.counts.Errored++
	case c.failed:
		j.counts.Failed++
	case c.skipped:
		j.counts.Skipped++
		return
	default:
		j.counts.Passed++
		return
	}
	j.fs.add(c.name, junitLocation(c), junitMessage(c))
}

// summary counts what was read; resultOf decides the result.
func (j *junitReader) summary() *Summary {
	c := j.counts
	c.Total = c.Passed + c.Failed + c.Skipped + c.Errored
	s := &Summary{Counts: c, Result: resultOf(FormatJUnit, c)}
	if len(j.suites) == 1 {
		s.Tool = j.suites[0]
	}
	secs := j.seconds
	if j.rootSeconds >= 0 {
		secs = j.rootSeconds
	}
	s.DurationMS = millis(secs)
	s.Failures, s.Truncated = j.fs.list, j.fs.truncated
	return s
}

// junitLocation prefers the file and line attributes some tools (pytest's
// xunit1, Jest, PHPUnit) put on a test case, and falls back to its class.
func junitLocation(c *junitCase) string {
	switch {
	case c.file != "" && c.line != "":
		return c.file + ":" + c.line
	case c.file != "":
		return c.file
	default:
		return c.classname
	}
}

// junitMessage puts the short message attribute first (or the type when
// there is none) and the element's body (output, stack trace) after it,
// since only the start survives the cut to MaxMessage.
func junitMessage(c *junitCase) string {
	msg := strings.TrimSpace(c.message)
	if msg == "" {
		msg = strings.TrimSpace(c.kind)
	}
	body := joinLines(c.body.String(), nil)
	switch {
	case body == "" || body == msg:
		return msg
	case msg == "":
		return body
	default:
		return msg + "\n" + body
	}
}

// junitUTF8 returns the report as UTF-8. Some Windows tools write JUnit
// files in UTF-16 with a byte order mark; those are decoded (declared16
// says so, for the XML declaration that still names UTF-16). A UTF-8 byte
// order mark is dropped, since the XML decoder does not expect one.
func junitUTF8(data []byte) (out []byte, declared16 bool, err error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:], false, nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		if len(data)%2 != 0 {
			return nil, false, parseError(FormatJUnit, 0, 0, "UTF-16 text with an odd number of bytes")
		}
		out, err := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
		if err != nil {
			return nil, false, parseError(FormatJUnit, 0, 0, "invalid UTF-16")
		}
		return out, true, nil
	}
	return data, false, nil
}

// attr returns the value of the attribute called name, or "".
func attr(el xml.StartElement, name string) string {
	for _, a := range el.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// seconds reads a time attribute ("1.5", or "1,234.5" as some locales
// write it); -1 means none usable.
func seconds(v string) float64 {
	if v == "" {
		return -1
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", ""), 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return -1
	}
	return f
}
