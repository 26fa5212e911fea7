package report

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aeso-dev/aeso/internal/redact"
)

// junitWith wraps test cases in a suite named "synthetic".
func junitWith(cases ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n<testsuites>\n<testsuite name=\"synthetic\">\n" +
		strings.Join(cases, "\n") + "\n</testsuite>\n</testsuites>\n"
}

// failingCase is a JUnit test case failing with message.
func failingCase(name, message string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<testcase name=%q classname="pkg"><failure message="`, name)
	b.WriteString(html.EscapeString(message))
	b.WriteString(`"/></testcase>`)
	return b.String()
}

func TestParseKeepsTheFirstTwentyFailures(t *testing.T) {
	t.Parallel()
	var cases []string
	for i := range 25 {
		cases = append(cases, failingCase(fmt.Sprintf("Test%02d", i), "boom"))
	}
	s, err := Parse(FormatJUnit, strings.NewReader(junitWith(cases...)), limit)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Failures) != MaxFailures || !s.Truncated || s.Counts.Failed != 25 {
		t.Fatalf("%d failures listed, truncated %v, %d failed; want 20, true, 25", len(s.Failures), s.Truncated, s.Counts.Failed)
	}
	if s.Failures[0].Name != "Test00" || s.Failures[19].Name != "Test19" {
		t.Errorf("listed %s … %s, want Test00 … Test19 in report order", s.Failures[0].Name, s.Failures[19].Name)
	}
}

func TestParseCutsLongMessagesOnARuneBoundary(t *testing.T) {
	t.Parallel()
	// 300 two-byte runes: 509 bytes would split one, so 254 runes are kept.
	long := strings.Repeat("é", 300)
	s, err := Parse(FormatJUnit, strings.NewReader(junitWith(failingCase("TestLong", long))), limit)
	if err != nil {
		t.Fatal(err)
	}
	got := s.Failures[0].Message
	if want := strings.Repeat("é", 254) + "…"; got != want {
		t.Errorf("message is %d bytes %q…, want %d bytes", len(got), got[:10], len(want))
	}
	if len(got) > MaxMessage || !utf8.ValidString(got) {
		t.Errorf("message is %d bytes, valid UTF-8 %v", len(got), utf8.ValidString(got))
	}
}

func TestParseRedactsSecretsInFailures(t *testing.T) {
	t.Parallel()
	// Built at run time so no scanner mistakes the test for a leak.
	github := "ghp_" + strings.Repeat("a1B2", 9)
	jwt := "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0" + ".c2lnbmF0dXJlLXNpZ25hdHVyZQ"
	gotest := func(test, output string) string {
		return fmt.Sprintf(`{"Action":"output","Package":"p","Test":%q,"Output":%q}`+"\n"+
			`{"Action":"fail","Package":"p","Test":%[1]q}`+"\n"+`{"Action":"fail","Package":"p"}`+"\n", test, output)
	}
	sarifLog := func(rule, text string) string {
		return fmt.Sprintf(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"gosec"}},"results":[{"ruleId":%q,"level":"error","message":{"text":%q}}]}]}`, rule, text)
	}
	tests := []struct {
		name, format, input string
		want                Failure
	}{
		{
			name: "a GitHub token in go test output hides the message", format: FormatGoTest,
			input: gotest("TestLogin", "    login_test.go:9: token "+github+" rejected\n"),
			want:  Failure{Name: "p/TestLogin", Location: "p", Message: redact.Placeholder},
		},
		{
			name: "a JWT in a JUnit failure message hides the message", format: FormatJUnit,
			input: junitWith(failingCase("TestAuth", "Authorization header was "+jwt)),
			want:  Failure{Name: "TestAuth", Location: "pkg", Message: redact.Placeholder},
		},
		{
			name: "a token in a test name hides the name", format: FormatGoTest,
			input: gotest("TestToken/"+github, "boom\n"),
			want:  Failure{Name: redact.Placeholder, Location: "p", Message: "boom"},
		},
		{
			name: "a JWT in a SARIF finding hides the message", format: FormatSARIF,
			input: sarifLog("G101", "hard-coded credential: "+jwt),
			want:  Failure{Name: "G101", Message: redact.Placeholder},
		},
		{
			name: "a token past the cut is still found before cutting", format: FormatJUnit,
			input: junitWith(failingCase("TestLate", strings.Repeat("x ", 400)+github)),
			want:  Failure{Name: "TestLate", Location: "pkg", Message: redact.Placeholder},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.format, strings.NewReader(tt.input), limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Failures) != 1 || s.Failures[0] != tt.want {
				t.Errorf("failures = %#v, want [%#v]", s.Failures, tt.want)
			}
		})
	}
}

func TestParseEnforcesTheSizeLimit(t *testing.T) {
	t.Parallel()
	data := []byte(junitWith(failingCase("TestA", "boom")))
	size := int64(len(data))
	t.Run("a report one byte over the limit is too large", func(t *testing.T) {
		_, err := Parse(FormatJUnit, bytes.NewReader(data), size-1)
		var tl *TooLargeError
		if !errors.As(err, &tl) || tl.Limit != size-1 {
			t.Fatalf("error = %v, want *TooLargeError{Limit: %d}", err, size-1)
		}
		if want := fmt.Sprintf("report: larger than the limit of %d bytes", size-1); err.Error() != want {
			t.Errorf("Error() = %q, want %q", err.Error(), want)
		}
	})
	t.Run("a report exactly at the limit is accepted", func(t *testing.T) {
		s, err := Parse(FormatJUnit, bytes.NewReader(data), size)
		if err != nil || s.Size != size {
			t.Fatalf("Parse = %+v, %v; want size %d", s, err, size)
		}
	})
}

func TestParseRefusesUnknownFormats(t *testing.T) {
	t.Parallel()
	_, err := Parse("tap", strings.NewReader("ok 1"), limit)
	var uf *UnknownFormatError
	if !errors.As(err, &uf) || uf.Format != "tap" {
		t.Fatalf("error = %v, want *UnknownFormatError for tap", err)
	}
	for _, f := range Formats() {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not name accepted format %q", err, f)
		}
	}
}

func TestFormatsCannotBeChangedByCallers(t *testing.T) {
	t.Parallel()
	Formats()[0] = "tap"
	if got := Formats(); !slices.Equal(got, []string{FormatJUnit, FormatSARIF, FormatGoTest}) {
		t.Errorf("Formats() = %v after a caller wrote to an earlier result", got)
	}
}
