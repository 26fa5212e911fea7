package gate

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// ActiveWaiver returns the waiver that excuses rule of gate for subject at
// now, or nil. It is the one judge of whether a waiver applies: gate
// evaluations and the posture both ask it, so a waiver excuses the same
// fact in both and stops excusing it in both when it expires.
func ActiveWaiver(waivers []*Waiver, gate, rule, subject string, now time.Time) *Waiver {
	for _, w := range waivers {
		if w.Gate == gate && w.Rule == rule && w.Subject == subject && w.Active(now) {
			return w
		}
	}
	return nil
}

// RuleChanged reports whether the rule a waiver excuses has changed
// since the waiver was given (or is gone, with its gate): such a waiver
// excuses nothing, however long it had to run. A waiver given before
// rule versions were kept changes with nothing.
func (s *Service) RuleChanged(w *Waiver) bool {
	d, err := s.Def(w.Gate)
	if err != nil {
		return true
	}
	for i := range d.Rules {
		if d.Rules[i].Key() == w.Rule {
			return w.RuleVersion != "" && w.RuleVersion != d.Rules[i].Version()
		}
	}
	return true
}

// ForRules keeps the waivers whose rule has not changed since they were
// given: every read of waivers that judges goes through it, so a waiver
// given for one rule never excuses what the config has made of it since.
func (s *Service) ForRules(waivers []*Waiver) []*Waiver {
	out := make([]*Waiver, 0, len(waivers))
	for _, w := range waivers {
		if !s.RuleChanged(w) {
			out = append(out, w)
		}
	}
	return out
}

// CoversGuard reports whether a guards rule reads the reports of guard g:
// a rule that names no guards reads every guard.
func (r *Rule) CoversGuard(g string) bool {
	if r.Guards == nil {
		return false
	}
	return len(r.Guards.Names) == 0 || slices.Contains(r.Guards.Names, g)
}

// GuardWaivers returns the waivers that excuse a report of guard g for
// subject at now: one for each rule of the gates given that reads the
// guard, or nil when no rule reads it or one of them has no waiver for
// the subject. One gate's exception is not another's: a gate that would
// still count the report keeps it counting.
func GuardWaivers(defs []*Def, waivers []*Waiver, g, subject string, now time.Time) []*Waiver {
	var out []*Waiver
	for _, d := range defs {
		for i := range d.Rules {
			r := &d.Rules[i]
			if !r.CoversGuard(g) {
				continue
			}
			w := ActiveWaiver(waivers, d.Name, r.Key(), subject, now)
			if w == nil {
				return nil
			}
			out = append(out, w)
		}
	}
	return out
}

// waive turns a warning or block into waived when an active waiver names
// the rule for the subject; the detail keeps what it would have been.
func waive(reason Reason, waivers []*Waiver, gate, subject string, now time.Time) Reason {
	if reason.Outcome != OutcomeWarn && reason.Outcome != OutcomeBlock {
		return reason
	}
	w := ActiveWaiver(waivers, gate, reason.Rule, subject, now)
	if w == nil {
		return reason
	}
	reason.Detail = fmt.Sprintf("%s (would %s; waived until %s: %s)", reason.Detail, reason.Outcome,
		w.ExpiresAt.UTC().Format(time.RFC3339), w.Reason)
	reason.WaivedOutcome, reason.Outcome, reason.Waiver = reason.Outcome, OutcomeWaived, w.ID
	reason.Refs = append(append([]string(nil), reason.Refs...), "waiver:"+w.ID)
	return reason
}

// unwaive returns a waived reason to what it would have been. Results
// stored before waived_outcome was kept say it only in their detail; one
// that says neither counts as a block, so an expired waiver never passes.
func unwaive(reason Reason) Reason {
	if reason.Outcome != OutcomeWaived {
		return reason
	}
	outcome := reason.WaivedOutcome
	if outcome != OutcomeWarn && outcome != OutcomeBlock {
		outcome = OutcomeBlock
		if strings.Contains(reason.Detail, " (would "+OutcomeWarn+"; waived until ") {
			outcome = OutcomeWarn
		}
	}
	if i := strings.LastIndex(reason.Detail, " (would "+outcome+"; waived until "); i >= 0 {
		reason.Detail = reason.Detail[:i]
	}
	refs := make([]string, 0, len(reason.Refs))
	for _, ref := range reason.Refs {
		if ref != "waiver:"+reason.Waiver {
			refs = append(refs, ref)
		}
	}
	reason.Outcome, reason.Waiver, reason.WaivedOutcome, reason.Refs = outcome, "", "", refs
	return reason
}

// WaiversFor narrows the waivers in force to those that may excuse a
// stored result: every one while the gate's rules are those the result
// was judged under; once they changed (or the gate is gone), only those
// the result already relied on. A waiver given since excuses a rule as it
// stands now (Rule.Version), which says nothing of a reason judged under
// the rule as it stood then.
func WaiversFor(res *Result, def *Def, waivers []*Waiver) []*Waiver {
	if def != nil && res.RulesetVersion == def.Version() {
		return waivers
	}
	used := map[string]bool{}
	for _, r := range res.Reasons {
		if r.Waiver != "" {
			used[r.Waiver] = true
		}
	}
	var out []*Waiver
	for _, w := range waivers {
		if used[w.ID] {
			out = append(out, w)
		}
	}
	return out
}

// Rejudge returns the reasons of a stored result as the waivers in force
// at now judge them: a rule whose waiver has expired counts again as what
// it would have been, and a warning or block that an active waiver now
// names is waived. The rows each rule read are not read again; only the
// waivers, the one thing that changes with time alone, are.
func Rejudge(r *Result, waivers []*Waiver, now time.Time) []Reason {
	out := make([]Reason, len(r.Reasons))
	for i, reason := range r.Reasons {
		out[i] = waive(unwaive(reason), waivers, r.Gate, r.Subject, now)
	}
	return out
}
