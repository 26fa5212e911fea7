package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
)

// junitCaseCount counts the <testcase> start elements of a JUnit document
// that are not nested inside another test case, independently of the
// parser's bookkeeping. ok is false when this plain decoder cannot read
// the document.
func junitCaseCount(data []byte) (n int, ok bool) {
	text, _, err := junitUTF8(data)
	if err != nil {
		return 0, false
	}
	d := xml.NewDecoder(bytes.NewReader(text))
	d.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	inCase := 0 // depth inside the outermost open test case, 0 outside one
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return n, true
		}
		if err != nil {
			return 0, false
		}
		switch el := tok.(type) {
		case xml.StartElement:
			switch {
			case inCase > 0:
				inCase++
			case el.Name.Local == "testcase":
				n++
				inCase = 1
			}
		case xml.EndElement:
			if inCase > 0 {
				inCase--
			}
		}
	}
}

// goTestPairs counts the distinct (package, test) pairs the events of a
// go test stream name: each must be counted at least once, however the
// stream ends.
func goTestPairs(data []byte) int {
	pairs := map[[2]string]bool{}
	for line := range bytes.Lines(data) {
		var ev struct {
			Action  string `json:"Action"`
			Package string `json:"Package"`
			Test    string `json:"Test"`
		}
		if jsonv2.Unmarshal(bytes.TrimSpace(line), &ev) == nil && ev.Action != "" && ev.Test != "" &&
			ev.Action != "build-output" && ev.Action != "build-fail" {
			pairs[[2]string{ev.Package, ev.Test}] = true
		}
	}
	return len(pairs)
}

// fuzzParse seeds f with the testdata files matching glob and a few small
// documents (the fuzzer mutates small inputs far faster than 140 KB logs),
// and checks that Parse either refuses the input with a *ParseError or
// returns a summary within its bounds whose counts add up and that never
// passes with a failure or an error. Any panic fails the target.
func fuzzParse(f *testing.F, format, glob string, small ...string) {
	for _, s := range small {
		f.Add([]byte(s))
	}
	files, err := filepath.Glob(filepath.Join("testdata", glob))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds for %s: %v", glob, err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(format, bytes.NewReader(data), limit)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if pe.Line < 0 || pe.Column < 0 || !utf8.ValidString(pe.Msg) {
				t.Fatalf("bad position or message: %#v", pe)
			}
			return
		}
		if s.Failures == nil || len(s.Failures) > MaxFailures {
			t.Fatalf("%d failures (nil %v), want at most %d and never nil", len(s.Failures), s.Failures == nil, MaxFailures)
		}
		for _, fl := range s.Failures {
			for _, v := range []string{fl.Name, fl.Location, fl.Message} {
				if len(v) > MaxMessage || !utf8.ValidString(v) {
					t.Fatalf("failure field of %d bytes, valid UTF-8 %v", len(v), utf8.ValidString(v))
				}
			}
		}
		if !s.Counts.AddsUp(format) {
			t.Fatalf("counts %+v do not add up", s.Counts)
		}
		// AddsUp alone cannot fail for test reports, whose Total the
		// parsers compute as the sum; these counts come from the input.
		switch format {
		case FormatJUnit:
			if n, ok := junitCaseCount(data); ok && s.Counts.Total != n {
				t.Fatalf("total %d, but the document has %d test cases", s.Counts.Total, n)
			}
		case FormatGoTest:
			if n := goTestPairs(data); s.Counts.Total < n {
				t.Fatalf("total %d, but %d distinct tests ran", s.Counts.Total, n)
			}
		}
		if s.Result == ResultPass && (s.Counts.Errored > 0 || s.Counts.Failed > 0) {
			t.Fatalf("result pass with counts %+v", s.Counts)
		}
		if s.Size != int64(len(data)) || s.DurationMS < 0 {
			t.Fatalf("size %d of %d bytes, duration %d", s.Size, len(data), s.DurationMS)
		}
	})
}

func FuzzParseJUnit(f *testing.F) {
	fuzzParse(f, FormatJUnit, "*.xml",
		`<testsuite name="s" time="1"><testcase name="a" file="f" line="2"><failure message="m">b</failure></testcase></testsuite>`,
		`<testsuites><testsuite><testsuite><testcase><error type="E"/></testcase></testsuite></testsuite></testsuites>`)
}

func FuzzParseSARIF(f *testing.F) {
	fuzzParse(f, FormatSARIF, "*.sarif",
		`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t","rules":[{"id":"R","defaultConfiguration":{"level":"error"}}]}},`+
			`"results":[{"ruleId":"R","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"f"},"region":{"startLine":1}}}]}]}]}`,
		`{"version":"2.1.0","runs":[null,{"results":[null,{"rule":{"id":"R"},"suppressions":[null,{}]}],"invocations":[{"startTimeUtc":"2024-01-01T00:00:00Z","endTimeUtc":"2024-01-01T00:00:01Z"}]}]}`)
}

func FuzzParseGoTest(f *testing.F) {
	fuzzParse(f, FormatGoTest, "gotest-*.json",
		"{\"Action\":\"output\",\"Package\":\"p\",\"Test\":\"T\",\"Output\":\"x\\n\"}\n{\"Action\":\"fail\",\"Package\":\"p\",\"Test\":\"T\"}\nnot json\n{\"Action\":\"fail\",\"Package\":\"p\",\"Elapsed\":1}\n")
}
