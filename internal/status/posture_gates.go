package status

import (
	"fmt"
	"strings"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/gate"
	"github.com/aeso-dev/aeso/internal/guard"
)

// The posture rules that a gate's waivers and withdrawals reach: gate
// results, the evidence posture gates require, and guard reports. Whether
// a waiver applies is asked of gate.ActiveWaiver, the judge gate
// evaluations use, so a waiver excuses the same fact in both places and
// stops excusing it in both when it expires. Each function returns the
// refs it read beyond its input row.

// waived is the reason, of level healthy, that says a waiver excuses what
// would otherwise count, so the posture never hides it.
func waived(source, what string, w *gate.Waiver, component string) Reason {
	return Reason{Source: source, Ref: "waiver:" + w.ID, Level: Healthy, Since: at(w.CreatedAt), Component: component,
		Message: fmt.Sprintf("%s: waived for gate %s rule %s until %s by %s: %s", what, w.Gate, w.Rule,
			stamp(w.ExpiresAt), w.CreatedBy, clip(w.Reason, 200))}
}

func findWaiver(waivers []*gate.Waiver, id string) *gate.Waiver {
	for _, w := range waivers {
		if w.ID == id {
			return w
		}
	}
	return nil
}

// gateReasons: the latest result for a subject name blocks unless it was
// withdrawn; its rules are judged against the waivers in force now, so a
// waiver given after the evaluation excuses it and an expired one no
// longer does. A withdrawal and each waiver in use are said, as healthy.
func gateReasons(g GateInput, waivers []*gate.Waiver, now time.Time, add func(Reason)) []string {
	res := g.Latest
	if w := g.Withdrawal; w != nil && w.ResultID == res.ID {
		add(Reason{Source: SourceGate, Ref: "gate_withdrawal:" + w.ID, Level: Healthy, Since: at(w.WithdrawnAt),
			Message: fmt.Sprintf("gate %s result for %s (%s at %s) was withdrawn by %s at %s: %s", g.Def.Name, res.Subject,
				res.Verdict, stamp(res.EvaluatedAt), w.WithdrawnBy, stamp(w.WithdrawnAt), clip(w.Reason, 200))})
		return []string{"gate_withdrawal:" + w.ID}
	}
	var read, blocking []string
	reasons := gate.Rejudge(res, waivers, now)
	for _, r := range reasons {
		switch r.Outcome {
		case gate.OutcomeBlock:
			blocking = append(blocking, r.Rule)
		case gate.OutcomeWaived:
			if w := findWaiver(waivers, r.Waiver); w != nil {
				read = append(read, "waiver:"+w.ID)
				add(waived(SourceGate, fmt.Sprintf("gate %s would %s %s on rule %s", g.Def.Name, r.WaivedOutcome,
					res.Subject, r.Rule), w, ""))
			}
		}
	}
	if v, _ := gate.Verdict(reasons); v == gate.VerdictBlock {
		add(Reason{Source: SourceGate, Ref: "gate_result:" + res.ID, Level: Blocked, Since: at(res.EvaluatedAt),
			Message: fmt.Sprintf("gate %s blocked %s at %s (%s)", g.Def.Name, res.Subject,
				stamp(res.EvaluatedAt), strings.Join(blocking, ", "))})
	}
	return read
}

// evidenceReason: evidence older than max_age → degraded, older than
// block_age → blocked, unless the gate that requires it waives that rule
// for the bundle's subject. Missing evidence is unproven: degraded.
func evidenceReason(e EvidenceInput, waivers []*gate.Waiver, now time.Time, add func(Reason)) []string {
	what := e.Kind + " evidence"
	if e.Stage != "" {
		what += " promoted to " + e.Stage
	}
	by := fmt.Sprintf("required by gate %s rule %s", e.Gate, e.Rule)
	b := e.Bundle
	if b == nil || b.SealedAt == nil {
		add(Reason{Source: SourceEvidence, Ref: "gate_rule:" + e.Gate + "/" + e.Rule, Level: Degraded,
			Message: "no sealed " + what + " (" + by + ")"})
		return nil
	}
	age := now.Sub(*b.SealedAt)
	ref := "bundle:" + b.ID + "@" + b.Digest
	subject := b.Subject.Name
	if b.Subject.Ref != "" {
		subject += "@" + b.Subject.Ref
	}
	var r Reason
	switch {
	case e.BlockAge > 0 && age > e.BlockAge:
		r = Reason{Source: SourceEvidence, Ref: ref, Level: Blocked, Since: at(b.SealedAt.Add(e.BlockAge)),
			Message: fmt.Sprintf("the newest %s (%s) was sealed at %s, past block_age %s (%s)", what, subject, stamp(*b.SealedAt), aeso.Duration{Duration: e.BlockAge}.Short(), by)}
	case e.MaxAge > 0 && age > e.MaxAge:
		r = Reason{Source: SourceEvidence, Ref: ref, Level: Degraded, Since: at(b.SealedAt.Add(e.MaxAge)),
			Message: fmt.Sprintf("the newest %s (%s) was sealed at %s, past max_age %s (%s)", what, subject, stamp(*b.SealedAt), aeso.Duration{Duration: e.MaxAge}.Short(), by)}
	default:
		return nil
	}
	if w := gate.ActiveWaiver(waivers, e.Gate, e.Rule, subject, now); w != nil {
		add(waived(SourceEvidence, fmt.Sprintf("%s, would be %s", r.Message, r.Level), w, ""))
		return []string{"waiver:" + w.ID}
	}
	add(r)
	return nil
}

// guardReason: a blocking-mode guard with open findings → blocked; warn
// mode → degraded; report_only counts for nothing. The posture gates that
// read the guard excuse it for the report's subject only when each of
// them waives its guards rule: one gate's exception is not another's.
func guardReason(rep *guard.Report, defs []*gate.Def, waivers []*gate.Waiver, now time.Time, add func(Reason)) []string {
	level, what := guardFinding(rep)
	if level == "" {
		return nil
	}
	excused := guardWaivers(rep, defs, waivers, now)
	if excused == nil {
		add(Reason{Source: SourceGuard, Ref: "guard_report:" + rep.ID, Level: level, Since: at(rep.ObservedAt), Message: what})
		return nil
	}
	var read []string
	for _, w := range excused {
		read = append(read, "waiver:"+w.ID)
		add(waived(SourceGuard, what, w, ""))
	}
	return read
}

// withdrawnGuardReason: a report whose subject was withdrawn from the
// posture counts for nothing; when it would have counted, the posture
// says so, as healthy, naming the withdrawal.
func withdrawnGuardReason(rep *guard.Report, w *gate.Withdrawal, add func(Reason)) []string {
	level, what := guardFinding(rep)
	if level == "" {
		return nil
	}
	add(Reason{Source: SourceGuard, Ref: "gate_withdrawal:" + w.ID, Level: Healthy, Since: at(w.WithdrawnAt),
		Message: fmt.Sprintf("%s: does not count, %s from gate %s was withdrawn by %s at %s: %s", what, w.Subject, w.Gate,
			w.WithdrawnBy, stamp(w.WithdrawnAt), clip(w.Reason, 200))})
	return []string{"gate_withdrawal:" + w.ID}
}

// guardFinding is the level a report counts for and what it says, or ""
// when it counts for nothing: no open findings, or report_only.
func guardFinding(rep *guard.Report) (level, what string) {
	if !rep.Open() {
		return "", ""
	}
	switch rep.Mode {
	case guard.ModeBlocking:
		level = Blocked
	case guard.ModeWarn:
		level = Degraded
	default:
		return "", ""
	}
	c := rep.Counts
	var parts []string
	for _, p := range []struct {
		n    int
		name string
	}{{c.Critical, "critical"}, {c.High, "high"}, {c.Medium, "medium"}, {c.Low, "low"}, {c.Info, "info"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.name))
		}
	}
	return level, fmt.Sprintf("guard %s (%s) has %d open findings for %s: %s", rep.Guard, rep.Mode, c.Total(), rep.Subject, strings.Join(parts, ", "))
}

// guardWaivers returns the waivers that excuse a guard report, one per
// posture gate rule that reads the guard, or nil when no rule reads it or
// one of them has no waiver for the report's subject.
func guardWaivers(rep *guard.Report, defs []*gate.Def, waivers []*gate.Waiver, now time.Time) []*gate.Waiver {
	var out []*gate.Waiver
	for _, d := range defs {
		for i := range d.Rules {
			r := &d.Rules[i]
			if !r.CoversGuard(rep.Guard) {
				continue
			}
			w := gate.ActiveWaiver(waivers, d.Name, r.Key(), rep.Subject, now)
			if w == nil {
				return nil
			}
			out = append(out, w)
		}
	}
	return out
}
