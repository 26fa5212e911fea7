package status

import (
	"fmt"
	"strings"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/gate"
	"github.com/aeso-dev/aeso/internal/guard"
	"github.com/aeso-dev/aeso/internal/judge"
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
	reasons := gate.Rejudge(res, gate.WaiversFor(res, g.Def, waivers), now)
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
		msg := fmt.Sprintf("gate %s blocked %s at %s (%s)", g.Def.Name, res.Subject, stamp(res.EvaluatedAt), strings.Join(blocking, ", "))
		if res.Verdict != gate.VerdictBlock {
			// A pass a waiver made, which no longer excuses it.
			msg = fmt.Sprintf("gate %s passed %s at %s under a waiver no longer in force: it blocks now (%s)", g.Def.Name, res.Subject,
				stamp(res.EvaluatedAt), strings.Join(blocking, ", "))
		}
		add(Reason{Source: SourceGate, Ref: "gate_result:" + res.ID, Level: Blocked, Since: at(res.EvaluatedAt), Message: msg})
	} else if now := g.Def.Version(); res.RulesetVersion != now {
		// A pass under rules the gate no longer has says nothing of the
		// rules it has: the posture cannot call it healthy.
		add(Reason{Source: SourceGate, Ref: "gate_result:" + res.ID, Level: Degraded, Since: at(res.EvaluatedAt),
			Message: fmt.Sprintf("gate %s passed %s at %s under rules %s; its rules are now %s: evaluate it again", g.Def.Name,
				res.Subject, stamp(res.EvaluatedAt), res.RulesetVersion, now)})
	}
	return read
}

// evidenceWeights: evidence a posture gate requires and nothing proves
// leaves the posture degraded; a gate evaluation blocks on it.
var evidenceWeights = judge.Weights{Unproven: judge.Warn}

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
	j := judge.Evidence(b, e.Proof, judge.EvidenceRule{MaxAge: e.MaxAge, BlockAge: e.BlockAge}, now, evidenceWeights)
	if j.Cause == judge.EvidenceMissing || j.Cause == judge.EvidenceUnsealed {
		add(Reason{Source: SourceEvidence, Ref: "gate_rule:" + e.Gate + "/" + e.Rule, Level: levelOf(j.Level),
			Message: "no sealed " + what + " (" + by + ")"})
		return nil
	}
	ref := "bundle:" + b.ID + "@" + b.Digest
	subject := b.Subject.Name
	if b.Subject.Ref != "" {
		subject += "@" + b.Subject.Ref
	}
	// The age runs from the seal, or from the oldest proving item where
	// that decided (judge.Evidence).
	from, aged := *b.SealedAt, "was sealed at "+stamp(*b.SealedAt)
	if j.FromItem {
		from, aged = e.Proof.Oldest, "holds proof observed at "+stamp(e.Proof.Oldest)+" (its oldest item)"
	}
	var r Reason
	switch j.Cause {
	case judge.EvidenceNothing:
		r = Reason{Source: SourceEvidence, Ref: ref, Level: levelOf(j.Level), Since: at(*b.SealedAt),
			Message: fmt.Sprintf("the newest %s (%s) proves nothing: no unexpired item of it ran to its end (%s)", what, subject, by)}
	case judge.EvidenceTooOld:
		r = Reason{Source: SourceEvidence, Ref: ref, Level: levelOf(j.Level), Since: at(from.Add(e.BlockAge)),
			Message: fmt.Sprintf("the newest %s (%s) %s, past block_age %s (%s)", what, subject, aged, aeso.ShortDuration(e.BlockAge), by)}
	case judge.EvidenceOld:
		r = Reason{Source: SourceEvidence, Ref: ref, Level: levelOf(j.Level), Since: at(from.Add(e.MaxAge)),
			Message: fmt.Sprintf("the newest %s (%s) %s, past max_age %s (%s)", what, subject, aged, aeso.ShortDuration(e.MaxAge), by)}
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
	excused := gate.GuardWaivers(defs, waivers, rep.Guard, rep.Subject, now)
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
	l := judge.Guard(rep)
	if l == judge.Pass {
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
	return levelOf(l), fmt.Sprintf("guard %s (%s) has %s for %s: %s", rep.Guard, rep.Mode, aeso.Count(c.Total(), "open finding"), rep.Subject, strings.Join(parts, ", "))
}
