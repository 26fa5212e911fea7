package aeso

import "time"

// MaxClockSkew is how far ahead of the server's clock a time a client
// reports may lie: its clock may run a little ahead.
const MaxClockSkew = 5 * time.Minute

// ObservedAt reads the optional observation time s of a report (a
// component's status, an invariant result, a guard run) at the server's
// now: now when s is empty; refused in v when it is no RFC 3339 time, lies
// before 1970, or more than MaxClockSkew ahead. A time ahead of now within
// the skew is recorded as now. The newest observed_at is what a report's
// "latest" means, so a report dated ahead would otherwise outrank every
// report stamped by the server after it (a component reported down, a
// failing result) until that time had passed.
func ObservedAt(v *Validation, s string, now time.Time) time.Time {
	now = now.UTC().Truncate(time.Microsecond)
	if s == "" {
		return now
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	switch {
	case err != nil:
		v.Add("observed_at", "format", "must be an RFC 3339 timestamp")
	case t.After(now.Add(MaxClockSkew)):
		v.Add("observed_at", "future", "lies more than %s in the future", MaxClockSkew)
	case t.UTC().Year() < 1970:
		v.Add("observed_at", "past", "lies before 1970")
	case t.After(now):
		return now
	default:
		return t.UTC().Truncate(time.Microsecond)
	}
	return now
}
