package gate

import (
	"strings"
	"testing"
	"time"
)

func TestRejudgeAppliesTheWaiversInForceNow(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	active := &Waiver{ID: "w1", Gate: "release", Rule: "guards", Subject: "api@v1", Reason: "fix Friday", ExpiresAt: now.Add(time.Hour)}
	expired := &Waiver{ID: "w0", Gate: "release", Rule: "guards", Subject: "api@v1", Reason: "old", ExpiresAt: now.Add(-time.Second)}
	block := Reason{Rule: "guards", Outcome: OutcomeBlock, Detail: "policy (blocking) has 2 open findings", Refs: []string{"guard_report:g1"}}
	warn := Reason{Rule: "guards", Outcome: OutcomeWarn, Detail: "lint (warn) has 1 open finding", Refs: []string{}}
	waivedBlock := waive(block, []*Waiver{{ID: "w0", Gate: "release", Rule: "guards", Subject: "api@v1", Reason: "old", ExpiresAt: now.Add(time.Hour)}}, "release", "api@v1", now)
	legacyWarn := Reason{Rule: "guards", Outcome: OutcomeWaived, Waiver: "w0", Refs: []string{"waiver:w0"},
		Detail: "lint (warn) has 1 open finding (would warn; waived until 2026-03-01T11:00:00Z: old)"}
	legacyUnknown := Reason{Rule: "guards", Outcome: OutcomeWaived, Waiver: "w0", Detail: "edited by hand"}
	for _, tc := range []struct {
		name    string
		subject string
		reason  Reason
		waivers []*Waiver
		want    string // outcome/waived_outcome/waiver refs
	}{
		{"a block with no waiver stays a block", "api@v1", block, nil, "block//guard_report:g1"},
		{"a waiver given since excuses a block", "api@v1", block, []*Waiver{active}, "waived/block/w1/guard_report:g1 waiver:w1"},
		{"a waiver given since excuses a warning", "api@v1", warn, []*Waiver{active}, "waived/warn/w1/waiver:w1"},
		{"a waiver for another subject does not", "api@v2", block, []*Waiver{active}, "block//guard_report:g1"},
		{"an expired waiver does not", "api@v1", block, []*Waiver{expired}, "block//guard_report:g1"},
		{"a waived block blocks again once its waiver expired", "api@v1", waivedBlock, []*Waiver{expired}, "block//guard_report:g1"},
		{"another waiver in force takes over", "api@v1", waivedBlock, []*Waiver{expired, active}, "waived/block/w1/guard_report:g1 waiver:w1"},
		{"an old result's waived warning reads its detail", "api@v1", legacyWarn, nil, "warn//"},
		{"a waived rule that says nothing counts as a block", "api@v1", legacyUnknown, nil, "block//"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Result{Gate: "release", Subject: tc.subject, Reasons: []Reason{tc.reason}}
			got := Rejudge(r, tc.waivers, now)[0]
			s := got.Outcome + "/" + got.WaivedOutcome + "/"
			if got.Waiver != "" {
				s += got.Waiver + "/"
			}
			s += strings.Join(got.Refs, " ")
			if s != tc.want {
				t.Errorf("got %s, want %s (detail %q)", s, tc.want, got.Detail)
			}
			if strings.Count(got.Detail, "(would ") > 1 {
				t.Errorf("detail says it twice: %q", got.Detail)
			}
			if tc.reason.Outcome == OutcomeWaived && got.Outcome != OutcomeWaived && got.Detail != tc.reason.Detail &&
				strings.Contains(got.Detail, "waived until") {
				t.Errorf("detail still speaks of the expired waiver: %q", got.Detail)
			}
		})
	}
}
