package judge

import (
	"slices"
	"testing"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/component"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/guard"
	"github.com/aeso-dev/aeso/internal/invariant"
	"github.com/aeso-dev/aeso/internal/reconcile"
)

// now is the clock every judgement here is made at: no test reads the time.
var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// The weights the two callers give, as they declare them.
var (
	gateComponents    = Weights{Down: Block, Unproven: Block, Stale: Warn}
	postureCritical   = Weights{Down: Block, Unproven: Warn, Stale: Warn}
	postureComponents = Weights{Down: Warn, Unproven: Warn, Stale: Warn}
)

func TestComponentJudgements(t *testing.T) {
	t.Parallel()
	d := component.Def{Name: "api", StaleAfter: aeso.Duration{Duration: 5 * time.Minute}, DeadAfter: aeso.Duration{Duration: 30 * time.Minute}}
	report := func(status string, age time.Duration) *component.Report {
		return &component.Report{ID: "r1", Status: status, ObservedAt: now.Add(-age)}
	}
	for _, tc := range []struct {
		name          string
		latest        *component.Report
		w             Weights
		freshness     string
		status, stale Level
		level         Level
	}{
		{"healthy and fresh counts for nothing", report(component.StatusHealthy, time.Minute), gateComponents, component.FreshnessFresh, Pass, Pass, Pass},
		{"reported degraded warns", report(component.StatusDegraded, time.Minute), postureComponents, component.FreshnessFresh, Warn, Pass, Warn},
		{"reported unknown warns", report(component.StatusUnknown, 0), gateComponents, component.FreshnessFresh, Warn, Pass, Warn},
		{"reported down weighs as down: a warning when not critical", report(component.StatusDown, time.Minute), postureComponents, component.FreshnessFresh, Warn, Pass, Warn},
		{"reported down weighs as down: a block when critical", report(component.StatusDown, time.Minute), postureCritical, component.FreshnessFresh, Block, Pass, Block},
		{"healthy but stale warns for its age alone", report(component.StatusHealthy, 6*time.Minute), gateComponents, component.FreshnessStale, Pass, Warn, Warn},
		{"degraded and stale weighs both", report(component.StatusDegraded, 6*time.Minute), postureComponents, component.FreshnessStale, Warn, Warn, Warn},
		{"down and stale blocks when down blocks", report(component.StatusDown, 6*time.Minute), gateComponents, component.FreshnessStale, Block, Warn, Block},
		{"exactly stale_after old is still fresh", report(component.StatusHealthy, 5*time.Minute), gateComponents, component.FreshnessFresh, Pass, Pass, Pass},
		{"dead by the clock is down, whatever it last said", report(component.StatusHealthy, 31*time.Minute), postureCritical, component.FreshnessDead, Block, Pass, Block},
		{"dead and not critical warns", report(component.StatusHealthy, 31*time.Minute), postureComponents, component.FreshnessDead, Warn, Pass, Warn},
		{"never reported is unproven: a gate blocks", nil, gateComponents, component.FreshnessNever, Block, Pass, Block},
		{"never reported is unproven: the posture is degraded", nil, postureCritical, component.FreshnessNever, Warn, Pass, Warn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			j := Component(d, tc.latest, now, tc.w)
			if j.Freshness != tc.freshness || j.Status != tc.status || j.Stale != tc.stale || j.Level() != tc.level {
				t.Errorf("got %s status %d stale %d level %d, want %s %d %d %d", j.Freshness, j.Status, j.Stale, j.Level(),
					tc.freshness, tc.status, tc.stale, tc.level)
			}
		})
	}
}

func TestInvariantJudgements(t *testing.T) {
	t.Parallel()
	def := &invariant.Stored{Def: invariant.Def{ID: "INV-BILLING-001", MaxAge: aeso.Duration{Duration: time.Hour}}}
	result := func(id, status string, age time.Duration) *invariant.Result {
		return &invariant.Result{ID: id, Status: status, ObservedAt: now.Add(-age)}
	}
	state := func(env string, r *invariant.Result) invariant.EnvState {
		return invariant.EnvState{Environment: env, State: invariant.StateOf(def.Def, r, now), Latest: r}
	}
	gate := Weights{Down: Block, Unproven: Block, Stale: Block}
	posture := Weights{Down: Warn, Stale: Warn} // neither critical nor required
	required := Weights{Down: Block, Unproven: Warn, Stale: Warn}
	for _, tc := range []struct {
		name    string
		states  []invariant.EnvState
		env     string
		w       Weights
		want    string // findings as state@env, space-separated
		level   Level
		counted int
	}{
		{"passing everywhere counts for nothing", []invariant.EnvState{state("prod", result("a", "pass", 0)), state("stage", result("b", "pass", 0))}, "", gate, "", Pass, 2},
		{"failing in one environment is found there", []invariant.EnvState{state("prod", result("a", "fail", 0)), state("stage", result("b", "pass", 0))}, "", posture, "failing@prod", Warn, 2},
		{"an errored result is failing", []invariant.EnvState{state("prod", result("a", "error", 0))}, "", required, "failing@prod", Block, 1},
		{"a pass older than max_age is stale", []invariant.EnvState{state("prod", result("a", "pass", 2*time.Hour))}, "", posture, "stale@prod", Warn, 1},
		{"a gate blocks on stale", []invariant.EnvState{state("prod", result("a", "pass", 2*time.Hour))}, "", gate, "stale@prod", Block, 1},
		{"with an environment only its state counts", []invariant.EnvState{state("prod", result("a", "pass", 0)), state("stage", result("b", "fail", 0))}, "prod", gate, "", Pass, 1},
		{"no result in the environment is unproven", []invariant.EnvState{state("prod", nil), state("stage", result("b", "pass", 0))}, "prod", gate, "unproven@prod", Block, 0},
		{"no result anywhere is unproven: required, degraded", []invariant.EnvState{state("prod", nil)}, "", required, "unproven@", Warn, 0},
		{"no result anywhere and not required counts for nothing", nil, "", posture, "unproven@", Pass, 0},
		{"every finding is kept, in environment order", []invariant.EnvState{state("prod", result("a", "fail", 0)), state("stage", result("b", "pass", 2*time.Hour))}, "", gate, "failing@prod stale@stage", Block, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			j := Invariant(&invariant.View{Def: def, States: tc.states}, tc.env, tc.w)
			got := ""
			for i, f := range j.Findings {
				if i > 0 {
					got += " "
				}
				got += f.State + "@" + f.Env.Environment
			}
			if got != tc.want || j.Level() != tc.level || len(j.Counted) != tc.counted {
				t.Errorf("got %q level %d counted %d, want %q %d %d", got, j.Level(), len(j.Counted), tc.want, tc.level, tc.counted)
			}
		})
	}
}

func TestEvidenceJudgements(t *testing.T) {
	t.Parallel()
	sealed := func(age time.Duration) *evidence.Bundle {
		at := now.Add(-age)
		return &evidence.Bundle{ID: "b1", SealedAt: &at}
	}
	rule := EvidenceRule{MaxAge: 168 * time.Hour, BlockAge: 336 * time.Hour}
	gate, posture := Weights{Unproven: Block}, Weights{Unproven: Warn}
	ran := &EvidenceItems{Proving: 1}
	failed := &EvidenceItems{Failing: []string{"t1"}, Proving: 1}
	for _, tc := range []struct {
		name  string
		b     *evidence.Bundle
		items *EvidenceItems
		r     EvidenceRule
		w     Weights
		cause string
		level Level
	}{
		{"fresh passes", sealed(time.Hour), ran, rule, gate, EvidenceFresh, Pass},
		{"older than max_age warns", sealed(169 * time.Hour), ran, rule, posture, EvidenceOld, Warn},
		{"exactly max_age old still passes", sealed(168 * time.Hour), ran, rule, gate, EvidenceFresh, Pass},
		{"older than block_age blocks", sealed(337 * time.Hour), ran, rule, posture, EvidenceTooOld, Block},
		{"block_age outweighs failing items", sealed(337 * time.Hour), failed, rule, gate, EvidenceTooOld, Block},
		{"failing items block", sealed(time.Hour), failed, rule, gate, EvidenceFailing, Block},
		{"failing items block before max_age warns", sealed(169 * time.Hour), failed, rule, gate, EvidenceFailing, Block},
		{"allowed failing items count for nothing", sealed(time.Hour), failed, EvidenceRule{AllowFailing: true}, gate, EvidenceFresh, Pass},
		{"no ages: any age passes", sealed(10000 * time.Hour), ran, EvidenceRule{}, gate, EvidenceFresh, Pass},
		{"no bundle is unproven: a gate blocks", nil, nil, rule, gate, EvidenceMissing, Block},
		{"no bundle is unproven: the posture is degraded", nil, nil, rule, posture, EvidenceMissing, Warn},
		{"a bundle without a seal proves nothing", &evidence.Bundle{ID: "b1"}, nil, rule, posture, EvidenceUnsealed, Warn},
		{"items that prove nothing: a gate blocks", sealed(time.Hour), &EvidenceItems{}, rule, gate, EvidenceNothing, Block},
		{"errored items block as failing before proving nothing", sealed(time.Hour), &EvidenceItems{Failing: []string{"t1"}}, rule, gate, EvidenceFailing, Block},
		{"allowed failures that prove nothing still block", sealed(time.Hour), &EvidenceItems{Failing: []string{"t1"}}, EvidenceRule{AllowFailing: true}, gate, EvidenceNothing, Block},
		{"errors are not allowed failures", sealed(time.Hour), &EvidenceItems{Failing: []string{"t1", "t2"}, Errored: []string{"t2"}, Proving: 1}, EvidenceRule{AllowFailing: true}, gate, EvidenceErrored, Block},
		{"items not read: the bundle's age alone decides", sealed(time.Hour), nil, rule, posture, EvidenceFresh, Pass},
		{"proof observed past block_age blocks though sealed now", sealed(time.Hour), &EvidenceItems{Proving: 1, Oldest: now.Add(-400 * time.Hour)}, rule, gate, EvidenceTooOld, Block},
		{"proof observed past max_age warns though sealed now", sealed(time.Hour), &EvidenceItems{Proving: 1, Oldest: now.Add(-200 * time.Hour)}, rule, gate, EvidenceOld, Warn},
		{"proof observed just before the seal is the seal's age", sealed(time.Hour), &EvidenceItems{Proving: 1, Oldest: now.Add(-2 * time.Hour)}, rule, gate, EvidenceFresh, Pass},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			j := Evidence(tc.b, tc.items, tc.r, now, tc.w)
			if j.Cause != tc.cause || j.Level != tc.level {
				t.Errorf("got %s %d, want %s %d", j.Cause, j.Level, tc.cause, tc.level)
			}
			// The age is the seal's unless the oldest item decided.
			if fromItem := tc.items != nil && !tc.items.Oldest.IsZero() && tc.cause != EvidenceFresh; j.FromItem != fromItem {
				t.Errorf("age from the oldest item: %v, want %v", j.FromItem, fromItem)
			}
		})
	}
}

func TestTheOldestProvingItemIsWhenTheProofWasObserved(t *testing.T) {
	t.Parallel()
	at := func(result string, observed, expires time.Duration) *evidence.Item {
		it := &evidence.Item{Name: result, Result: result, ObservedAt: now.Add(-observed)}
		if expires != 0 {
			e := now.Add(expires)
			it.ExpiresAt = &e
		}
		return it
	}
	got := ItemsOf([]*evidence.Item{
		at("pass", time.Hour, 0), at("warn", 3*time.Hour, 0),
		at("skip", 10*time.Hour, 0),            // ran no test: proves nothing
		at("pass", 20*time.Hour, -time.Minute), // expired: proves nothing
	}, now)
	if want := now.Add(-3 * time.Hour); !got.Oldest.Equal(want) || got.Proving != 2 {
		t.Errorf("got %+v, want 2 proving, the oldest observed at %v", got, want)
	}
}

func TestItemsProveWhatRanToItsEnd(t *testing.T) {
	t.Parallel()
	past, future := now.Add(-time.Minute), now.Add(time.Minute)
	item := func(name, result string, expires *time.Time) *evidence.Item {
		return &evidence.Item{Name: name, Result: result, ExpiresAt: expires}
	}
	for _, tc := range []struct {
		name    string
		items   []*evidence.Item
		failing []string
		proving int
	}{
		{"no item", nil, nil, 0},
		{"a pass, a warn and a fail ran", []*evidence.Item{item("a", "pass", nil), item("b", "warn", nil), item("c", "fail", &future)}, []string{"c"}, 3},
		{"a skip and an error did not", []*evidence.Item{item("a", "skip", nil), item("b", "error", nil)}, []string{"b"}, 0},
		{"an item past its expiry proves nothing", []*evidence.Item{item("a", "pass", &past)}, nil, 0},
		{"an item expiring now has expired", []*evidence.Item{item("a", "pass", &now)}, nil, 0},
		{"an expired failure still fails", []*evidence.Item{item("a", "fail", &past), item("b", "pass", nil)}, []string{"a"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := ItemsOf(tc.items, now)
			if !slices.Equal(got.Failing, tc.failing) || got.Proving != tc.proving {
				t.Errorf("got %+v, want failing %v proving %d", got, tc.failing, tc.proving)
			}
		})
	}
}

func TestGuardJudgements(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		mode  string
		open  int
		level Level
	}{
		{"blocking with open findings blocks", guard.ModeBlocking, 2, Block},
		{"warn with open findings warns", guard.ModeWarn, 1, Warn},
		{"report_only counts for nothing", guard.ModeReportOnly, 5, Pass},
		{"blocking without findings counts for nothing", guard.ModeBlocking, 0, Pass},
		{"warn without findings counts for nothing", guard.ModeWarn, 0, Pass},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := &guard.Report{Guard: "policy", Mode: tc.mode, Counts: guard.Counts{High: tc.open}}
			if got := Guard(rep); got != tc.level {
				t.Errorf("got %d, want %d", got, tc.level)
			}
		})
	}
}

func TestRecordJudgements(t *testing.T) {
	t.Parallel()
	ahead, past := now.Add(time.Hour), now.Add(-time.Hour)
	record := func(state, severity string, until *time.Time) *reconcile.Record {
		return &reconcile.Record{ID: "r1", State: state, Severity: severity, AcceptedUntil: until}
	}
	for _, tc := range []struct {
		name     string
		r        *reconcile.Record
		maxOpen  string
		level    Level
		accepted bool
	}{
		{"at the threshold warns", record(reconcile.StateDetected, "medium", nil), "medium", Warn, false},
		{"below the threshold warns", record(reconcile.StateRepairing, "low", nil), "medium", Warn, false},
		{"above the threshold blocks", record(reconcile.StateDetected, "high", nil), "medium", Block, false},
		{"critical above high blocks", record(reconcile.StateDetected, "critical", nil), "high", Block, false},
		{"in state blocked blocks whatever its severity", record(reconcile.StateBlocked, "low", nil), "critical", Block, false},
		{"none lets no open record through", record(reconcile.StateDetected, "low", nil), SeverityNone, Block, false},
		{"an unknown severity blocks", record(reconcile.StateDetected, "extreme", nil), "critical", Block, false},
		{"accepted until a time ahead counts for nothing, said so", record(reconcile.StateAccepted, "critical", &ahead), "medium", Pass, true},
		{"an expired acceptance counts again at its severity", record(reconcile.StateAccepted, "critical", &past), "medium", Block, false},
		{"an acceptance ending now has expired", record(reconcile.StateAccepted, "low", &now), "medium", Warn, false},
		{"resolved counts for nothing", record(reconcile.StateResolved, "critical", nil), "medium", Pass, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			j := Record(tc.r, tc.maxOpen, now)
			if j.Level != tc.level || j.Accepted != tc.accepted {
				t.Errorf("got %d accepted %v, want %d %v", j.Level, j.Accepted, tc.level, tc.accepted)
			}
		})
	}
}
