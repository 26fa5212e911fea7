package guard

import (
	"math"
	"testing"
)

// A report stored before counts were bounded may hold counts whose sum
// passes the largest int; it must still read as open, with a total that
// did not wrap.
func TestCountsThatPassTheLargestIntStayOpen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		counts Counts
		total  int
		open   bool
	}{
		{"no findings", Counts{}, 0, false},
		{"a few findings", Counts{High: 2, Low: 1}, 3, true},
		{"two counts of the largest int and two more", Counts{Critical: math.MaxInt64, High: math.MaxInt64, Medium: 2}, math.MaxInt, true},
		{"counts that sum exactly to the largest int", Counts{Critical: math.MaxInt - 1, Info: 1}, math.MaxInt, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Report{Counts: tt.counts}
			if got := tt.counts.Total(); got != tt.total {
				t.Errorf("Total() = %d, want %d", got, tt.total)
			}
			if r.Open() != tt.open {
				t.Errorf("Open() = %v, want %v", r.Open(), tt.open)
			}
		})
	}
}
