package gate

import (
	"context"
	"fmt"
	"time"
)

// VerdictUnknown is what a stored pass says once the gate's rules have
// changed: it was judged under rules the gate no longer has.
const VerdictUnknown = "unknown"

// Current is what a stored result says at the time it is read. A result
// is history and keeps the verdict it was given; Current says whether it
// still holds: a waiver it relied on may have expired, a waiver given
// since may excuse a block, and the gate's rules may have changed. It is
// judged as the posture judges the result, by Rejudge and the ruleset
// version, so a read of the result and the posture never disagree.
type Current struct {
	Verdict string
	// Notes say what changed since the evaluation, empty when nothing did.
	Notes []string
	At    time.Time
	// Reasons are the result's reasons judged again with the waivers in
	// force at At, in rule order.
	Reasons []Reason
}

// CurrentOf judges a stored result again at now with the waivers in force
// then. def is the gate's definition, nil when the gate is no longer
// defined. Only the waivers and the rules are read again, not the rows
// each rule read: the evidence or scans may have changed too, which only
// a new evaluation can tell.
func CurrentOf(res *Result, def *Def, waivers []*Waiver, now time.Time) Current {
	reasons := Rejudge(res, WaiversFor(res, def, waivers), now)
	verdict, _ := Verdict(reasons)
	notes := []string{}
	for i, r := range reasons {
		was := res.Reasons[i]
		switch {
		case was.Outcome == OutcomeWaived && r.Outcome != OutcomeWaived:
			notes = append(notes, fmt.Sprintf("rule %s counts as %s again: waiver %s is no longer in force", r.Rule, r.Outcome, was.Waiver))
		case r.Outcome == OutcomeWaived && was.Waiver != r.Waiver:
			notes = append(notes, fmt.Sprintf("rule %s would %s and is now waived by waiver %s", r.Rule, r.WaivedOutcome, r.Waiver))
		}
	}
	switch {
	case def == nil:
		if verdict == VerdictPass {
			verdict = VerdictUnknown
		}
		notes = append(notes, fmt.Sprintf("gate %s is no longer defined", res.Gate))
	case res.RulesetVersion != def.Version():
		// A block stays a block: rules changed since say nothing of what
		// blocked then. A pass says nothing of the rules the gate has now.
		if verdict == VerdictPass {
			verdict = VerdictUnknown
		}
		notes = append(notes, fmt.Sprintf("the gate's rules changed since (%s, now %s): evaluate it again", res.RulesetVersion, def.Version()))
	}
	return Current{Verdict: verdict, Notes: notes, At: now, Reasons: reasons}
}

// Stored is a stored result and what it says now.
type Stored struct {
	*Result
	Current Current
}

// WithCurrents pairs stored results with what each says now (Currents).
func (s *Service) WithCurrents(ctx context.Context, results []*Result) ([]Stored, error) {
	curs, err := s.Currents(ctx, results...)
	if err != nil {
		return nil, err
	}
	out := make([]Stored, len(results))
	for i, r := range results {
		out[i] = Stored{r, curs[i]}
	}
	return out, nil
}

// Currents judges stored results again at the service's now, as
// CurrentOf does, reading the waivers in force once for all of them.
func (s *Service) Currents(ctx context.Context, results ...*Result) ([]Current, error) {
	now := s.Now()
	var names []string
	seen := map[string]bool{}
	for _, r := range results {
		if !seen[r.Gate] {
			seen[r.Gate] = true
			names = append(names, r.Gate)
		}
	}
	out := make([]Current, len(results))
	if len(results) == 0 {
		return out, nil
	}
	waivers, err := s.Store.ActiveGateWaivers(ctx, names, now)
	if err != nil {
		return nil, err
	}
	waivers = s.ForRules(waivers)
	for i, r := range results {
		def, err := s.Def(r.Gate)
		if err != nil {
			def = nil
		}
		out[i] = CurrentOf(r, def, waivers, now)
	}
	return out, nil
}
