package status_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/component"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/gate"
	"github.com/aeso-dev/aeso/internal/guard"
	"github.com/aeso-dev/aeso/internal/invariant"
	"github.com/aeso-dev/aeso/internal/reconcile"
	"github.com/aeso-dev/aeso/internal/status"
	"github.com/aeso-dev/aeso/internal/store"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// platform is the services of one database, on a clock the test moves.
type platform struct {
	t          *testing.T
	ctx        context.Context
	now        time.Time
	origin     audit.Origin
	evidence   *evidence.Service
	invariants *invariant.Service
	guards     *guard.Service
	components *component.Service
	records    *reconcile.Service
	gates      *gate.Service
	status     *status.Service
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func newPlatform(t *testing.T, tg testdb.Target, gates []gate.Def, components []component.Def, invariants []invariant.Def) *platform {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{URL: tg.URL, DataDir: tg.DataDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	registry, err := audit.NewRegistry(audit.BuiltinActions())
	if err != nil {
		t.Fatal(err)
	}
	p := &platform{t: t, ctx: ctx, now: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), origin: audit.Origin{Source: "admin"}}
	clock := func() time.Time { return p.now }
	auditSvc := &audit.Service{Store: db, Registry: registry, Now: clock, NewID: newID}
	p.evidence = &evidence.Service{Store: db, Audit: auditSvc, Now: clock, NewID: newID}
	p.invariants = &invariant.Service{Store: db, Audit: auditSvc, Now: clock, NewID: newID, EvidenceExists: p.evidence.Exists}
	p.evidence.Invariants = p.invariants
	p.guards = &guard.Service{Store: db, Now: clock, NewID: newID}
	p.components = &component.Service{Defs: components, Store: db, Now: clock, NewID: newID}
	p.records = &reconcile.Service{Store: db, Audit: auditSvc, Now: clock, NewID: newID,
		KnownComponent:   func(name string) bool { _, err := p.components.Def(name); return err == nil },
		KnownInvariantID: func(context.Context, string) (bool, error) { return true, nil }}
	p.gates = &gate.Service{Defs: gates, Store: db, Audit: auditSvc, Evidence: p.evidence, Invariants: p.invariants,
		Guards: p.guards, Components: p.components, Reconciliations: p.records, Now: clock, NewID: newID}
	p.status = &status.Service{Gates: p.gates, Store: db, Audit: auditSvc, Components: p.components,
		Invariants: p.invariants, Evidence: p.evidence, Reconciliations: p.records, Now: clock, NewID: newID}
	if err := p.invariants.Sync(ctx, invariants); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *platform) must(err error) {
	p.t.Helper()
	if err != nil {
		p.t.Fatal(err)
	}
}

func (p *platform) stamp() string { return p.now.Format(time.RFC3339Nano) }

func (p *platform) push(name, st string) string {
	r, err := p.components.Record(p.ctx, "admin", name, component.ReportRequest{Status: st, ObservedAt: p.stamp()})
	p.must(err)
	return r.ID
}

func (p *platform) result(id, st string) string {
	r, err := p.invariants.Record(p.ctx, p.origin, id, invariant.ResultRequest{Status: st, Environment: "production", ObservedAt: p.stamp()})
	p.must(err)
	return r.ID
}

func (p *platform) seal(name, ref string) {
	b, err := p.evidence.Create(p.ctx, p.origin, evidence.BundleRequest{Kind: "security", Subject: evidence.Subject{Name: name, Ref: ref}, Title: "scan"})
	p.must(err)
	_, err = p.evidence.AddItem(p.ctx, p.origin, b.ID, evidence.ItemRequest{Type: "scan", Name: "deps", Result: "pass"})
	p.must(err)
	_, err = p.evidence.Seal(p.ctx, p.origin, b.ID)
	p.must(err)
}

func (p *platform) guard(name, subject, mode string, findings int) {
	// Sent as the admin, who may change a guard's mode either way.
	req := guard.Request{Subject: subject, Mode: mode, Findings: []guard.Finding{}, ObservedAt: p.stamp(), MayWeakenMode: true}
	for i := range findings {
		req.Findings = append(req.Findings, guard.Finding{RuleID: fmt.Sprintf("R%d", i), Severity: "high"})
	}
	_, err := p.guards.Record(p.ctx, "admin", name, req)
	p.must(err)
}

// agree evaluates the gate for subject without recording it and computes
// the posture, from the same rows at the same moment, and checks that
// they weigh each fact the gate read alike: a rule that blocks is a
// blocked reason about the same row, a warning a degraded one, a waived
// rule a healthy reason naming the same waiver, and a rule that passes
// leaves its rows unmentioned. The verdict blocks exactly when the
// posture is blocked. It returns the gate's outcomes and the posture.
func (p *platform) agree(gateName, subject string) (string, string) {
	p.t.Helper()
	res, err := p.gates.DryRun(p.ctx, p.origin, gateName, subject, "")
	p.must(err)
	post, err := p.status.Current(p.ctx)
	p.must(err)
	levels := map[string]string{}
	for _, r := range post.Reasons {
		if status.Rank(r.Level) >= status.Rank(levels[r.Ref]) {
			levels[r.Ref] = r.Level
		}
	}
	want := map[string]string{gate.OutcomePass: "", gate.OutcomeWarn: status.Degraded, gate.OutcomeBlock: status.Blocked,
		gate.OutcomeWaived: status.Healthy}
	var outcomes []string
	for _, r := range res.Reasons {
		outcomes = append(outcomes, r.Rule+"="+r.Outcome)
		for _, ref := range r.Refs {
			if r.Outcome == gate.OutcomeWaived && !strings.HasPrefix(ref, "waiver:") {
				continue // a waived fact is said once, under its waiver
			}
			if got := levels[ref]; got != want[r.Outcome] {
				p.t.Errorf("rule %s is %s on %s, but the posture says %q of it (want %q)\n%s", r.Rule, r.Outcome, ref, got,
					want[r.Outcome], reasons(post))
			}
		}
	}
	if (res.Verdict == gate.VerdictBlock) != (post.Posture == status.Blocked) {
		p.t.Errorf("the gate says %s and the posture %s\n%s", res.Verdict, post.Posture, reasons(post))
	}
	return res.Verdict + ": " + strings.Join(outcomes, ", "), post.Posture
}

func reasons(p *status.Posture) string {
	var b strings.Builder
	for _, r := range p.Reasons {
		fmt.Fprintf(&b, "  %s %s %s: %s\n", r.Level, r.Source, r.Ref, r.Message)
	}
	return b.String()
}

func TestAGateAndThePostureJudgeTheSameFactsAlike(t *testing.T) {
	t.Parallel()
	day := aeso.Duration{Duration: 24 * time.Hour}
	gates := []gate.Def{{Name: "release", AffectsPosture: true, Rules: []gate.Rule{
		{Evidence: &gate.EvidenceRule{Kind: "security", MaxAge: aeso.Duration{Duration: 168 * time.Hour}, BlockAge: aeso.Duration{Duration: 336 * time.Hour}}},
		{Invariants: []string{"INV-BILLING-001"}, Environment: "production"},
		{Guards: &gate.GuardsRule{}},
		{Components: []string{"api"}},
		{Reconciliation: &gate.ReconciliationRule{MaxOpenSeverity: "medium"}},
	}}}
	components := []component.Def{{Name: "api", Owner: "platform", Critical: true,
		StaleAfter: aeso.Duration{Duration: 5 * time.Minute}, DeadAfter: aeso.Duration{Duration: 30 * time.Minute}}}
	invariants := []invariant.Def{{ID: "INV-BILLING-001", Title: "Invoices balance", Owner: "billing", Severity: "high",
		Critical: true, Required: true, MaxAge: day}}
	const all = "evidence-security=%s, invariants-production=%s, guards=%s, components=%s, reconciliation=%s"
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		p := newPlatform(t, tg, gates, components, invariants)
		fresh := func() { p.push("api", component.StatusHealthy); p.result("INV-BILLING-001", invariant.StatusPass) }
		step := func(name, wantGate, wantPosture string) {
			t.Helper()
			gotGate, gotPosture := p.agree("release", "api@v1")
			if gotGate != wantGate || gotPosture != wantPosture {
				t.Errorf("%s: gate %s, posture %s\nwant gate %s, posture %s", name, gotGate, gotPosture, wantGate, wantPosture)
			}
		}
		fresh()
		p.seal("api", "v1")
		p.guard("policy", "api@v1", guard.ModeBlocking, 0)
		step("every fact proven", "pass: "+fmt.Sprintf(all, "pass", "pass", "pass", "pass", "pass"), status.Healthy)

		p.guard("policy", "api@v1", guard.ModeBlocking, 2)
		step("a blocking guard with findings", "block: "+fmt.Sprintf(all, "pass", "pass", "block", "pass", "pass"), status.Blocked)

		_, err := p.gates.Waive(p.ctx, p.origin, "release", gate.WaiverRequest{Rule: "guards", Subject: "api@v1",
			Reason: "fix ships Friday", ExpiresAt: p.now.Add(time.Hour).Format(time.RFC3339)})
		p.must(err)
		step("the guard waived", "pass: "+fmt.Sprintf(all, "pass", "pass", "waived", "pass", "pass"), status.Healthy)

		p.now = p.now.Add(time.Hour)
		fresh()
		step("the waiver expired at this very moment", "block: "+fmt.Sprintf(all, "pass", "pass", "block", "pass", "pass"), status.Blocked)

		p.guard("policy", "api@v1", guard.ModeWarn, 1)
		step("a warn guard with findings", "pass: "+fmt.Sprintf(all, "pass", "pass", "warn", "pass", "pass"), status.Degraded)

		p.guard("policy", "api@v1", guard.ModeBlocking, 0)
		p.push("api", component.StatusDown)
		step("a critical component down", "block: "+fmt.Sprintf(all, "pass", "pass", "pass", "block", "pass"), status.Blocked)

		p.push("api", component.StatusDegraded)
		step("a component degraded", "pass: "+fmt.Sprintf(all, "pass", "pass", "pass", "warn", "pass"), status.Degraded)

		p.push("api", component.StatusHealthy)
		p.result("INV-BILLING-001", invariant.StatusFail)
		step("a critical invariant failing", "block: "+fmt.Sprintf(all, "pass", "block", "pass", "pass", "pass"), status.Blocked)

		p.result("INV-BILLING-001", invariant.StatusPass)
		rec, err := p.records.Create(p.ctx, p.origin, reconcile.CreateRequest{Component: "api", Kind: "drift", Severity: "high",
			Owner: "platform", Evidence: reconcile.Evidence{Summary: "replicas 2/3"}})
		p.must(err)
		step("an open high record", "block: "+fmt.Sprintf(all, "pass", "pass", "pass", "pass", "block"), status.Blocked)

		_, err = p.records.Transition(p.ctx, p.origin, rec.ID, reconcile.TransitionRequest{State: reconcile.StateResolved, Reason: "scaled back"})
		p.must(err)
		p.now = p.now.Add(168*time.Hour + time.Minute)
		fresh()
		step("evidence past max_age", "pass: "+fmt.Sprintf(all, "warn", "pass", "pass", "pass", "pass"), status.Degraded)

		p.now = p.now.Add(168 * time.Hour)
		fresh()
		step("evidence past block_age", "block: "+fmt.Sprintf(all, "block", "pass", "pass", "pass", "pass"), status.Blocked)
	})
}

// TestAcceptedRecordsDoNotCrowdOutOnesThatCount: the gate and the posture
// read at most so many open records, the weightiest first; records whose
// acceptance is unexpired count for nothing, so they are read last, and
// however many there are, a record that counts is read.
func TestAcceptedRecordsDoNotCrowdOutOnesThatCount(t *testing.T) {
	t.Parallel()
	components := []component.Def{{Name: "api", Owner: "platform"}}
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		p := newPlatform(t, tg, nil, components, nil)
		open := func(severity string) string {
			rec, err := p.records.Create(p.ctx, p.origin, reconcile.CreateRequest{Component: "api", Kind: "drift", Severity: severity,
				Owner: "platform", Evidence: reconcile.Evidence{Summary: "replicas 2/3"}})
			p.must(err)
			return rec.ID
		}
		for range 5 {
			id := open("critical")
			_, err := p.records.Transition(p.ctx, p.origin, id, reconcile.TransitionRequest{State: reconcile.StateAccepted,
				Reason: "quota request filed", AcceptedUntil: p.now.Add(24 * time.Hour).Format(time.RFC3339)})
			p.must(err)
		}
		high := open("high")
		records, counts, err := p.records.Open(p.ctx, 3)
		p.must(err)
		if len(records) != 3 || records[0].ID != high || counts["critical"] != 5 || counts["high"] != 1 {
			t.Errorf("read %d records, first %s, counts %v; want the high record first, then accepted ones", len(records), records[0].ID, counts)
		}
		// Once the acceptances lapse, they count again, and weigh more.
		p.now = p.now.Add(25 * time.Hour)
		records, _, err = p.records.Open(p.ctx, 3)
		p.must(err)
		if len(records) != 3 || records[0].Severity != "critical" {
			t.Errorf("after the acceptances lapsed, first %+v; want a critical one", records[0])
		}
	})
}
