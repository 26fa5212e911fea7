package status

import (
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/component"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/gate"
	"github.com/aeso-dev/aeso/internal/guard"
	"github.com/aeso-dev/aeso/internal/invariant"
	"github.com/aeso-dev/aeso/internal/judge"
	"github.com/aeso-dev/aeso/internal/reconcile"
)

// now is the clock of every posture here: Evaluate reads no other.
var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func ago(d time.Duration) *time.Time { t := now.Add(-d); return &t }

var (
	api    = component.Def{Name: "api", Critical: true, StaleAfter: aeso.Duration{Duration: 5 * time.Minute}, DeadAfter: aeso.Duration{Duration: 30 * time.Minute}}
	worker = component.Def{Name: "worker", StaleAfter: aeso.Duration{Duration: time.Minute}, DeadAfter: aeso.Duration{Duration: 10 * time.Minute}}
	inv    = invariant.Def{ID: "INV-BILLING-001", Title: "Invoices balance", Critical: true, Required: true, MaxAge: aeso.Duration{Duration: 24 * time.Hour}}
	opt    = invariant.Def{ID: "INV-FLEET-002", Title: "Vehicles have owners", MaxAge: aeso.Duration{Duration: time.Hour}}
	// release affects posture: it requires security evidence and reads
	// every guard; deploy reads the policy guard alone.
	release = &gate.Def{Name: "release", AffectsPosture: true, Rules: []gate.Rule{
		{Evidence: &gate.EvidenceRule{Kind: "security", MaxAge: aeso.Duration{Duration: 168 * time.Hour}, BlockAge: aeso.Duration{Duration: 336 * time.Hour}}},
		{Guards: &gate.GuardsRule{}},
	}}
	deploy = &gate.Def{Name: "deploy", AffectsPosture: true, Rules: []gate.Rule{{Guards: &gate.GuardsRule{Names: []string{"policy"}}}}}
)

func componentView(d component.Def, status string, age time.Duration) *component.View {
	r := &component.Report{ID: d.Name + "-1", Component: d.Name, Status: status, ObservedAt: now.Add(-age), StatusSince: now.Add(-age)}
	return &component.View{Def: d, Latest: r, Freshness: component.Freshness(d, r, now), Effective: component.Effective(d, r, now)}
}

func invariantView(d invariant.Def, env, status string, age time.Duration) *invariant.View {
	st := invariant.EnvState{Environment: env}
	if status != "" {
		st.Latest = &invariant.Result{ID: d.ID + "-" + env, InvariantID: d.ID, Status: status, Environment: env, ObservedAt: now.Add(-age)}
	}
	st.State = invariant.StateOf(d, st.Latest, now)
	return &invariant.View{Def: &invariant.Stored{Def: d}, States: []invariant.EnvState{st}}
}

func bundle(age time.Duration) *evidence.Bundle {
	return &evidence.Bundle{ID: "b1", Kind: "security", Subject: evidence.Subject{Name: "api", Ref: "v1"}, SealedAt: ago(age), Digest: "sha256:d"}
}

func securityEvidence(b *evidence.Bundle) EvidenceInput {
	return EvidenceInput{Gate: "release", Rule: "evidence-security", Kind: "security", MaxAge: 168 * time.Hour, BlockAge: 336 * time.Hour, Bundle: b}
}

func guardReport(name, mode string, high int) GuardInput {
	return GuardInput{Report: &guard.Report{ID: name + "-1", Guard: name, Subject: "api@v1", Mode: mode, Counts: guard.Counts{High: high}, ObservedAt: now}}
}

func waiver(g, rule string, expires time.Duration) *gate.Waiver {
	return &gate.Waiver{ID: "w-" + g + "-" + rule, Gate: g, Rule: rule, Subject: "api@v1", Reason: "fix ships Friday", CreatedBy: "admin",
		CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(expires)}
}

func gateResult(verdict string, reasons ...gate.Reason) GateInput {
	return GateInput{Def: release, Latest: &gate.Result{ID: "g1", Gate: "release", Subject: "api@v1", Verdict: verdict, Reasons: reasons, EvaluatedAt: now.Add(-time.Minute), RulesetVersion: release.Version()}}
}

func record(state, severity string, until *time.Time) *reconcile.Record {
	return &reconcile.Record{ID: "rec-" + severity, Component: "api", Kind: "drift", Severity: severity, Owner: "platform", State: state,
		AcceptedUntil: until, NextAction: "rotate", NextActionOwner: "ops", Evidence: reconcile.Evidence{Summary: "replicas 2/3"},
		CreatedAt: now.Add(-time.Hour), UpdatedAt: now.Add(-time.Minute)}
}

// healthy is a platform with nothing to say: both components fresh and
// healthy, the invariant passing, the evidence fresh.
func healthy() Inputs {
	return Inputs{Now: now,
		Components:   []*component.View{componentView(api, component.StatusHealthy, 0), componentView(worker, component.StatusHealthy, 0)},
		Invariants:   []*invariant.View{invariantView(inv, "production", invariant.StatusPass, time.Hour)},
		Evidence:     []EvidenceInput{securityEvidence(bundle(time.Hour))},
		PostureGates: []*gate.Def{release},
	}
}

// summary is the posture and one line per reason: level, source, ref and
// message.
func summary(p *Posture) string {
	lines := []string{p.Posture}
	for _, r := range p.Reasons {
		lines = append(lines, r.Level+" "+r.Source+" "+r.Ref+": "+r.Message)
	}
	return strings.Join(lines, "\n")
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	const by = " (required by gate release rule evidence-security)"
	const waivedUntil = ": waived for gate release rule guards until 2026-11-23T13:00:00Z by admin: fix ships Friday"
	for _, tc := range []struct {
		name   string
		change func(in *Inputs)
		want   []string
	}{
		{"nothing to say is healthy", func(in *Inputs) {}, []string{"healthy"}},

		// Components.
		{"a component reporting degraded is degraded", func(in *Inputs) {
			in.Components[1] = componentView(worker, component.StatusDegraded, 0)
		}, []string{"degraded", "degraded component component_status:worker-1: worker reports degraded"}},
		{"a component reporting unknown is degraded", func(in *Inputs) {
			in.Components[1] = componentView(worker, component.StatusUnknown, 0)
		}, []string{"degraded", "degraded component component_status:worker-1: worker reports unknown"}},
		{"down is degraded", func(in *Inputs) {
			in.Components[1] = componentView(worker, component.StatusDown, 0)
		}, []string{"degraded", "degraded component component_status:worker-1: worker reports down"}},
		{"down and critical is blocked", func(in *Inputs) {
			in.Components[0] = componentView(api, component.StatusDown, 0)
		}, []string{"blocked", "blocked component component_status:api-1: api (critical) reports down"}},
		{"exactly stale_after old is still fresh", func(in *Inputs) {
			in.Components[0] = componentView(api, component.StatusHealthy, 5*time.Minute)
		}, []string{"healthy"}},
		{"past stale_after is degraded", func(in *Inputs) {
			in.Components[0] = componentView(api, component.StatusHealthy, 5*time.Minute+time.Second)
		}, []string{"degraded", "degraded component component_status:api-1: api (critical) has not reported since 2026-11-23T11:54:59Z, past stale_after 5m"}},
		{"stale and degraded says both", func(in *Inputs) {
			in.Components[0] = componentView(api, component.StatusDegraded, 6*time.Minute)
		}, []string{"degraded",
			"degraded component component_status:api-1: api (critical) reports degraded",
			"degraded component component_status:api-1: api (critical) has not reported since 2026-11-23T11:54:00Z, past stale_after 5m"}},
		{"past dead_after a critical component is down: blocked", func(in *Inputs) {
			in.Components[0] = componentView(api, component.StatusHealthy, 30*time.Minute+time.Second)
		}, []string{"blocked", "blocked component component_status:api-1: api (critical) has not reported since 2026-11-23T11:29:59Z, past dead_after 30m: treated as down"}},
		{"past dead_after and not critical is degraded", func(in *Inputs) {
			in.Components[1] = componentView(worker, component.StatusHealthy, 11*time.Minute)
		}, []string{"degraded", "degraded component component_status:worker-1: worker has not reported since 2026-11-23T11:49:00Z, past dead_after 10m: treated as down"}},
		{"a component that never reported is degraded", func(in *Inputs) {
			in.Components[0] = &component.View{Def: api, Freshness: component.FreshnessNever, Effective: component.StatusUnknown}
		}, []string{"degraded", "degraded component component:api: api (critical) has never reported its status"}},

		// Invariants.
		{"failing and critical is blocked", func(in *Inputs) {
			in.Invariants[0] = invariantView(inv, "production", invariant.StatusFail, time.Minute)
		}, []string{"blocked", "blocked invariant invariant_result:INV-BILLING-001-production: INV-BILLING-001 (Invoices balance) is failing in production: result fail observed at 2026-11-23T11:59:00Z"}},
		{"failing and not critical is degraded", func(in *Inputs) {
			in.Invariants = append(in.Invariants, invariantView(opt, "production", invariant.StatusError, time.Minute))
		}, []string{"degraded", "degraded invariant invariant_result:INV-FLEET-002-production: INV-FLEET-002 (Vehicles have owners) is failing in production: result error observed at 2026-11-23T11:59:00Z"}},
		{"a pass older than max_age is degraded, even when critical", func(in *Inputs) {
			in.Invariants[0] = invariantView(inv, "production", invariant.StatusPass, 25*time.Hour)
		}, []string{"degraded", "degraded invariant invariant_result:INV-BILLING-001-production: INV-BILLING-001 (Invoices balance) last passed in production at 2026-11-22T11:00:00Z, past max_age 24h"}},
		{"required and unproven is degraded", func(in *Inputs) {
			in.Invariants[0] = invariantView(inv, "production", "", 0)
		}, []string{"degraded", "degraded invariant invariant:INV-BILLING-001: INV-BILLING-001 (Invoices balance) is required and has no result"}},
		{"required and unproven in the environment judged says where", func(in *Inputs) {
			in.Environment = "production"
			in.Invariants[0] = invariantView(inv, "production", "", 0)
		}, []string{"degraded", "degraded invariant invariant:INV-BILLING-001: INV-BILLING-001 (Invoices balance) is required and has no result in production"}},
		{"unproven and not required counts for nothing", func(in *Inputs) {
			in.Invariants = append(in.Invariants, invariantView(opt, "production", "", 0))
		}, []string{"healthy"}},
		{"with an environment, another environment's failure does not count", func(in *Inputs) {
			in.Environment = "staging"
			in.Invariants[0] = invariantView(inv, "production", invariant.StatusFail, 0)
			in.Invariants[0].States = append(in.Invariants[0].States, invariantView(inv, "staging", invariant.StatusPass, 0).States[0])
		}, []string{"healthy"}},
		{"a retired invariant counts for nothing", func(in *Inputs) {
			in.Invariants[0] = invariantView(inv, "production", invariant.StatusFail, 0)
			in.Invariants[0].Def.RetiredAt = ago(time.Hour)
		}, []string{"healthy"}},

		// Evidence a posture gate requires.
		{"no sealed evidence is degraded", func(in *Inputs) {
			in.Evidence[0] = securityEvidence(nil)
		}, []string{"degraded", "degraded evidence gate_rule:release/evidence-security: no sealed security evidence" + by}},
		{"evidence past max_age is degraded", func(in *Inputs) {
			in.Evidence[0] = securityEvidence(bundle(169 * time.Hour))
		}, []string{"degraded", "degraded evidence bundle:b1@sha256:d: the newest security evidence (api@v1) was sealed at 2026-11-16T11:00:00Z, past max_age 168h" + by}},
		{"evidence past block_age is blocked", func(in *Inputs) {
			in.Evidence[0] = securityEvidence(bundle(337 * time.Hour))
		}, []string{"blocked", "blocked evidence bundle:b1@sha256:d: the newest security evidence (api@v1) was sealed at 2026-11-09T11:00:00Z, past block_age 336h" + by}},
		{"fresh evidence whose items prove nothing is degraded", func(in *Inputs) {
			in.Evidence[0] = securityEvidence(bundle(time.Hour))
			in.Evidence[0].Proof = &judge.EvidenceItems{}
		}, []string{"degraded", "degraded evidence bundle:b1@sha256:d: the newest security evidence (api@v1) proves nothing: no unexpired item of it ran to its end" + by}},
		{"evidence sealed now of proof observed past block_age is blocked", func(in *Inputs) {
			in.Evidence[0] = securityEvidence(bundle(time.Hour))
			in.Evidence[0].Proof = &judge.EvidenceItems{Proving: 1, Oldest: *ago(400 * time.Hour)}
		}, []string{"blocked", "blocked evidence bundle:b1@sha256:d: the newest security evidence (api@v1) holds proof observed at 2026-11-06T20:00:00Z (its oldest item), past block_age 336h" + by}},
		{"evidence with proving items observed before the seal is judged by the seal", func(in *Inputs) {
			in.Evidence[0] = securityEvidence(bundle(time.Hour))
			in.Evidence[0].Proof = &judge.EvidenceItems{Proving: 2, Oldest: *ago(2 * time.Hour)}
		}, []string{"healthy"}},
		{"old evidence waived for its subject is healthy and says so", func(in *Inputs) {
			in.Evidence[0] = securityEvidence(bundle(169 * time.Hour))
			in.Waivers = []*gate.Waiver{waiver("release", "evidence-security", time.Hour)}
		}, []string{"healthy", "healthy evidence waiver:w-release-evidence-security: the newest security evidence (api@v1) was sealed at 2026-11-16T11:00:00Z, past max_age 168h" + by +
			", would be degraded: waived for gate release rule evidence-security until 2026-11-23T13:00:00Z by admin: fix ships Friday"}},
		{"an expired waiver excuses nothing", func(in *Inputs) {
			in.Evidence[0] = securityEvidence(bundle(169 * time.Hour))
			in.Waivers = []*gate.Waiver{waiver("release", "evidence-security", 0)}
		}, []string{"degraded", "degraded evidence bundle:b1@sha256:d: the newest security evidence (api@v1) was sealed at 2026-11-16T11:00:00Z, past max_age 168h" + by}},

		// Gate results.
		{"a passing result counts for nothing", func(in *Inputs) {
			in.Gates = []GateInput{gateResult(gate.VerdictPass, gate.Reason{Rule: "guards", Outcome: gate.OutcomePass})}
		}, []string{"healthy"}},
		{"a pass under rules the gate no longer has is degraded", func(in *Inputs) {
			g := gateResult(gate.VerdictPass, gate.Reason{Rule: "guards", Outcome: gate.OutcomePass})
			g.Latest.RulesetVersion = "0123456789ab"
			in.Gates = []GateInput{g}
		}, []string{"degraded", "degraded gate gate_result:g1: gate release passed api@v1 at 2026-11-23T11:59:00Z under rules 0123456789ab; its rules are now " + release.Version() + ": evaluate it again"}},
		{"a block under rules the gate no longer has still blocks", func(in *Inputs) {
			g := gateResult(gate.VerdictBlock, gate.Reason{Rule: "guards", Outcome: gate.OutcomeBlock})
			g.Latest.RulesetVersion = "0123456789ab"
			in.Gates = []GateInput{g}
		}, []string{"blocked", "blocked gate gate_result:g1: gate release blocked api@v1 at 2026-11-23T11:59:00Z (guards)"}},
		{"a blocking result is blocked", func(in *Inputs) {
			in.Gates = []GateInput{gateResult(gate.VerdictBlock, gate.Reason{Rule: "guards", Outcome: gate.OutcomeBlock})}
		}, []string{"blocked", "blocked gate gate_result:g1: gate release blocked api@v1 at 2026-11-23T11:59:00Z (guards)"}},
		{"a block waived after the evaluation is excused", func(in *Inputs) {
			in.Gates = []GateInput{gateResult(gate.VerdictBlock, gate.Reason{Rule: "guards", Outcome: gate.OutcomeBlock})}
			in.Waivers = []*gate.Waiver{waiver("release", "guards", time.Hour)}
		}, []string{"healthy", "healthy gate waiver:w-release-guards: gate release would block api@v1 on rule guards" + waivedUntil}},
		{"a result waived when evaluated blocks once the waiver expired", func(in *Inputs) {
			in.Gates = []GateInput{gateResult(gate.VerdictPass, gate.Reason{Rule: "guards", Outcome: gate.OutcomeWaived, WaivedOutcome: gate.OutcomeBlock,
				Waiver: "w-release-guards", Refs: []string{"waiver:w-release-guards"}})}
			in.Waivers = []*gate.Waiver{waiver("release", "guards", -time.Second)}
		}, []string{"blocked", "blocked gate gate_result:g1: gate release passed api@v1 at 2026-11-23T11:59:00Z under a waiver no longer in force: it blocks now (guards)"}},
		{"a withdrawn result counts for nothing and says so", func(in *Inputs) {
			g := gateResult(gate.VerdictBlock, gate.Reason{Rule: "guards", Outcome: gate.OutcomeBlock})
			g.Withdrawal = &gate.Withdrawal{ID: "wd1", Gate: "release", Subject: "api@v1", ResultID: "g1", WithdrawnBy: "admin", WithdrawnAt: now, Reason: "abandoned"}
			in.Gates = []GateInput{g}
		}, []string{"healthy", "healthy gate gate_withdrawal:wd1: gate release result for api@v1 (block at 2026-11-23T11:59:00Z) was withdrawn by admin at 2026-11-23T12:00:00Z: abandoned"}},

		// Guards.
		{"a blocking guard with open findings is blocked", func(in *Inputs) {
			in.Guards = []GuardInput{guardReport("policy", guard.ModeBlocking, 2)}
		}, []string{"blocked", "blocked guard guard_report:policy-1: guard policy (blocking) has 2 open findings for api@v1: 2 high"}},
		{"a warn guard with open findings is degraded", func(in *Inputs) {
			in.Guards = []GuardInput{guardReport("lint", guard.ModeWarn, 1)}
		}, []string{"degraded", "degraded guard guard_report:lint-1: guard lint (warn) has 1 open finding for api@v1: 1 high"}},
		{"report_only counts for nothing", func(in *Inputs) {
			in.Guards = []GuardInput{guardReport("lint", guard.ModeReportOnly, 9)}
		}, []string{"healthy"}},
		{"a guard waived by the one posture gate reading it is excused", func(in *Inputs) {
			in.Guards = []GuardInput{guardReport("policy", guard.ModeBlocking, 2)}
			in.Waivers = []*gate.Waiver{waiver("release", "guards", time.Hour)}
		}, []string{"healthy", "healthy guard waiver:w-release-guards: guard policy (blocking) has 2 open findings for api@v1: 2 high" + waivedUntil}},
		{"a guard waived by one posture gate still counts for the other that reads it", func(in *Inputs) {
			in.PostureGates = append(in.PostureGates, deploy)
			in.Guards = []GuardInput{guardReport("policy", guard.ModeBlocking, 2)}
			in.Waivers = []*gate.Waiver{waiver("release", "guards", time.Hour)}
		}, []string{"blocked", "blocked guard guard_report:policy-1: guard policy (blocking) has 2 open findings for api@v1: 2 high"}},
		{"a guard no posture gate reads cannot be waived", func(in *Inputs) {
			in.PostureGates = []*gate.Def{deploy}
			in.Guards = []GuardInput{guardReport("lint", guard.ModeBlocking, 1)}
			in.Waivers = []*gate.Waiver{waiver("deploy", "guards", time.Hour)}
		}, []string{"blocked", "blocked guard guard_report:lint-1: guard lint (blocking) has 1 open finding for api@v1: 1 high"}},
		{"an expired guard waiver excuses nothing", func(in *Inputs) {
			in.Guards = []GuardInput{guardReport("policy", guard.ModeBlocking, 2)}
			in.Waivers = []*gate.Waiver{waiver("release", "guards", 0)}
		}, []string{"blocked", "blocked guard guard_report:policy-1: guard policy (blocking) has 2 open findings for api@v1: 2 high"}},
		{"a withdrawn subject's guard report counts for nothing and says so", func(in *Inputs) {
			g := guardReport("policy", guard.ModeBlocking, 2)
			g.Withdrawal = &gate.Withdrawal{ID: "wd1", Gate: "release", Subject: "api@v1", ResultID: "g1", WithdrawnBy: "admin", WithdrawnAt: now, Reason: "abandoned"}
			in.Guards = []GuardInput{g}
		}, []string{"healthy", "healthy guard gate_withdrawal:wd1: guard policy (blocking) has 2 open findings for api@v1: 2 high: does not count, api@v1 from gate release was withdrawn by admin at 2026-11-23T12:00:00Z: abandoned"}},

		// Reconciliation records.
		{"an open low record is degraded", func(in *Inputs) {
			in.Records = []*reconcile.Record{record(reconcile.StateDetected, "low", nil)}
		}, []string{"degraded", "degraded reconciliation reconciliation:rec-low: drift on api (low, owner platform) is detected: replicas 2/3"}},
		{"an open medium record is degraded", func(in *Inputs) {
			in.Records = []*reconcile.Record{record(reconcile.StateRepairing, "medium", nil)}
		}, []string{"degraded", "degraded reconciliation reconciliation:rec-medium: drift on api (medium, owner platform) is repairing: replicas 2/3"}},
		{"an open high record is blocked", func(in *Inputs) {
			in.Records = []*reconcile.Record{record(reconcile.StateDetected, "high", nil)}
		}, []string{"blocked", "blocked reconciliation reconciliation:rec-high: drift on api (high, owner platform) is detected: replicas 2/3"}},
		{"a record in state blocked is blocked whatever its severity", func(in *Inputs) {
			in.Records = []*reconcile.Record{record(reconcile.StateBlocked, "low", nil)}
		}, []string{"blocked", `blocked reconciliation reconciliation:rec-low: drift on api (low, owner platform) is blocked: next action "rotate" by ops`}},
		{"an unexpired acceptance counts for nothing and says so", func(in *Inputs) {
			in.Records = []*reconcile.Record{record(reconcile.StateAccepted, "critical", ago(-time.Hour))}
		}, []string{"healthy", "healthy reconciliation reconciliation:rec-critical: drift on api (critical, owner platform) is accepted until 2026-11-23T13:00:00Z"}},
		{"an expired acceptance counts again at its severity", func(in *Inputs) {
			in.Records = []*reconcile.Record{record(reconcile.StateAccepted, "critical", ago(0))}
		}, []string{"blocked", "blocked reconciliation reconciliation:rec-critical: drift on api (critical, owner platform) was accepted until 2026-11-23T12:00:00Z; the acceptance has expired"}},
		{"more records than were read is said", func(in *Inputs) {
			in.Records = []*reconcile.Record{record(reconcile.StateDetected, "low", nil)}
			in.RecordsCapped = true
		}, []string{"degraded",
			"degraded reconciliation reconciliation:*: more than 1 open reconciliation records: only the 1 weightiest (blocked first, then by severity) were read",
			"degraded reconciliation reconciliation:rec-low: drift on api (low, owner platform) is detected: replicas 2/3"}},

		// Several at once: the worst wins, reasons worst first.
		{"the worst contribution decides", func(in *Inputs) {
			in.Components[1] = componentView(worker, component.StatusDegraded, 0)
			in.Guards = []GuardInput{guardReport("policy", guard.ModeBlocking, 2)}
		}, []string{"blocked",
			"blocked guard guard_report:policy-1: guard policy (blocking) has 2 open findings for api@v1: 2 high",
			"degraded component component_status:worker-1: worker reports degraded"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := healthy()
			tc.change(&in)
			got := Evaluate(in)
			if s, want := summary(got), strings.Join(tc.want, "\n"); s != want {
				t.Errorf("got\n%s\nwant\n%s", s, want)
			}
			if !got.EvaluatedAt.Equal(now) {
				t.Errorf("evaluated at %s, want %s", got.EvaluatedAt, now)
			}
		})
	}
}

func TestEvaluateGivesTheSameDigestForTheSameRows(t *testing.T) {
	t.Parallel()
	a, b := healthy(), healthy()
	b.Now = now.Add(time.Second) // judged a second later, the same rows weigh the same
	if da, db := Evaluate(a).InputsDigest, Evaluate(b).InputsDigest; da != db {
		t.Errorf("digests differ: %s, %s", da, db)
	}
	c := healthy()
	c.Components[1] = componentView(worker, component.StatusDegraded, 0)
	if Evaluate(a).InputsDigest == Evaluate(c).InputsDigest {
		t.Error("a different posture gave the same digest")
	}
}

func TestEvaluateSharesEachComponentsReasons(t *testing.T) {
	t.Parallel()
	in := healthy()
	in.Components[0] = componentView(api, component.StatusDown, 0)
	in.Records = []*reconcile.Record{record(reconcile.StateDetected, "low", nil)}
	p := Evaluate(in)
	if len(p.Components) != 2 {
		t.Fatalf("%d components, want 2", len(p.Components))
	}
	c := p.Components[0]
	if c.Name != "api" || c.Posture != Blocked || len(c.Reasons) != 2 || c.Status != component.StatusDown {
		t.Errorf("api: %+v", c)
	}
	if w := p.Components[1]; w.Posture != Healthy || len(w.Reasons) != 0 {
		t.Errorf("worker: %+v", w)
	}
	if p.OpenReconciliations["low"] != 0 || len(p.OpenReconciliations) != 4 {
		t.Errorf("open counts %v: want every severity, from OpenCounts alone", p.OpenReconciliations)
	}
}
