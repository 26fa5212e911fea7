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
				Message: "sarif: line 2, column 30: invalid character … looking for beginning of value"}},
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
