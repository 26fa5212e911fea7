package gate

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/guard"
	"github.com/aeso-dev/aeso/internal/invariant"
)

// rulesNow is the clock of every evaluation here: evaluate reads no other.
var rulesNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// facts are what one evaluation reads, fixed in advance.
type facts struct {
	bundle     *evidence.View // nil: not found
	invariants []*invariant.View
	reports    []*guard.Report
	missing    []string
	waivers    []*Waiver
	err        error // every read fails with it
}

func (f facts) inputs(subject string) inputs {
	return inputs{now: rulesNow, subject: subject, waivers: f.waivers,
		evidence: func(kind, name, ref, stage string) (*evidence.View, error) {
			if f.err != nil {
				return nil, f.err
			}
			if f.bundle == nil || f.bundle.Bundle.Kind != kind || f.bundle.Bundle.Subject.Name != name || f.bundle.Bundle.Subject.Ref != ref {
				return nil, aeso.Reasonf(aeso.ENOTFOUND, "no_bundle", "none")
			}
			return f.bundle, nil
		},
		invariants: func(string) ([]*invariant.View, error) { return f.invariants, f.err },
		guards:     func([]string) ([]*guard.Report, []string, error) { return f.reports, f.missing, f.err },
	}
}

func sealedView(age time.Duration, results ...string) *evidence.View {
	at := rulesNow.Add(-age)
	v := &evidence.View{Bundle: &evidence.Bundle{ID: "b1", Kind: "security", Subject: evidence.Subject{Name: "api", Ref: "v1"}, SealedAt: &at, Digest: "sha256:d"}}
	for i, r := range results {
		v.Items = append(v.Items, &evidence.Item{ID: "i" + string(rune('1'+i)), Name: "t" + string(rune('1'+i)), Result: r})
	}
	return v
}

// observedView is a bundle sealed age ago holding one passing item
// observed observed ago.
func observedView(age, observed time.Duration) *evidence.View {
	v := sealedView(age, "pass")
	v.Items[0].ObservedAt = rulesNow.Add(-observed)
	return v
}

func invView(id string, states ...invariant.EnvState) *invariant.View {
	return &invariant.View{Def: &invariant.Stored{Def: invariant.Def{ID: id}}, States: states}
}

func envState(env, state, resultID string) invariant.EnvState {
	st := invariant.EnvState{Environment: env, State: state}
	if resultID != "" {
		st.Latest = &invariant.Result{ID: resultID}
	}
	return st
}

func report(name, mode string, open int) *guard.Report {
	return &guard.Report{ID: name + "-1", Guard: name, Mode: mode, Counts: guard.Counts{High: open}}
}

func TestRuleOutcomes(t *testing.T) {
	t.Parallel()
	security := Rule{Evidence: &EvidenceRule{Kind: "security", MaxAge: aeso.Duration{Duration: 168 * time.Hour}, BlockAge: aeso.Duration{Duration: 336 * time.Hour}}}
	promoted := Rule{Evidence: &EvidenceRule{Kind: "security", Stage: "production"}}
	lenient := Rule{Evidence: &EvidenceRule{Kind: "security", AllowFailing: true}}
	billing := Rule{Invariants: []string{"INV-BILLING-001"}}
	billingProd := Rule{Invariants: []string{"INV-BILLING-001"}, Environment: "production"}
	guards := Rule{Guards: &GuardsRule{}}
	named := Rule{Guards: &GuardsRule{Names: []string{"lint", "policy"}}}
	until := rulesNow.Add(time.Hour)
	active := &Waiver{ID: "w1", Gate: "release", Rule: "guards", Subject: "api@v1", Reason: "fix Friday", ExpiresAt: until}
	for _, tc := range []struct {
		name    string
		rule    Rule
		subject string
		facts   facts
		want    string // outcome: detail [refs]
	}{
		// Evidence.
		{"fresh sealed evidence passes", security, "api@v1", facts{bundle: sealedView(time.Hour, "pass")},
			"pass: security bundle b1 sealed 1h before this evaluation [bundle:b1@sha256:d]"},
		{"evidence past max_age warns", security, "api@v1", facts{bundle: sealedView(169*time.Hour+20*time.Second, "pass")},
			"warn: security bundle b1 was sealed 169h before this evaluation, past max_age 168h [bundle:b1@sha256:d]"},
		{"evidence past block_age blocks", security, "api@v1", facts{bundle: sealedView(337*time.Hour, "pass")},
			"block: security bundle b1 was sealed 337h before this evaluation, past block_age 336h [bundle:b1@sha256:d]"},
		{"failing items block and are named", security, "api@v1", facts{bundle: sealedView(time.Hour, "pass", "fail", "error")},
			"block: security bundle b1 has failing items: t2, t3 [bundle:b1@sha256:d item:i2 item:i3]"},
		{"failing items pass when allowed", lenient, "api@v1", facts{bundle: sealedView(time.Hour, "fail")},
			"pass: security bundle b1 sealed 1h before this evaluation [bundle:b1@sha256:d item:i1]"},
		{"a bundle without items proves nothing and blocks", security, "api@v1", facts{bundle: sealedView(time.Hour)},
			"block: security bundle b1 proves nothing: it holds no item [bundle:b1@sha256:d]"},
		{"skipped items prove nothing and block when failing is allowed", lenient, "api@v1", facts{bundle: sealedView(time.Hour, "skip", "skip")},
			"block: security bundle b1 proves nothing: no item ran to its end unexpired (2 skipped) [bundle:b1@sha256:d]"},
		{"an errored item blocks when failing is allowed, beside a pass", lenient, "api@v1", facts{bundle: sealedView(time.Hour, "pass", "fail", "error")},
			"block: security bundle b1 has items that did not run to their end: t3 (allow_failing accepts failed items, not errored ones) [bundle:b1@sha256:d item:i2 item:i3]"},
		{"proof observed past block_age blocks though the bundle was sealed an hour ago", security, "api@v1", facts{bundle: observedView(time.Hour, 400*time.Hour)},
			"block: security bundle b1 proves what was observed 400h before this evaluation (its oldest item), past block_age 336h [bundle:b1@sha256:d]"},
		{"a warning is proof", security, "api@v1", facts{bundle: sealedView(time.Hour, "warn", "skip")},
			"pass: security bundle b1 sealed 1h before this evaluation [bundle:b1@sha256:d]"},
		{"no bundle for the subject blocks", security, "api@v2", facts{bundle: sealedView(time.Hour)},
			"block: no sealed security bundle for api@v2 [gate_rule:release/evidence-security]"},
		{"no bundle promoted to the stage blocks", promoted, "web@v1", facts{},
			"block: no sealed security bundle for web@v1 promoted to production [gate_rule:release/evidence-security]"},
		{"a subject without a ref blocks", security, "api", facts{bundle: sealedView(time.Hour)},
			"block: the subject names no ref (name@ref): evidence is looked up for one version [gate_rule:release/evidence-security]"},

		// Invariants.
		{"passing in every environment passes", billing, "api@v1", facts{invariants: []*invariant.View{invView("INV-BILLING-001",
			envState("production", invariant.StatePassing, "r1"), envState("staging", invariant.StatePassing, "r2"))}},
			"pass: 1 invariant passing in every environment [invariant_result:r1 invariant_result:r2]"},
		{"failing in one environment blocks", billing, "api@v1", facts{invariants: []*invariant.View{invView("INV-BILLING-001",
			envState("production", invariant.StatePassing, "r1"), envState("staging", invariant.StateFailing, "r2"))}},
			"block: in every environment: INV-BILLING-001 is failing [invariant_result:r1 invariant_result:r2]"},
		{"stale blocks", billingProd, "api@v1", facts{invariants: []*invariant.View{invView("INV-BILLING-001",
			envState("production", invariant.StateStale, "r1"))}},
			"block: in production: INV-BILLING-001 is stale [invariant_result:r1]"},
		{"unproven in the environment blocks", billingProd, "api@v1", facts{invariants: []*invariant.View{invView("INV-BILLING-001",
			envState("production", invariant.StateUnproven, ""), envState("staging", invariant.StatePassing, "r2"))}},
			"block: in production: INV-BILLING-001 is unproven [gate_rule:release/invariants-production]"},
		{"reported nowhere blocks", billing, "api@v1", facts{invariants: []*invariant.View{invView("INV-BILLING-001")}},
			"block: in every environment: INV-BILLING-001 is unproven [gate_rule:release/invariants-any]"},
		{"an undefined invariant blocks", billing, "api@v1", facts{},
			"block: in every environment: INV-BILLING-001 is not defined [gate_rule:release/invariants-any]"},

		// Guards.
		{"no guard reported warns", guards, "api@v1", facts{},
			"warn: no guard reported for api@v1 [gate_rule:release/guards]"},
		{"clean reports pass", guards, "api@v1", facts{reports: []*guard.Report{report("lint", guard.ModeBlocking, 0), report("scan", guard.ModeReportOnly, 3)}},
			"pass: 2 guard reports, none blocking [guard_report:lint-1 guard_report:scan-1]"},
		{"open findings in warn mode warn", guards, "api@v1", facts{reports: []*guard.Report{report("lint", guard.ModeWarn, 1)}},
			"warn: lint (warn) has 1 open finding [guard_report:lint-1]"},
		{"open findings in blocking mode block", guards, "api@v1", facts{reports: []*guard.Report{report("lint", guard.ModeWarn, 1), report("policy", guard.ModeBlocking, 2)}},
			"block: lint (warn) has 1 open finding; policy (blocking) has 2 open findings [guard_report:lint-1 guard_report:policy-1]"},
		{"a named guard that never reported blocks", named, "api@v1", facts{reports: []*guard.Report{report("lint", guard.ModeBlocking, 0)}, missing: []string{"policy"}},
			"block: no report of guard policy for api@v1 [guard_report:lint-1]"},

		// Waivers.
		{"an active waiver excuses a block", guards, "api@v1", facts{reports: []*guard.Report{report("policy", guard.ModeBlocking, 2)}, waivers: []*Waiver{active}},
			"waived: policy (blocking) has 2 open findings (would block; waived until 2026-11-23T13:00:00Z: fix Friday) [guard_report:policy-1 waiver:w1]"},
		{"an active waiver excuses a warning", guards, "api@v1", facts{waivers: []*Waiver{active}},
			"waived: no guard reported for api@v1 (would warn; waived until 2026-11-23T13:00:00Z: fix Friday) [gate_rule:release/guards waiver:w1]"},
		{"a waiver leaves a pass alone", guards, "api@v1", facts{reports: []*guard.Report{report("policy", guard.ModeBlocking, 0)}, waivers: []*Waiver{active}},
			"pass: 1 guard reports, none blocking [guard_report:policy-1]"},
		{"a waiver for another subject excuses nothing", guards, "api@v2", facts{reports: []*guard.Report{report("policy", guard.ModeBlocking, 2)}, waivers: []*Waiver{active}},
			"block: policy (blocking) has 2 open findings [guard_report:policy-1]"},
		{"an expired waiver excuses nothing", guards, "api@v1", facts{reports: []*guard.Report{report("policy", guard.ModeBlocking, 2)},
			waivers: []*Waiver{{ID: "w0", Gate: "release", Rule: "guards", Subject: "api@v1", ExpiresAt: rulesNow}}},
			"block: policy (blocking) has 2 open findings [guard_report:policy-1]"},
		{"a waiver of another rule excuses nothing", security, "api@v1", facts{bundle: sealedView(337 * time.Hour), waivers: []*Waiver{active}},
			"block: security bundle b1 was sealed 337h before this evaluation, past block_age 336h [bundle:b1@sha256:d]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := &Def{Name: "release", Rules: []Rule{tc.rule}}
			reasons, err := evaluate(d, tc.facts.inputs(tc.subject))
			if err != nil {
				t.Fatal(err)
			}
			r := reasons[0]
			if got := r.Outcome + ": " + r.Detail + " [" + strings.Join(r.Refs, " ") + "]"; got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			if r.Rule != d.Rules[0].Key() || r.Kind != d.Rules[0].Kind() {
				t.Errorf("rule %s kind %s, want %s %s", r.Rule, r.Kind, d.Rules[0].Key(), d.Rules[0].Kind())
			}
		})
	}
}

func TestAFailedReadIsAnErrorNotAnOutcome(t *testing.T) {
	t.Parallel()
	gone := errors.New("db gone")
	for _, rule := range []Rule{
		{Evidence: &EvidenceRule{Kind: "security"}},
		{Invariants: []string{"INV-BILLING-001"}},
		{Guards: &GuardsRule{}},
	} {
		t.Run(rule.Kind(), func(t *testing.T) {
			t.Parallel()
			_, err := evaluate(&Def{Name: "release", Rules: []Rule{rule}}, facts{err: gone}.inputs("api@v1"))
			if !errors.Is(err, gone) {
				t.Errorf("got %v, want the read's error", err)
			}
		})
	}
}

// An age near a limit is written so that it never reads as the limit.
func TestAnAgeBesideALimitNeverReadsAsTheLimit(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		age  time.Duration
		want string
	}{
		{7185 * time.Second, "1h59m45s"}, // under block_age, not "2h"
		{7215 * time.Second, "2h0m15s"},  // over block_age, not "2h"
		{2 * time.Hour, "2h"},
		{90 * time.Minute, "1h30m"},
		{61*time.Minute + 20*time.Second, "1h1m20s"}, // beside max_age 1h1m
		{2*time.Hour - 400*time.Millisecond, "1h59m59.6s"},
		{2*time.Hour + 400*time.Millisecond, "2h0m0.4s"},
	} {
		if got := ageBeside(c.age, time.Hour+time.Minute, 2*time.Hour); got != c.want {
			t.Errorf("ageBeside(%s) = %s, want %s", c.age, got, c.want)
		}
	}
}
