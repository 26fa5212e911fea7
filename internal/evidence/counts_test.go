package evidence

import (
	"math"
	"testing"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/report"
)

func TestItemCountsMustAddUpAndAgreeWithTheResult(t *testing.T) {
	t.Parallel()
	sarif := &report.Summary{Format: report.FormatSARIF}
	tests := []struct {
		name, result string
		counts       report.Counts
		sum          *report.Summary
		field, code  string // "" when accepted
	}{
		{"a manual total below the sum", "fail", report.Counts{Total: 1, Failed: 9}, nil, "counts", "inconsistent"},
		{"a manual total above the sum", "pass", report.Counts{Total: 5, Passed: 4}, nil, "counts", "inconsistent"},
		{"a manual pass with failures", "pass", report.Counts{Total: 2, Passed: 1, Failed: 1}, nil, "result", "contradicts_counts"},
		{"a manual pass with errors", "pass", report.Counts{Total: 1, Errored: 1}, nil, "result", "contradicts_counts"},
		{"negative counts", "fail", report.Counts{Total: -1}, nil, "counts", "negative"},
		{"manual counts that add up", "fail", report.Counts{Total: 3, Passed: 1, Failed: 1, Skipped: 1}, nil, "", ""},
		{"a bare manual total", "pass", report.Counts{Total: 7}, nil, "", ""},
		{"SARIF counts add up by bucket", "fail", report.Counts{Total: 3, Failed: 1, Warnings: 2}, sarif, "", ""},
		{"SARIF counts that do not add up", "fail", report.Counts{Total: 1, Failed: 1, Warnings: 2}, sarif, "counts", "inconsistent"},
		{"a total beyond 2^53", "pass", report.Counts{Total: report.MaxCount + 1}, nil, "counts.total", "range"},
		{"a total of exactly 2^53", "pass", report.Counts{Total: report.MaxCount}, nil, "", ""},
		{"counts whose sum wraps to a negative number", "pass", report.Counts{Total: 1, Passed: math.MaxInt, Skipped: 1}, nil, "counts.passed", "range"},
		{"counts of 2^53 that add up", "fail", report.Counts{Total: report.MaxCount, Passed: report.MaxCount - 1, Failed: 1}, nil, "", ""},
		{"counts of 2^53 each that do not add up", "fail", report.Counts{Total: 1, Passed: report.MaxCount, Failed: report.MaxCount}, nil, "counts", "inconsistent"},
		{"a SARIF bucket beyond 2^53", "warn", report.Counts{Total: 1, Warnings: report.MaxCount + 1}, sarif, "counts.warnings", "range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v aeso.Validation
			checkCounts(&v, tt.result, tt.counts, tt.sum)
			switch {
			case tt.field == "" && len(v.Fields) != 0:
				t.Errorf("refused: %+v", v.Fields)
			case tt.field != "" && (len(v.Fields) != 1 || v.Fields[0].Field != tt.field || v.Fields[0].Code != tt.code):
				t.Errorf("errors %+v, want one %s on %s", v.Fields, tt.code, tt.field)
			}
		})
	}
}
