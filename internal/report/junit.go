package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"

	junit "github.com/joshdk/go-junit"
)

// maxXMLDepth bounds element nesting in a JUnit report. Real reports nest
// four to six deep (testsuites > testsuite > testsuite > testcase >
// failure); go-junit keeps every element's inner XML, so memory grows with
// size times depth, and the bound keeps a 10 MiB upload from costing
// gigabytes.
const maxXMLDepth = 16

// parseJUnit summarises a JUnit XML report: either a <testsuites> document
// or a lone <testsuite>.
func parseJUnit(data []byte) (*Summary, error) {
	// go-junit reports only the line of a syntax error and silently accepts
	// text with no test suites at all, so a token pass comes first: it
	// finds where the XML broke (line and column), bounds the nesting, and
	// reads the suites' own time attributes, which go-junit drops.
	times, err := scanJUnit(data)
	if err != nil {
		return nil, err
	}
	suites, err := junit.Ingest(data)
	if err != nil {
		var syntax *xml.SyntaxError
		if errors.As(err, &syntax) {
			return nil, parseError(FormatJUnit, syntax.Line, 0, syntax.Msg)
		}
		return nil, parseError(FormatJUnit, 0, 0, err.Error())
	}

	s := &Summary{}
	var seconds float64
	var fs failures
	for i, suite := range suites {
		t := suite.Totals
		s.Counts.Total += t.Tests
		s.Counts.Passed += t.Passed
		s.Counts.Failed += t.Failed
		s.Counts.Errored += t.Error
		s.Counts.Skipped += t.Skipped
		if len(times) == len(suites) && times[i] >= 0 {
			seconds += times[i]
		} else {
			seconds += max(t.Duration.Seconds(), 0)
		}
		collectJUnitFailures(&fs, suite)
	}
	if len(suites) == 1 {
		s.Tool = suites[0].Name
	}
	s.DurationMS = millis(seconds)
	s.Failures, s.Truncated = fs.list, fs.truncated
	switch c := s.Counts; {
	case c.Errored > 0:
		s.Result = ResultError
	case c.Failed > 0:
		s.Result = ResultFail
	case c.Total == c.Skipped:
		s.Result = ResultSkip
	default:
		s.Result = ResultPass
	}
	return s, nil
}

// collectJUnitFailures adds the failed and errored tests of suite and its
// nested suites. go-junit separates a suite's test cases from its nested
// suites, so cases come first; within each, report order is kept.
func collectJUnitFailures(fs *failures, suite junit.Suite) {
	for _, t := range suite.Tests {
		if t.Status != junit.StatusFailed && t.Status != junit.StatusError {
			continue
		}
		fs.add(t.Name, junitLocation(t), junitMessage(t))
	}
	for _, nested := range suite.Suites {
		collectJUnitFailures(fs, nested)
	}
}

// junitLocation prefers the file and line attributes some tools (pytest,
// Jest, PHPUnit) put on a test case, and falls back to its class name.
func junitLocation(t junit.Test) string {
	file, line := t.Properties["file"], t.Properties["line"]
	switch {
	case file != "" && line != "":
		return file + ":" + line
	case file != "":
		return file
	default:
		return t.Classname
	}
}

// junitMessage puts the short message attribute first and the element's
// body (output, stack trace) after it, since only the start survives the
// cut to MaxMessage.
func junitMessage(t junit.Test) string {
	msg := strings.TrimSpace(t.Message)
	var body string
	if e, ok := t.Error.(junit.Error); ok {
		body = joinLines(e.Body, nil)
		if msg == "" {
			msg = strings.TrimSpace(e.Type)
		}
	}
	switch {
	case body == "" || body == msg:
		return msg
	case msg == "":
		return body
	default:
		return msg + "\n" + body
	}
}

// scanJUnit checks that data is well-formed XML with at least one
// <testsuite> and returns the time attribute, in seconds, of each outermost
// <testsuite> in document order (-1 where it is missing or unreadable).
// Those are the suites go-junit returns, in the same order.
func scanJUnit(data []byte) ([]float64, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var open []bool // per open element: is it a <testsuite>?
	var inSuite int // open <testsuite> elements
	var times []float64
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
				return nil, parseError(FormatJUnit, line, column, syntax.Msg)
			}
			return nil, parseError(FormatJUnit, line, column, err.Error())
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if len(open) == maxXMLDepth {
				line, column := d.InputPos()
				return nil, parseError(FormatJUnit, line, column,
					"elements nested more than "+strconv.Itoa(maxXMLDepth)+" deep")
			}
			suite := el.Name.Local == "testsuite"
			if suite {
				if inSuite == 0 {
					times = append(times, suiteSeconds(el.Attr))
				}
				inSuite++
			}
			open = append(open, suite)
		case xml.EndElement:
			// Token has already checked that the end matches a start.
			if open[len(open)-1] {
				inSuite--
			}
			open = open[:len(open)-1]
		}
	}
	if times == nil {
		return nil, parseError(FormatJUnit, 0, 0, "no <testsuite> element: not a JUnit report")
	}
	return times, nil
}

// suiteSeconds reads a suite's time attribute ("1.5", or "1,234.5" as some
// locales write it); -1 means none usable.
func suiteSeconds(attrs []xml.Attr) float64 {
	for _, a := range attrs {
		if a.Name.Local != "time" {
			continue
		}
		f, err := strconv.ParseFloat(strings.ReplaceAll(a.Value, ",", ""), 64)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			return -1
		}
		return f
	}
	return -1
}
