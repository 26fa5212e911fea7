package gate

import (
	"fmt"
	"strings"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/component"
	"github.com/aeso-dev/aeso/internal/judge"
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

// componentWeights are what a components rule asks: each listed component
// up, so down blocks whether or not it is critical, and reporting, so one
// that never reported blocks too.
var componentWeights = judge.Weights{Down: judge.Block, Unproven: judge.Block, Stale: judge.Warn}

// componentOutcome is one component's outcome at now and, unless it
// passes, why.
func componentOutcome(d component.Def, latest *component.Report, now time.Time) (string, string) {
	name := d.Name
	j := judge.Component(d, latest, now, componentWeights)
	o := outcomeOf(j.Level())
	switch j.Freshness {
	case component.FreshnessNever:
		return o, name + " has never reported"
	case component.FreshnessDead:
		return o, fmt.Sprintf("%s is down (no report for %s, past dead_after %s)",
			name, aeso.ShortAge(j.Age), d.DeadAfter.Short())
	case component.FreshnessStale:
		stale := fmt.Sprintf("no report for %s, past stale_after %s", aeso.ShortAge(j.Age), d.StaleAfter.Short())
		switch latest.Status {
		case component.StatusDown:
			return o, fmt.Sprintf("%s is down (reported down; %s)", name, stale)
		case component.StatusHealthy:
			return o, fmt.Sprintf("%s is stale (%s)", name, stale)
		}
		return o, fmt.Sprintf("%s is %s and stale (%s)", name, latest.Status, stale)
	}
	switch latest.Status {
	case component.StatusDown:
		return o, fmt.Sprintf("%s is down (reported down %s before this evaluation)", name, aeso.ShortAge(j.Age))
	case component.StatusDegraded, component.StatusUnknown:
		return o, fmt.Sprintf("%s is %s (reported %s before this evaluation)", name, latest.Status, aeso.ShortAge(j.Age))
	}
	return o, ""
}

// outcomeOf names a level as a rule's outcome.
func outcomeOf(l judge.Level) string {
	switch l {
	case judge.Block:
		return OutcomeBlock
	case judge.Warn:
		return OutcomeWarn
	}
	return OutcomePass
}
