package judge

import (
	"time"

	"github.com/aeso-dev/aeso/internal/component"
)

// ComponentJudgement is what a component's latest report amounts to at one
// moment.
type ComponentJudgement struct {
	Freshness string        // fresh, stale, dead or never (component.Freshness)
	Age       time.Duration // since the latest report; 0 when it never reported
	// Status weighs what the component is: down when it reported down or
	// is dead by the clock, degraded or unknown when it reported so,
	// unproven when it never reported.
	Status Level
	// Stale weighs a report older than stale_after that is not yet dead.
	Stale Level
}

// Level is the judgement's weight: the heavier of status and staleness.
func (j ComponentJudgement) Level() Level { return Worst(j.Status, j.Stale) }

// Component judges a component from its latest report (nil when it never
// reported) at now.
func Component(d component.Def, latest *component.Report, now time.Time, w Weights) ComponentJudgement {
	j := ComponentJudgement{Freshness: component.Freshness(d, latest, now)}
	if latest != nil {
		j.Age = now.Sub(latest.ObservedAt)
	}
	switch j.Freshness {
	case component.FreshnessNever:
		j.Status = w.Unproven
		return j
	case component.FreshnessDead:
		j.Status = w.Down
		return j
	case component.FreshnessStale:
		j.Stale = w.Stale
	}
	switch latest.Status {
	case component.StatusDown:
		j.Status = w.Down
	case component.StatusDegraded, component.StatusUnknown:
		j.Status = Warn
	}
	return j
}
