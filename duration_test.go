package aeso

import (
	"testing"
	"time"
)

func TestShortReadsLikeTheConfig(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		30 * time.Minute:                     "30m",
		24 * time.Hour:                       "24h",
		336 * time.Hour:                      "336h",
		90 * time.Minute:                     "1h30m",
		90 * time.Second:                     "1m30s",
		45 * time.Second:                     "45s",
		time.Hour + 30*time.Second:           "1h0m30s",
		5*time.Minute + 500*time.Millisecond: "5m0.5s",
	} {
		if got := (Duration{d}).Short(); got != want {
			t.Errorf("%v: %s, want %s", d, got, want)
		}
	}
}

func TestShortAgeRoundsToWhatAnOperatorReads(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		30 * time.Minute:                      "30m",
		31*time.Minute + 20*time.Second:       "31m",
		time.Hour:                             "1h",
		90 * time.Minute:                      "1h30m",
		168 * time.Hour:                       "168h",
		45*time.Second + 300*time.Millisecond: "45s",
		-time.Second:                          "0s",
	} {
		if got := ShortAge(d); got != want {
			t.Errorf("ShortAge(%s) = %s, want %s", d, got, want)
		}
	}
}
