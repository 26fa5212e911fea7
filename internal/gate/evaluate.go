package gate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/component"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/guard"
	"github.com/aeso-dev/aeso/internal/invariant"
	"github.com/aeso-dev/aeso/internal/judge"
	"github.com/aeso-dev/aeso/internal/reconcile"
)

// Verdicts and rule outcomes.
const (
	VerdictPass  = "pass"
	VerdictBlock = "block"

	OutcomePass   = "pass"
	OutcomeWarn   = "warn"
	OutcomeBlock  = "block"
	OutcomeWaived = "waived"
)

// Reason is one rule's outcome and what decided it. Its JSON is a storage
// shape: a stored result keeps its reasons in it.
type Reason struct {
	Rule    string   `json:"rule"`
	Kind    string   `json:"kind"`
	Outcome string   `json:"outcome"`
	Detail  string   `json:"detail"`
	Refs    []string `json:"refs"`             // the rows that decided it, as "kind:id"
	Waiver  string   `json:"waiver,omitempty"` // the waiver that excused a block or warning
	// WaivedOutcome is what a waived rule would have been (warn or block),
	// so that it counts again once its waiver has expired.
	WaivedOutcome string `json:"waived_outcome,omitempty"`
}

// Result is one evaluation of a gate for a subject; results are history.
type Result struct {
	ID             string
	Gate           string
	Subject        string
	Verdict        string
	Warnings       []string // rules that warned
	Reasons        []Reason
	InputsDigest   string
	RulesetVersion string
	Evaluator      string
	EvaluatedAt    time.Time
	CorrelationID  string
}

// Waiver excuses one rule of a gate for one subject until it expires.
type Waiver struct {
	ID        string
	Gate      string
	Rule      string
	Subject   string
	Reason    string
	CreatedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
	// RuleVersion is the version of the rule when the waiver was given
	// (Rule.Version); "" for waivers given before it was kept.
	RuleVersion string
}

// Active reports whether the waiver applies at now.
func (w *Waiver) Active(now time.Time) bool { return now.Before(w.ExpiresAt) }

// inputs are what one evaluation reads.
type inputs struct {
	now        time.Time
	subject    string
	evidence   func(kind, name, ref, stage string) (*evidence.View, error)
	invariants func(env string) ([]*invariant.View, error)
	guards     func(names []string) ([]*guard.Report, []string, error) // reports, and names with none
	components func() ([]*component.View, error)
	// reconciliations returns the open records, the weightiest first, at
	// most MaxReconciliations+1 so that a cut list can be told from a full
	// one.
	reconciliations func() ([]*reconcile.Record, error)
	waivers         []*Waiver
}

// splitSubject reads "api@v1.4.2" as the evidence subject api at ref v1.4.2.
func splitSubject(s string) (name, ref string) {
	name, ref, _ = strings.Cut(s, "@")
	return name, ref
}

// evaluate applies every rule of d; it reads rows but writes nothing.
func evaluate(d *Def, in inputs) ([]Reason, error) {
	reasons := make([]Reason, 0, len(d.Rules))
	for i := range d.Rules {
		r := &d.Rules[i]
		var reason Reason
		var err error
		switch r.Kind() {
		case "evidence":
			reason, err = evidenceReason(r, in)
		case "invariants":
			reason, err = invariantsReason(r, in)
		case "guards":
			reason, err = guardsReason(r, in)
		case "components":
			reason, err = componentsReason(r, in)
		case "reconciliation":
			reason, err = reconciliationReason(r, in)
		}
		if err != nil {
			return nil, err
		}
		reason.Rule, reason.Kind = r.Key(), r.Kind()
		switch {
		case len(reason.Refs) == 0 && reason.Outcome != OutcomePass:
			// What is missing has no row: the reason points at the rule
			// that asks for it, as the posture's reasons do.
			reason.Refs = []string{"gate_rule:" + d.Name + "/" + r.Key()}
		case reason.Refs == nil:
			reason.Refs = []string{}
		}
		reasons = append(reasons, waive(reason, in.waivers, d.Name, in.subject, in.now))
	}
	return reasons, nil
}

func evidenceReason(r *Rule, in inputs) (Reason, error) {
	e := r.Evidence
	name, ref := splitSubject(in.subject)
	if ref == "" {
		// Without a ref the newest bundle of any version would do, which
		// is no evidence about this release.
		return Reason{Outcome: OutcomeBlock, Detail: "the subject names no ref (name@ref): evidence is looked up for one version"}, nil
	}
	v, err := in.evidence(e.Kind, name, ref, e.Stage)
	if err != nil && aeso.ErrorCode(err) != aeso.ENOTFOUND {
		return Reason{}, err
	}
	var b *evidence.Bundle
	var items *judge.EvidenceItems
	var refs []string
	if err == nil {
		b = v.Bundle
		refs = []string{"bundle:" + b.ID + "@" + b.Digest}
		seen := judge.ItemsOf(v.Items, in.now)
		items = &seen
		for _, it := range v.Items {
			if it.Result == "fail" || it.Result == "error" {
				refs = append(refs, "item:"+it.ID)
			}
		}
	}
	j := judge.Evidence(b, items, e.judged(), in.now, evidenceWeights)
	// How old the proof was when the gate judged it, and from what. A
	// result is stored and read later, so its wording holds then too: an
	// age before the evaluation, never "ago".
	o, age := outcomeOf(j.Level), ageBeside(j.Age, e.MaxAge.Duration, e.BlockAge.Duration)
	aged := fmt.Sprintf("was sealed %s before this evaluation", age)
	if j.FromItem {
		aged = fmt.Sprintf("proves what was observed %s before this evaluation (its oldest item)", age)
	}
	switch j.Cause {
	case judge.EvidenceMissing:
		what := "no sealed " + e.Kind + " bundle for " + in.subject
		if e.Stage != "" {
			what += " promoted to " + e.Stage
		}
		return Reason{Outcome: o, Detail: what}, nil
	case judge.EvidenceUnsealed:
		return Reason{Outcome: o, Refs: refs[:1], Detail: "bundle " + b.ID + " has no seal time"}, nil
	case judge.EvidenceTooOld:
		return Reason{Outcome: o, Refs: refs, Detail: fmt.Sprintf("%s bundle %s %s, past block_age %s",
			e.Kind, b.ID, aged, e.BlockAge.Short())}, nil
	case judge.EvidenceFailing:
		return Reason{Outcome: o, Refs: refs, Detail: fmt.Sprintf("%s bundle %s has failing items: %s",
			e.Kind, b.ID, strings.Join(items.Failing, ", "))}, nil
	case judge.EvidenceErrored:
		return Reason{Outcome: o, Refs: refs, Detail: fmt.Sprintf("%s bundle %s has items that did not run to their end: %s (allow_failing accepts failed items, not errored ones)",
			e.Kind, b.ID, strings.Join(items.Errored, ", "))}, nil
	case judge.EvidenceNothing:
		return Reason{Outcome: o, Refs: refs, Detail: fmt.Sprintf("%s bundle %s proves nothing: %s",
			e.Kind, b.ID, provesNothing(v.Items, in.now))}, nil
	case judge.EvidenceOld:
		return Reason{Outcome: o, Refs: refs, Detail: fmt.Sprintf("%s bundle %s %s, past max_age %s",
			e.Kind, b.ID, aged, e.MaxAge.Short())}, nil
	}
	return Reason{Outcome: o, Refs: refs, Detail: fmt.Sprintf("%s bundle %s sealed %s before this evaluation", e.Kind, b.ID, age)}, nil
}

// ageBeside writes an age as aeso.ShortAge does, but to the second (or
// finer) when rounding would make it read as one of the limits it is
// judged against: "observed 2h, past block_age 2h" reads as false;
// 1h59m45s does not.
func ageBeside(age time.Duration, limits ...time.Duration) string {
	s := aeso.ShortAge(age)
	for _, unit := range []time.Duration{time.Second, time.Millisecond, time.Nanosecond} {
		collides := false
		for _, l := range limits {
			collides = collides || l > 0 && age != l && s == aeso.ShortDuration(l)
		}
		if !collides {
			return s
		}
		s = aeso.ShortDuration(age.Round(unit))
	}
	return s
}

// evidenceWeights: a gate asks for proof of the release, so a missing or
// unsealed bundle blocks.
var evidenceWeights = judge.Weights{Unproven: judge.Block}

// judged is the rule as the evidence judge reads it.
func (e *EvidenceRule) judged() judge.EvidenceRule {
	return judge.EvidenceRule{MaxAge: e.MaxAge.Duration, BlockAge: e.BlockAge.Duration, AllowFailing: e.AllowFailing}
}

// invariantWeights: an invariants rule asks for each listed invariant to
// pass, so failing, stale and unproven all block.
var invariantWeights = judge.Weights{Down: judge.Block, Unproven: judge.Block, Stale: judge.Block}

func invariantsReason(r *Rule, in inputs) (Reason, error) {
	views, err := in.invariants(r.Environment)
	if err != nil {
		return Reason{}, err
	}
	byID := map[string]*invariant.View{}
	for _, v := range views {
		byID[v.Def.ID] = v
	}
	var bad, refs []string
	for _, id := range r.Invariants {
		v := byID[id]
		if v == nil {
			bad = append(bad, id+" is not defined")
			continue
		}
		// With an environment: the state there. Without: passing in every
		// environment the invariant reported in, and in at least one.
		j := judge.Invariant(v, r.Environment, invariantWeights)
		for _, st := range j.Counted {
			refs = append(refs, "invariant_result:"+st.Latest.ID)
		}
		for _, f := range j.Findings {
			if f.Level != judge.Pass {
				bad = append(bad, id+" is "+f.State)
				break
			}
		}
	}
	where := r.Environment
	if where == "" {
		where = "every environment"
	}
	if len(bad) > 0 {
		return Reason{Outcome: OutcomeBlock, Refs: refs, Detail: "in " + where + ": " + strings.Join(bad, "; ")}, nil
	}
	return Reason{Outcome: OutcomePass, Refs: refs, Detail: aeso.Count(len(r.Invariants), "invariant") + " passing in " + where}, nil
}

func guardsReason(r *Rule, in inputs) (Reason, error) {
	reports, missing, err := in.guards(r.Guards.Names)
	if err != nil {
		return Reason{}, err
	}
	outcome := OutcomePass
	var notes, refs []string
	for _, name := range missing {
		outcome = OutcomeBlock
		notes = append(notes, "no report of guard "+name+" for "+in.subject)
	}
	for _, rep := range reports {
		refs = append(refs, "guard_report:"+rep.ID)
		switch judge.Guard(rep) {
		case judge.Block:
			outcome = OutcomeBlock
		case judge.Warn:
			if outcome == OutcomePass {
				outcome = OutcomeWarn
			}
		default:
			continue
		}
		notes = append(notes, fmt.Sprintf("%s (%s) has %s", rep.Guard, rep.Mode, aeso.Count(rep.Counts.Total(), "open finding")))
	}
	if len(reports) == 0 && len(missing) == 0 {
		// Nothing reported: the guards' silence proves nothing either way.
		return Reason{Outcome: OutcomeWarn, Refs: refs, Detail: "no guard reported for " + in.subject}, nil
	}
	if len(notes) == 0 {
		return Reason{Outcome: OutcomePass, Refs: refs, Detail: fmt.Sprintf("%d guard reports, none blocking", len(reports))}, nil
	}
	return Reason{Outcome: outcome, Refs: refs, Detail: strings.Join(notes, "; ")}, nil
}

// Verdict folds the reasons: any unwaived block blocks. It returns the
// verdict and the rules that warned.
func Verdict(reasons []Reason) (string, []string) {
	v := VerdictPass
	warnings := []string{}
	for _, r := range reasons {
		switch r.Outcome {
		case OutcomeBlock:
			v = VerdictBlock
		case OutcomeWarn:
			warnings = append(warnings, r.Rule)
		}
	}
	return v, warnings
}

// inputsDigest covers what decided the verdict: the gate's version, the
// subject, and each rule's outcome with the rows it read. The same inputs
// give the same digest, whenever they are evaluated.
func inputsDigest(d *Def, subject string, reasons []Reason) string {
	type entry struct {
		Rule, Outcome string
		Refs          []string
	}
	entries := make([]entry, len(reasons))
	for i, r := range reasons {
		refs := append([]string(nil), r.Refs...)
		sort.Strings(refs)
		entries[i] = entry{r.Rule, r.Outcome, refs}
	}
	b, _ := json.Marshal(struct { // plain strings and slices always encode
		Gate, Version, Subject string
		Rules                  []entry
	}{d.Name, d.Version(), subject, entries})
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// provesNothing says why a sealed bundle's items prove nothing.
func provesNothing(items []*evidence.Item, now time.Time) string {
	if len(items) == 0 {
		return "it holds no item"
	}
	var skipped, errored, expired int
	for _, it := range items {
		switch {
		case it.Result == "skip":
			skipped++
		case it.Result == "error":
			errored++
		default:
			expired++
		}
	}
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{{skipped, "skipped"}, {errored, "errored"}, {expired, "expired"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	return "no item ran to its end unexpired (" + strings.Join(parts, ", ") + ")"
}
