// Package status answers the operator's question: is the platform healthy,
// degraded or blocked, and why. The posture is computed from stored rows at
// read time, by the rules of the design's Posture section, and each
// contribution is a reason pointing at the row that caused it. Readiness
// snapshots keep a posture as it stood. It imports no database driver and
// no net/http.
package status

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aeso-dev/aeso/internal/component"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/gate"
	"github.com/aeso-dev/aeso/internal/invariant"
	"github.com/aeso-dev/aeso/internal/judge"
	"github.com/aeso-dev/aeso/internal/reconcile"
)

// Levels of a posture, least to most severe.
const (
	Healthy  = "healthy"
	Degraded = "degraded"
	Blocked  = "blocked"
)

// Levels lists them in order.
var Levels = []string{Healthy, Degraded, Blocked}

// Rank orders levels: healthy 0, degraded 1, blocked 2.
func Rank(level string) int {
	for i, l := range Levels {
		if l == level {
			return i
		}
	}
	return 0
}

func worst(a, b string) string {
	if Rank(b) > Rank(a) {
		return b
	}
	return a
}

// Sources of reasons.
const (
	SourceComponent      = "component"
	SourceInvariant      = "invariant"
	SourceEvidence       = "evidence"
	SourceGate           = "gate"
	SourceGuard          = "guard"
	SourceReconciliation = "reconciliation"
)

var sourceOrder = map[string]int{SourceComponent: 0, SourceInvariant: 1, SourceEvidence: 2, SourceGate: 3, SourceGuard: 4, SourceReconciliation: 5}

// Reason is one contribution to the posture. Ref names the row that caused
// it ("component_status:<id>"), or what is missing when nothing was found
// ("component:api"). Since is when the condition began, when that is known.
// A reason of level healthy explains why something that would count does
// not (an accepted reconciliation record).
type Reason struct {
	Source    string     `json:"source"`
	Ref       string     `json:"ref"`
	Level     string     `json:"level"`
	Message   string     `json:"message"`
	Since     *time.Time `json:"since"`
	Component string     `json:"component,omitempty"`
}

// ComponentPosture is one component's share of the posture.
type ComponentPosture struct {
	Name       string     `json:"name"`
	Owner      string     `json:"owner"`
	Critical   bool       `json:"critical"`
	Status     string     `json:"status"`    // effective: down once dead, unknown before any report
	Freshness  string     `json:"freshness"` // fresh, stale, dead, never
	ObservedAt *time.Time `json:"observed_at"`
	Posture    string     `json:"posture"`
	Reasons    []Reason   `json:"reasons"`
}

// Posture is the platform's state at one moment with everything that made
// it so. Its JSON (with Reason's and ComponentPosture's) is a storage
// shape: a snapshot keeps the posture in this encoding, and old snapshots
// must keep decoding. The API's shape is wire.Status.
type Posture struct {
	Posture     string             `json:"posture"`
	EvaluatedAt time.Time          `json:"evaluated_at"`
	Environment string             `json:"environment,omitempty"`
	Reasons     []Reason           `json:"reasons"`
	Components  []ComponentPosture `json:"components"`
	// OpenReconciliations counts records not yet resolved, accepted ones
	// included, by severity.
	OpenReconciliations map[string]int `json:"open_reconciliations"`
	InputsDigest        string         `json:"inputs_digest"`
}

// EvidenceInput is one evidence rule of a gate that affects posture, with
// the newest sealed bundle that answers it (nil when there is none).
type EvidenceInput struct {
	Gate   string
	Rule   string
	Kind   string
	Stage  string
	MaxAge time.Duration
	// BlockAge, when set, turns evidence older than it from degraded to
	// blocked.
	BlockAge time.Duration
	Bundle   *evidence.Bundle
	// Proof is what the sealed bundle's items prove (how many, observed
	// since when), as a gate reads it; nil when they were not read, and
	// the seal alone then decides. Failing items are a gate's business:
	// the posture's rule is about freshness.
	Proof *judge.EvidenceItems
}

// GateInput is a gate that affects posture and a result that counts for a
// subject name, or a newer one that was withdrawn, with that withdrawal.
type GateInput struct {
	Def        *gate.Def
	Latest     *gate.Result
	Withdrawal *gate.Withdrawal
}

// GuardInput is a guard report that counts for a subject name, or a newer
// one whose subject was withdrawn from the posture, with that withdrawal.
type GuardInput = gate.CountedGuardReport

// Inputs are the rows one posture is computed from.
type Inputs struct {
	Now         time.Time
	Environment string // invariants are judged here; empty: every environment they reported in
	Components  []*component.View
	Invariants  []*invariant.View
	Evidence    []EvidenceInput
	Gates       []GateInput
	// PostureGates are the gates that affect posture; Waivers are their
	// waivers in force, which excuse what those gates would excuse.
	PostureGates []*gate.Def
	Waivers      []*gate.Waiver
	Guards       []GuardInput        // the latest report of each guard
	Records      []*reconcile.Record // open reconciliation records, the weightiest first
	// RecordsCapped is set when there were more open records than were read.
	RecordsCapped bool
	// OpenCounts counts every open record by severity, read or not.
	OpenCounts map[string]int
}

func at(t time.Time) *time.Time {
	u := t.UTC()
	return &u
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// Evaluate applies every posture rule to in. It reads nothing but in.
func Evaluate(in Inputs) *Posture {
	var read []string
	var all []Reason
	add := func(r Reason) { all = append(all, r) }

	for _, v := range in.Components {
		if v.Latest != nil {
			read = append(read, "component_status:"+v.Latest.ID)
		}
		componentReasons(v, in.Now, add)
	}
	for _, v := range in.Invariants {
		if v.Def.RetiredAt != nil {
			continue
		}
		for _, st := range v.States {
			if st.Latest != nil {
				read = append(read, "invariant_result:"+st.Latest.ID)
			}
		}
		invariantReasons(v, in.Environment, in.Now, add)
	}
	for _, e := range in.Evidence {
		if e.Bundle != nil {
			read = append(read, "bundle:"+e.Bundle.ID+"@"+e.Bundle.Digest)
		}
		read = append(read, evidenceReason(e, in.Waivers, in.Now, add)...)
	}
	for _, g := range in.Gates {
		if g.Latest == nil {
			continue
		}
		read = append(read, "gate_result:"+g.Latest.ID)
		read = append(read, gateReasons(g, in.Waivers, in.Now, add)...)
	}
	for _, g := range in.Guards {
		read = append(read, "guard_report:"+g.Report.ID)
		if g.Withdrawal != nil {
			read = append(read, withdrawnGuardReason(g.Report, g.Withdrawal, add)...)
			continue
		}
		read = append(read, guardReason(g.Report, in.PostureGates, in.Waivers, in.Now, add)...)
	}
	for _, r := range in.Records {
		read = append(read, "reconciliation:"+r.ID+"@"+r.State)
		recordReason(r, in.Now, add)
	}
	if in.RecordsCapped {
		add(Reason{Source: SourceReconciliation, Ref: "reconciliation:*", Level: Degraded,
			Message: fmt.Sprintf("more than %d open reconciliation records: only the %d weightiest (blocked first, then by severity) were read", len(in.Records), len(in.Records))})
	}

	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if Rank(a.Level) != Rank(b.Level) {
			return Rank(a.Level) > Rank(b.Level)
		}
		if sourceOrder[a.Source] != sourceOrder[b.Source] {
			return sourceOrder[a.Source] < sourceOrder[b.Source]
		}
		return a.Ref < b.Ref
	})
	p := &Posture{Posture: Healthy, EvaluatedAt: in.Now.UTC(), Environment: in.Environment,
		Reasons: []Reason{}, Components: []ComponentPosture{}, OpenReconciliations: map[string]int{}}
	for _, sev := range reconcile.Severities {
		p.OpenReconciliations[sev] = 0
	}
	for sev, n := range in.OpenCounts {
		p.OpenReconciliations[sev] = n
	}
	for _, r := range all {
		p.Posture = worst(p.Posture, r.Level)
		p.Reasons = append(p.Reasons, r)
	}
	for _, v := range in.Components {
		c := ComponentPosture{Name: v.Def.Name, Owner: v.Def.Owner, Critical: v.Def.Critical,
			Status: v.Effective, Freshness: v.Freshness, Posture: Healthy, Reasons: []Reason{}}
		if v.Latest != nil {
			c.ObservedAt = at(v.Latest.ObservedAt)
		}
		for _, r := range p.Reasons {
			if r.Component == c.Name {
				c.Posture = worst(c.Posture, r.Level)
				c.Reasons = append(c.Reasons, r)
			}
		}
		p.Components = append(p.Components, c)
	}
	p.InputsDigest = digest(in.Environment, read, p.Reasons)
	return p
}

// digest covers what decided the posture: every row read and each reason's
// source, ref and level. Messages and times are left out, so the same rows
// judged the same way give the same digest.
func digest(env string, read []string, reasons []Reason) string {
	sort.Strings(read)
	type entry struct{ Source, Ref, Level string }
	entries := make([]entry, len(reasons))
	for i, r := range reasons {
		entries[i] = entry{r.Source, r.Ref, r.Level}
	}
	sort.Slice(entries, func(i, j int) bool {
		return entries[i].Source+entries[i].Ref+entries[i].Level < entries[j].Source+entries[j].Ref+entries[j].Level
	})
	b, _ := json.Marshal(struct { // strings and slices of them always encode
		Environment string
		Read        []string
		Reasons     []entry
	}{env, read, entries})
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// levelOf names a judged level as a posture level.
func levelOf(l judge.Level) string {
	switch l {
	case judge.Block:
		return Blocked
	case judge.Warn:
		return Degraded
	}
	return Healthy
}

// componentReasons: degraded → degraded; down → degraded, blocked when
// critical; no report within stale_after → degraded; within dead_after →
// down. A component that never reported is degraded: nothing shows it works.
func componentReasons(v *component.View, now time.Time, add func(Reason)) {
	d, r := v.Def, v.Latest
	w := judge.Weights{Down: judge.Warn, Unproven: judge.Warn, Stale: judge.Warn}
	name := d.Name
	if d.Critical {
		w.Down = judge.Block
		name += " (critical)"
	}
	j := judge.Component(d, r, now, w)
	switch j.Freshness {
	case component.FreshnessNever:
		add(Reason{Source: SourceComponent, Ref: "component:" + d.Name, Level: levelOf(j.Status), Component: d.Name,
			Message: name + " has never reported its status"})
		return
	case component.FreshnessDead:
		add(Reason{Source: SourceComponent, Ref: "component_status:" + r.ID, Level: levelOf(j.Status), Component: d.Name,
			Since:   at(r.ObservedAt.Add(d.DeadAfter.Duration)),
			Message: fmt.Sprintf("%s has not reported since %s, past dead_after %s: treated as down", name, stamp(r.ObservedAt), d.DeadAfter.Short())})
		return
	}
	detail := ""
	if r.Detail != "" {
		detail = ": " + clip(r.Detail, 200)
	}
	if j.Status != judge.Pass {
		add(Reason{Source: SourceComponent, Ref: "component_status:" + r.ID, Level: levelOf(j.Status), Component: d.Name,
			Since: at(r.StatusSince), Message: name + " reports " + r.Status + detail})
	}
	if j.Stale != judge.Pass {
		add(Reason{Source: SourceComponent, Ref: "component_status:" + r.ID, Level: levelOf(j.Stale), Component: d.Name,
			Since:   at(r.ObservedAt.Add(d.StaleAfter.Duration)),
			Message: fmt.Sprintf("%s has not reported since %s, past stale_after %s", name, stamp(r.ObservedAt), d.StaleAfter.Short())})
	}
}

// invariantReasons: failing → degraded, blocked when critical; a result
// older than max_age → degraded; unproven and required → degraded. With an
// environment only its state counts; without, every environment the
// invariant reported in, and unproven means it reported nowhere.
func invariantReasons(v *invariant.View, env string, now time.Time, add func(Reason)) {
	d := v.Def.Def
	name := d.ID + " (" + d.Title + ")"
	w := judge.Weights{Down: judge.Warn, Stale: judge.Warn}
	if d.Critical {
		w.Down = judge.Block
	}
	if d.Required {
		w.Unproven = judge.Warn
	}
	for _, f := range judge.Invariant(v, env, w).Findings {
		if f.Level == judge.Pass {
			continue
		}
		res, env := f.Env.Latest, f.Env.Environment
		switch f.State {
		case invariant.StateFailing:
			// Since the run of failures began, as a component's status
			// is down since its first report of it.
			since, msg := res.ObservedAt, fmt.Sprintf("%s is failing in %s: result %s observed at %s", name, env, res.Status, stamp(res.ObservedAt))
			if began := res.FailingSince; began != nil && began.Before(since) {
				since, msg = *began, msg+fmt.Sprintf(", failing since %s", stamp(*began))
			}
			add(Reason{Source: SourceInvariant, Ref: "invariant_result:" + res.ID, Level: levelOf(f.Level), Since: at(since), Message: msg})
		case invariant.StateStale:
			// Stale since whichever came first: max_age or the item's
			// expiry.
			since, why := res.ObservedAt.Add(d.MaxAge.Duration), "past max_age "+d.MaxAge.Short()
			if exp := res.ExpiresAt; res.Expired(now) && exp.Before(since) {
				since, why = *exp, fmt.Sprintf("as evidence item %s that expired at %s", res.ItemID, stamp(*exp))
			}
			add(Reason{Source: SourceInvariant, Ref: "invariant_result:" + res.ID, Level: levelOf(f.Level), Since: at(since),
				Message: fmt.Sprintf("%s last passed in %s at %s, %s", name, env, stamp(res.ObservedAt), why)})
		case invariant.StateUnproven:
			where := ""
			if env != "" {
				where = " in " + env
			}
			add(Reason{Source: SourceInvariant, Ref: "invariant:" + d.ID, Level: levelOf(f.Level),
				Message: name + " is required and has no result" + where})
		}
	}
}

// recordReason: an open record of low or medium severity → degraded; high
// or critical, or in state blocked → blocked; accepted with an unexpired
// acceptance → healthy, said so.
func recordReason(r *reconcile.Record, now time.Time, add func(Reason)) {
	j := judge.Record(r, PostureMaxOpenSeverity, now)
	if !j.Accepted && j.Level == judge.Pass {
		return // resolved: nothing left to weigh
	}
	about := r.Component
	if about == "" {
		about = r.InvariantID
	}
	head := fmt.Sprintf("%s on %s (%s, owner %s)", r.Kind, about, r.Severity, r.Owner)
	reason := Reason{Source: SourceReconciliation, Ref: "reconciliation:" + r.ID, Component: r.Component, Since: at(r.CreatedAt)}
	if j.Accepted {
		reason.Level = Healthy
		reason.Since = at(r.UpdatedAt)
		reason.Message = fmt.Sprintf("%s is accepted until %s", head, stamp(*r.AcceptedUntil))
		add(reason)
		return
	}
	reason.Level = levelOf(j.Level)
	switch {
	case r.State == reconcile.StateBlocked:
		reason.Since = at(r.UpdatedAt)
		reason.Message = fmt.Sprintf("%s is blocked: next action %q by %s", head, clip(r.NextAction, 200), r.NextActionOwner)
	case judge.AcceptanceLapsed(r, now):
		reason.Since = at(*r.AcceptedUntil)
		reason.Message = fmt.Sprintf("%s was accepted until %s; the acceptance has expired", head, stamp(*r.AcceptedUntil))
	default:
		reason.Message = fmt.Sprintf("%s is %s: %s", head, r.State, clip(r.Evidence.Summary, 200))
	}
	add(reason)
}

// PostureMaxOpenSeverity is the highest severity an open reconciliation
// record may have and leave the posture degraded rather than blocked: low
// and medium degrade it, high and critical block it.
const PostureMaxOpenSeverity = "medium"
