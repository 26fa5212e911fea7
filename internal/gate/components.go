package gate

import (
	"fmt"
	"strings"
	"time"

	"github.com/aeso-dev/aeso/internal/component"
)

// componentsReason judges each listed component as it stands at the
// evaluation's time: down (reported, or dead by the clock) or never
// reported blocks; degraded, unknown or stale warns.
func componentsReason(r *Rule, in inputs) (Reason, error) {
	views, err := in.components()
	if err != nil {
		return Reason{}, err
	}
	byName := map[string]*component.View{}
	for _, v := range views {
		byName[v.Def.Name] = v
	}
	outcome := OutcomePass
	var notes []string
	refs := []string{}
	worsen := func(o string) {
		if o == OutcomeBlock || outcome == OutcomePass {
			outcome = o
		}
	}
	for _, name := range r.Components {
		v := byName[name]
		if v == nil {
			// The config loader refuses such a gate; a definition built
			// another way still gets an answer rather than a pass.
			worsen(OutcomeBlock)
			notes = append(notes, name+" is not defined")
			continue
		}
		if v.Latest != nil {
			refs = append(refs, "component_status:"+v.Latest.ID)
		}
		o, note := componentOutcome(v.Def, v.Latest, in.now)
		if o != OutcomePass {
			worsen(o)
			notes = append(notes, note)
		}
	}
	if outcome == OutcomePass {
		return Reason{Outcome: OutcomePass, Refs: refs, Detail: "healthy and reporting: " + strings.Join(r.Components, ", ")}, nil
	}
	return Reason{Outcome: outcome, Refs: refs, Detail: strings.Join(notes, "; ")}, nil
}

// componentOutcome is one component's outcome at now and, unless it
// passes, why.
func componentOutcome(d component.Def, latest *component.Report, now time.Time) (string, string) {
	name := d.Name
	switch component.Freshness(d, latest, now) {
	case component.FreshnessNever:
		return OutcomeBlock, name + " has never reported"
	case component.FreshnessDead:
		return OutcomeBlock, fmt.Sprintf("%s is down (no report for %s, past dead_after %s)",
			name, shortDuration(now.Sub(latest.ObservedAt)), shortDuration(d.DeadAfter.Duration))
	case component.FreshnessStale:
		stale := fmt.Sprintf("no report for %s, past stale_after %s", shortDuration(now.Sub(latest.ObservedAt)), shortDuration(d.StaleAfter.Duration))
		switch latest.Status {
		case component.StatusDown:
			return OutcomeBlock, fmt.Sprintf("%s is down (reported down; %s)", name, stale)
		case component.StatusHealthy:
			return OutcomeWarn, fmt.Sprintf("%s is stale (%s)", name, stale)
		}
		return OutcomeWarn, fmt.Sprintf("%s is %s and stale (%s)", name, latest.Status, stale)
	}
	ago := shortDuration(now.Sub(latest.ObservedAt))
	switch latest.Status {
	case component.StatusDown:
		return OutcomeBlock, fmt.Sprintf("%s is down (reported down %s ago)", name, ago)
	case component.StatusDegraded, component.StatusUnknown:
		return OutcomeWarn, fmt.Sprintf("%s is %s (reported %s ago)", name, latest.Status, ago)
	}
	return OutcomePass, ""
}

// shortDuration writes d as an operator writes it in the config: 31m, 1h30m
// or 45s, not 31m0s. Past a minute it is rounded to the minute.
func shortDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	if d < time.Minute {
		return d.Round(time.Second).String()
	}
	s := d.Round(time.Minute).String()
	s = strings.TrimSuffix(s, "0s")
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
