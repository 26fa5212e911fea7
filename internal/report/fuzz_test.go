package report

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

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
