package console

import (
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/component"
)

func TestStripDrawsTheNewestReportOnTheRight(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	// History lists newest first.
	reports := []*component.Report{
		{Status: "down", ObservedAt: now.Add(-time.Minute)},
		{Status: "healthy", ObservedAt: now.Add(-2 * time.Minute)},
		{Status: "healthy", ObservedAt: now.Add(-3 * time.Minute)},
	}
	s := strip(reports, now)
	if len(s.Cells) != stripLength || s.Width != stripLength*(cellWidth+cellGap)-cellGap {
		t.Fatalf("%d cells, width %d", len(s.Cells), s.Width)
	}
	last := s.Cells[stripLength-1]
	if last.Class != "s-down" || last.Title != "down at 2026-12-02 11:59:00 UTC (1 min ago)" || last.X != (stripLength-1)*(cellWidth+cellGap) {
		t.Errorf("newest cell %+v", last)
	}
	if c := s.Cells[stripLength-3]; c.Class != "s-healthy" {
		t.Errorf("oldest report's cell %+v", c)
	}
	if c := s.Cells[0]; c.Class != "s-none" || c.Title != "no report" {
		t.Errorf("empty slot %+v", c)
	}
	if s.Label != "last 3 reports: 2 healthy, 1 down" {
		t.Errorf("label %q", s.Label)
	}
	if s := strip(nil, now); s.Label != "no reports yet" {
		t.Errorf("empty strip label %q", s.Label)
	}
}

func TestRelativeTimes(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		2 * time.Second:     "just now",
		30 * time.Second:    "30s ago",
		5 * time.Minute:     "5 min ago",
		3 * time.Hour:       "3 h ago",
		72 * time.Hour:      "3 days ago",
		-10 * time.Minute:   "10 min from now",
		90 * 24 * time.Hour: "2026-09-03",
	} {
		if got := relative(now.Add(-d), now); got != want {
			t.Errorf("%v ago: %q, want %q", d, got, want)
		}
	}
	if got := string(timeTag(now.Add(-5*time.Minute), now)); got != `<time datetime="2026-12-02T11:55:00Z" title="2026-12-02 11:55:00 UTC">5 min ago</time>` {
		t.Errorf("time tag %s", got)
	}
}
