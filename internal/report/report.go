// Package report turns an uploaded test or analysis report (JUnit XML, a
// SARIF 2.1.0 log, or a `go test -json` stream) into a Summary: counts,
// duration and the first few failures.
//
// aeso keeps the summary and the digest of the raw bytes, never the report
// itself: reports are large, mostly redundant once summarised, and test
// output is where credentials leak. Everything copied out of a report is cut
// to a bounded size and run through the redact package first.
package report

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/redact"
)

// Formats.
const (
	FormatJUnit  = "junit"
	FormatSARIF  = "sarif"
	FormatGoTest = "gotest" // the `go test -json` stream (test2json)
)

// MaxFailures and MaxMessage bound a summary.
const (
	MaxFailures = 20
	MaxMessage  = 512
)

// Results a summary can have.
const (
	ResultPass  = "pass"
	ResultFail  = "fail"
	ResultWarn  = "warn"
	ResultSkip  = "skip"
	ResultError = "error"
)

// Counts of a report. They always add up (see AddsUp):
//
//   - tests (JUnit, go test): every test counts once, so
//     Total = Passed + Failed + Skipped + Errored;
//   - SARIF: every distinct result counts in exactly one bucket, so
//     Total = Failed (level error) + Warnings + Notes + None + Suppressed.
//     Errored counts runs that did not finish (they are not results) and
//     Duplicates the results dropped because they repeated one already
//     counted.
//
// The SARIF-only fields are left out of JSON when zero, so the digest of
// an item sealed before they existed does not change.
type Counts struct {
	Total      int `json:"total"`
	Passed     int `json:"passed"`
	Failed     int `json:"failed"`
	Errored    int `json:"errored"`
	Skipped    int `json:"skipped"`
	Warnings   int `json:"warnings"`
	Notes      int `json:"notes,omitempty"`
	None       int `json:"none,omitempty"`
	Suppressed int `json:"suppressed,omitempty"`
	Duplicates int `json:"duplicates,omitempty"`
}

// MaxCount bounds every count aeso stores, and every sum of counts:
// 2^53, below which every integer is exact as a JSON number in any
// language (an IEEE 754 double). A larger count would read back as another
// number, and the seal's canonical JSON (RFC 8785) could not write it;
// counts within the bound add up without overflow. A parsed report counts
// at most one result per byte, so it never comes near; the bound is for
// counts a caller sends.
const MaxCount = 1 << 53

// AddsUp reports whether the counts of a report of the given format add up
// as the Counts documentation says.
func (c Counts) AddsUp(format string) bool {
	if format == FormatSARIF {
		return c.Passed == 0 && c.Skipped == 0 &&
			c.Total == c.Failed+c.Warnings+c.Notes+c.None+c.Suppressed
	}
	return c.Warnings == 0 && c.Notes == 0 && c.None == 0 && c.Suppressed == 0 && c.Duplicates == 0 &&
		c.Total == c.Passed+c.Failed+c.Skipped+c.Errored
}

// resultOf is the one order of results, the same for every format:
//
//   - error: something went wrong that the report cannot account for (a
//     package that did not build, a run that did not finish, a stream cut
//     off, a test case in error). It outranks a failure because a failure
//     says "we saw this fail", while an error says "part of the run was not
//     seen": a report with both does not show the whole picture, and
//     calling it a failure would claim it does;
//   - fail: a test failed, or a SARIF result of level error;
//   - warn: SARIF warnings;
//   - error again for a test report that lists no test at all: it proves
//     nothing ran (a SARIF log without results is a clean scan and passes);
//   - skip: every test was skipped;
//   - pass otherwise.
func resultOf(format string, c Counts) string {
	switch {
	case c.Errored > 0:
		return ResultError
	case c.Failed > 0:
		return ResultFail
	case c.Warnings > 0:
		return ResultWarn
	case format == FormatSARIF:
		return ResultPass
	case c.Total == 0:
		return ResultError
	case c.Total == c.Skipped:
		return ResultSkip
	default:
		return ResultPass
	}
}

// ProvesNothing reports whether a summary is an error only because it
// lists no test: a JUnit file without test cases, or a go test stream
// without a package that ran.
func (s *Summary) ProvesNothing() bool {
	return s.Format != FormatSARIF && s.Result == ResultError && s.Counts.Total == 0
}

// Failure is one failed test or finding.
type Failure struct {
	Name     string `json:"name"`               // test name ("pkg/TestX/sub") or SARIF ruleId
	Location string `json:"location,omitempty"` // file:line when known (SARIF physicalLocation; JUnit file/line attrs or classname; go test: package)
	Message  string `json:"message,omitempty"`  // cut to MaxMessage bytes on a rune boundary, with "…" when cut; secrets replaced
}

// Summary is what aeso keeps of a report: never the report itself. Its
// JSON, Failure's and Counts' is a storage shape, and part of the sealed
// document an evidence digest covers.
type Summary struct {
	Format     string    `json:"format"`
	Tool       string    `json:"tool,omitempty"` // SARIF driver name (+ version), "go test" for gotest, "" or the suite name for junit
	Result     string    `json:"result"`         // pass, fail, warn, skip or error (the report does not prove what it claims)
	Counts     Counts    `json:"counts"`
	DurationMS int64     `json:"duration_ms"`
	Failures   []Failure `json:"failures"`           // first MaxFailures, in report order; never nil
	Truncated  bool      `json:"failures_truncated"` // more failures existed than listed
	SHA256     string    `json:"sha256"`             // hex digest of the raw bytes as received
	Size       int64     `json:"size"`
}

// Formats lists the accepted format names. It returns a new slice each time
// so a caller cannot change what Parse accepts.
func Formats() []string {
	return []string{FormatJUnit, FormatSARIF, FormatGoTest}
}

// Parse reads a whole report of the given format (at most maxBytes; more is
// a *TooLargeError) and summarises it. A report that does not parse, or
// that cannot prove anything (a SARIF log without runs), is a *ParseError,
// an unknown format an *UnknownFormatError; each of these is also an
// *aeso.Error (errors.As), so the HTTP layer maps them like any other.
// Any other error came from reading r.
func Parse(format string, r io.Reader, maxBytes int64) (*Summary, error) {
	var parse func([]byte) (*Summary, error)
	switch format {
	case FormatJUnit:
		parse = parseJUnit
	case FormatSARIF:
		parse = parseSARIF
	case FormatGoTest:
		parse = parseGoTest
	default:
		return nil, &UnknownFormatError{Format: format}
	}
	if maxBytes <= 0 {
		return nil, errors.New("report: maxBytes must be positive")
	}
	// One byte past the limit tells "exactly at the limit" from "over it"
	// without reading the rest of an oversized upload.
	limit := maxBytes
	if limit < math.MaxInt64 {
		limit++
	}
	data, err := io.ReadAll(io.LimitReader(r, limit))
	if err != nil {
		return nil, fmt.Errorf("report: read: %w", err)
	}
	if int64(len(data)) > maxBytes {
		return nil, &TooLargeError{Limit: maxBytes}
	}
	s, err := parse(data)
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256(data)
	s.Format = format
	s.Tool = cleanLine(s.Tool)
	s.SHA256 = hex.EncodeToString(digest[:])
	s.Size = int64(len(data))
	if s.Failures == nil {
		s.Failures = []Failure{}
	}
	return s, nil
}

// failures keeps the first MaxFailures failures of a report and remembers
// whether there were more, so a report with a million failures costs no
// more to store than one with twenty.
type failures struct {
	list      []Failure
	truncated bool
}

// add cleans and keeps one failure, or only notes it once the list is full.
func (f *failures) add(name, location, message string) {
	if len(f.list) == MaxFailures {
		f.truncated = true
		return
	}
	f.list = append(f.list, Failure{Name: cleanLine(name), Location: cleanLine(location), Message: clean(message)})
}

// clean makes a string from a report safe to keep: valid UTF-8 so it
// survives JSON, without surrounding blanks, redacted when it looks like a credential, and bounded.
// Redaction looks at the whole string before the cut, because a cut can
// shorten a token below the length its pattern needs while still leaving
// most of it in the summary.
//
// What would change how the text around it is shown (a control character
// other than a line break or tab, a bidirectional override, a line
// separator) becomes U+FFFD: a report is written by the code it tests, so
// a test named with U+202E could otherwise reverse the console's own text
// beside it. The API refuses such characters in what clients send; a
// report is kept, with them made visible.
func clean(s string) string {
	s = strings.Map(visible(true), strings.ToValidUTF8(s, "\uFFFD"))
	s = strings.TrimSpace(s)
	if redact.TextLooksSecret(s) {
		return redact.Placeholder
	}
	return cut(s, MaxMessage)
}

// cleanLine is clean for text shown on one line, such as a tool's name:
// every character aeso.UnsafeText refuses on one line (a control
// character, a line break, a bidirectional override) becomes U+FFFD, so
// the item a report becomes, named and summarised after its tool, holds
// what the report said without what would rewrite how it is shown.
func cleanLine(s string) string {
	return clean(strings.Map(visible(false), s))
}

// visible maps each character aeso.UnsafeText refuses (on one line, or in
// multiline text) to U+FFFD.
func visible(multiline bool) func(rune) rune {
	return func(r rune) rune {
		if r < utf8.RuneSelf && r >= ' ' && r != 0x7f {
			return r
		}
		if aeso.UnsafeText(string(r), multiline) {
			return utf8.RuneError
		}
		return r
	}
}

// Name is what an item made from this report is called when its uploader
// names none: the report's tool, cut to max bytes on a rune boundary, or
// "FORMAT report" when the report names no tool.
func (s *Summary) Name(max int) string {
	if s.Tool == "" {
		return s.Format + " report"
	}
	return cut(s.Tool, max)
}

// cut shortens s to at most n bytes, ellipsis included, on a rune boundary.
func cut(s string, n int) string {
	const ellipsis = "…"
	if len(s) <= n {
		return s
	}
	keep := max(n-len(ellipsis), 0)
	for keep > 0 && !utf8.RuneStart(s[keep]) {
		keep--
	}
	return s[:keep] + ellipsis
}

// millis converts seconds to whole milliseconds, treating negative, NaN and
// absurdly large values from a hostile report as 0 or the maximum rather
// than letting the conversion wrap.
func millis(seconds float64) int64 {
	if !(seconds > 0) {
		return 0
	}
	ms := math.Round(seconds * 1000)
	if ms >= math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(ms)
}

// joinLines trims each line of text and joins the non-empty ones with "\n",
// skipping those drop says are noise.
func joinLines(text string, drop func(string) bool) string {
	var b strings.Builder
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" || (drop != nil && drop(line)) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(line)
	}
	return b.String()
}
