package report

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso"
)

// Report errors are aeso errors, so the HTTP layer maps them in its one
// place; each names where the problem is and never repeats the report.
func TestReportErrorsAreAesoErrors(t *testing.T) {
	t.Parallel()
	secret := "ghp_" + strings.Repeat("Zq9", 12)
	tests := []struct {
		name, format, input string
		code, reason        string
		fields              []aeso.FieldError
	}{
		{
			name: "a malformed report is invalid with its line and column as the field", format: FormatSARIF,
			input: "{\n\"version\": \"2.1.0\", \"runs\": [" + secret + "]}",
			code:  aeso.EINVALID, reason: "malformed_report",
			fields: []aeso.FieldError{{Field: "body:2:30", Code: "malformed_report",
				Message: "sarif: line 2, column 30: invalid character"}},
		},
		{
			name: "a report without a known position names the body", format: FormatJUnit, input: "no xml here",
			code: aeso.EINVALID, reason: "malformed_report",
			fields: []aeso.FieldError{{Field: "body", Code: "malformed_report", Message: "junit: no root element: not a JUnit report"}},
		},
		{
			name: "an unknown format is a field error on format, not repeating it", format: secret, input: "x",
			code: aeso.EINVALID, reason: "validation_failed",
			fields: []aeso.FieldError{{Field: "format", Code: "enum", Message: "must be one of junit, sarif, gotest"}},
		},
		{
			name: "a report over the limit is too large", format: FormatJUnit, input: strings.Repeat("x", limit+1),
			code: aeso.ETOOLARGE, reason: "payload_too_large",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.format, strings.NewReader(tt.input), limit)
			var e *aeso.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not an *aeso.Error", err, err)
			}
			if e.Code != tt.code || aeso.ErrorReason(err) != tt.reason || !slices.Equal(e.Fields, tt.fields) {
				t.Errorf("got %q %q %+v, want %q %q %+v", e.Code, aeso.ErrorReason(err), e.Fields, tt.code, tt.reason, tt.fields)
			}
			if strings.Contains(e.Error(), secret[:10]) {
				t.Errorf("the error repeats the report: %s", e.Error())
			}
		})
	}
}

// Each kind of syntax error a decoder reports is named by a fixed text:
// encoding/xml and the JSON decoders quote the input in their messages,
// some without quotes (invalid XML name: ghp_…), so a token planted where
// each kind of error is raised must not come back. The inputs are small
// broken documents no tool writes, one per kind of error.
func TestParseErrorsNeverQuoteTheReport(t *testing.T) {
	t.Parallel()
	const canary = "ghp_CANARYq9Zq9Zq9Zq9Zq9Zq9Zq9Zq9Zq9Zq9"
	tests := []struct{ format, input, msg string }{
		{FormatJUnit, "<testsuite><testcase name=\"a\"></" + canary + "></testsuite>", "an element closed by the end tag of another"},
		{FormatJUnit, "<testsuite></testsuite></" + canary + ">", "an end tag without its start tag"},
		{FormatJUnit, "<testsuite>&password" + canary + " x</testsuite>", "invalid character entity"},
		{FormatJUnit, "<testsuite>&" + canary + ";</testsuite>", "invalid character entity"},
		{FormatJUnit, "<testsuite><" + canary + "×/></testsuite>", "invalid XML name"},
		{FormatJUnit, "<testsuite " + canary + "></testsuite>", "an attribute name without ="},
		{FormatJUnit, "<testsuite a=" + canary + "></testsuite>", "an unquoted or missing attribute value"},
		{FormatJUnit, "<?xml version=\"" + canary + "\"?><testsuite/>", "unsupported XML version"},
		{FormatJUnit, "<?xml version=\"1.0\" encoding=\"" + canary + "\"?><testsuite/>", "the document declares an encoding other than UTF-8 or UTF-16"},
		{FormatJUnit, "<testsuite><testcase name=\"" + canary + "\xff\"/></testsuite>", "invalid UTF-8"},
		{FormatSARIF, `{"version":"2.1.0","runs":` + canary + `}`, "invalid character"},
		{FormatSARIF, `{"version":"2.1.0","` + canary + `":1,"` + canary + `":2}`, "an object member name is given twice"},
		{FormatSARIF, `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"fingerprints":{"` + canary + `":5}}]}]}`, "a value has the wrong JSON type for its field"},
		{FormatSARIF, "{\"version\":\"2.1.0\",\"" + canary + "\xff\":1}", "invalid UTF-8"},
		{FormatSARIF, `{"version":"2.1.0","runs":["` + canary, "unexpected end of JSON input"},
		{FormatGoTest, `{"Action":"pass","` + canary + `":1,"` + canary + `":2}`, "an object member name is given twice"},
		{FormatGoTest, "{\"Action\":\"pass\",\"Output\":\"" + canary + "\xff\"}", "invalid UTF-8"},
		{FormatGoTest, canary + "\n", "no test2json events; first line: invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.format+" "+tt.msg, func(t *testing.T) {
			_, err := Parse(tt.format, strings.NewReader(tt.input), limit)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse = %v, want a *ParseError", err)
			}
			var e *aeso.Error
			if !errors.As(err, &e) {
				t.Fatalf("%v is not an *aeso.Error", err)
			}
			for _, text := range []string{err.Error(), e.Error(), e.Fields[0].Message} {
				if strings.Contains(text, "CANARY") || strings.Contains(text, "Zq9Zq9") {
					t.Errorf("the error quotes the report: %s", text)
				}
			}
			if pe.Msg != tt.msg {
				t.Errorf("message %q, want %q", pe.Msg, tt.msg)
			}
		})
	}
}
