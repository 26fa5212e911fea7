package component

import (
	"testing"
	"time"

	"github.com/aeso-dev/aeso"
)

func TestFreshnessBoundaries(t *testing.T) {
	t.Parallel()
	d := Def{Name: "api", StaleAfter: aeso.Duration{Duration: 5 * time.Minute}, DeadAfter: aeso.Duration{Duration: 30 * time.Minute}}
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	latest := &Report{Status: StatusDegraded, ObservedAt: at}
	for _, tc := range []struct {
		name      string
		age       time.Duration
		freshness string
		effective string
	}{
		{"a new report is fresh", 0, FreshnessFresh, StatusDegraded},
		{"exactly stale_after is still fresh", 5 * time.Minute, FreshnessFresh, StatusDegraded},
		{"a nanosecond past stale_after is stale", 5*time.Minute + 1, FreshnessStale, StatusDegraded},
		{"exactly dead_after is still stale", 30 * time.Minute, FreshnessStale, StatusDegraded},
		{"past dead_after is dead and counts as down", 30*time.Minute + 1, FreshnessDead, StatusDown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := at.Add(tc.age)
			if f, e := Freshness(d, latest, now), Effective(d, latest, now); f != tc.freshness || e != tc.effective {
				t.Errorf("freshness %s effective %s, want %s %s", f, e, tc.freshness, tc.effective)
			}
		})
	}
	if f, e := Freshness(d, nil, at), Effective(d, nil, at); f != FreshnessNever || e != StatusUnknown {
		t.Errorf("never reported: %s %s", f, e)
	}
}

func TestDefinitionsAreValidated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		def   Def
		field string
	}{
		{"a name with capitals", Def{Name: "API", Owner: "o", StaleAfter: dur(time.Minute), DeadAfter: dur(time.Hour)}, "name"},
		{"no owner", Def{Name: "api", StaleAfter: dur(time.Minute), DeadAfter: dur(time.Hour)}, "owner"},
		{"dead before stale", Def{Name: "api", Owner: "o", StaleAfter: dur(time.Hour), DeadAfter: dur(time.Minute)}, "dead_after"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fields := tc.def.Validate()
			if len(fields) != 1 || fields[0].Field != tc.field {
				t.Errorf("problems %+v, want one on %s", fields, tc.field)
			}
		})
	}
}

func dur(d time.Duration) aeso.Duration { return aeso.Duration{Duration: d} }
