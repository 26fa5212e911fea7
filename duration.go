package aeso

import (
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration written as "24h" in YAML and JSON. Every
// definition that holds an age or a limit (max_age, stale_after, block_age,
// snapshot_every) uses it, so all of them read and print alike.
type Duration struct{ time.Duration }

// UnmarshalText reads "24h", "30m", "7d" is not accepted: Go durations only.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration as Go prints it.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Short writes the duration as a config file would: 30m, 24h, 1h30m.
func (d Duration) Short() string { return ShortDuration(d.Duration) }

// ShortDuration writes d as an operator writes it in the config: 30m, 24h,
// 1h30m, not 30m0s.
func ShortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// ShortAge writes an elapsed time the way ShortDuration writes a limit,
// rounded so that it reads at a glance: to the second under a minute, to
// the minute past it (31m, not 31m20s), and never negative.
func ShortAge(d time.Duration) string {
	switch {
	case d < 0:
		d = 0
	case d < time.Minute:
		d = d.Round(time.Second)
	default:
		d = d.Round(time.Minute)
	}
	return ShortDuration(d)
}

// Count writes n of a noun, the noun in the plural unless n is 1:
// "1 item", "2 items", "0 open findings" (noun "open finding").
func Count(n int, noun string) string {
	if n != 1 {
		noun += "s"
	}
	return strconv.Itoa(n) + " " + noun
}
