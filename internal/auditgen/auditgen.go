// Package auditgen makes audit events spread as a busy platform's are:
// many actors of which a few are busy, actions in families, correlation
// ids shared by a handful of neighbouring events, rare denials, and
// metadata with a redacted secret now and then. Plan tests and benchmarks
// fill databases with it, so an index is judged on the data it is for.
package auditgen

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/redact"
	"github.com/google/uuid"
)

// Spread sizes. Actor, target and action choices are skewed (a cube of a
// uniform draw), so the lowest numbers are the busiest.
const (
	Users           = 5000
	ServiceAccounts = 40
	Targets         = 50000
	// EventsPerCorrelation is how many neighbouring events share one
	// correlation id.
	EventsPerCorrelation = 4
)

// Families and actions; an action's target type follows its family.
var families = []struct{ family, target string }{
	{"credentials", "api_key"}, {"fleet", "node"}, {"billing", "invoice"},
	{"access", "role"}, {"deploy", "release"}, {"storage", "bucket"},
}

var verbs = []string{"create", "update", "rotate", "delete"}

var regions = []string{"eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-south-1", "sa-east-1"}

var reasons = []string{"scheduled rotation", "incident follow up", "customer request", "quarterly review", "drift repair"}

// Actions lists every action Event may return.
func Actions() []string {
	var out []string
	for _, f := range families {
		for _, v := range verbs {
			out = append(out, f.family+"."+f.target+"."+v)
		}
	}
	return out
}

// mix is SplitMix64: a fixed pseudo-random value per (i, salt), so the
// same i always yields the same event.
func mix(i, salt uint64) uint64 {
	z := i*0x9E3779B97F4A7C15 + salt*0xBF58476D1CE4E5B9 + 0x94D049BB133111EB
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

func uniform(i, salt uint64) float64 { return float64(mix(i, salt)>>11) / (1 << 53) }

// skewed draws from [0, n) with the low numbers the most frequent.
func skewed(i, salt uint64, n int) int { return int(float64(n) * math.Pow(uniform(i, salt), 3)) }

// Event returns the i-th event (0-based) of a trail that starts at start
// and records one event per step. Its id, seq and store stamps are left
// for the store; Source is set.
func Event(i int, start time.Time, step time.Duration) *audit.Event {
	u := uint64(i)
	e := &audit.Event{
		ID:          uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "aeso-auditgen-%d", i)).String(),
		GeneratedID: true,
		Source:      "auditgen",
		RecordedAt:  start.Add(time.Duration(i) * step).UTC().Truncate(time.Microsecond),
	}
	// Events arrive a little after they happen, not always in order.
	e.OccurredAt = e.RecordedAt.Add(-time.Duration(mix(u, 1)%30_000) * time.Millisecond)
	if uniform(u, 2) < 0.75 {
		n := skewed(u, 3, Users)
		e.ActorUserID = fmt.Sprintf("u-%d", n)
		e.ActorDisplayName = fmt.Sprintf("User %d", n)
		e.ActorRole = "operator"
	} else {
		e.ActorServiceAccountID = fmt.Sprintf("sa-%d", skewed(u, 3, ServiceAccounts))
	}
	a := skewed(u, 4, len(families)*len(verbs))
	f := families[a/len(verbs)]
	e.Action = f.family + "." + f.target + "." + verbs[a%len(verbs)]
	e.TargetType = f.target
	e.TargetID = fmt.Sprintf("%s-%d", f.target, skewed(u, 5, Targets))
	switch r := uniform(u, 6); {
	case r < 0.005:
		e.Result = audit.ResultDenied
	case r < 0.05:
		e.Result = audit.ResultFailure
	default:
		e.Result = audit.ResultSuccess
	}
	if mix(u, 7)%10 != 0 {
		e.CorrelationID = fmt.Sprintf("corr-%d", i/EventsPerCorrelation)
	}
	md := map[string]any{
		"region":   regions[mix(u, 8)%uint64(len(regions))],
		"reason":   reasons[mix(u, 9)%uint64(len(reasons))],
		"key_name": fmt.Sprintf("key-%d", skewed(u, 10, 1000)),
		"attempt":  1 + mix(u, 11)%3,
	}
	if mix(u, 12)%20 == 0 {
		md["password"] = redact.Placeholder
		e.RedactedPaths = []string{"password"}
	}
	e.Metadata, _ = json.Marshal(md) // a map of strings and numbers always encodes
	return e
}
