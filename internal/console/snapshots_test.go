package console

import (
	"strings"
	"testing"

	"github.com/aeso-dev/aeso/internal/status"
)

func TestPairReasonsMatchesARowAndThenWhatItIsAbout(t *testing.T) {
	t.Parallel()
	reason := func(source, ref, level, msg, comp string) status.Reason {
		return status.Reason{Source: source, Ref: ref, Level: level, Message: msg, Component: comp}
	}
	then := []status.Reason{
		reason("component", "component_status:a1", "degraded", "api (critical) reports degraded: slow", "api"),
		reason("invariant", "invariant:INV-A-001", "degraded", "INV-A-001 (A) is required and has no result in production", ""),
		reason("gate", "gate_result:g1", "blocked", "gate release blocked api@v1 at 2026-12-01T00:00:00Z (evidence-release)", ""),
		reason("guard", "guard_report:r1", "blocked", "guard licenses (blocking) has 1 open finding for api@v1: 1 high", ""),
		reason("evidence", "bundle:b1@sha256:aa", "degraded", "the newest release evidence (api@v1) was sealed at …, past max_age 1d (required by gate release rule evidence-release)", ""),
		reason("reconciliation", "reconciliation:x", "degraded", "drift on worker", "worker"),
	}
	now := []status.Reason{
		reason("component", "component_status:a2", "blocked", "api (critical) reports down: refused", "api"),
		reason("invariant", "invariant:INV-A-001", "degraded", "INV-A-001 (A) is required and has no result in production", ""),
		reason("gate", "gate_result:g2", "blocked", "gate release blocked api@v2 at 2026-12-02T00:00:00Z (evidence-release)", ""),
		reason("guard", "guard_report:r2", "blocked", "guard licenses (blocking) has 2 open findings for api@v2: 2 high", ""),
		reason("evidence", "bundle:b2@sha256:bb", "blocked", "the newest release evidence (api@v2) was sealed at …, past block_age 2d (required by gate release rule evidence-release)", ""),
		reason("invariant", "invariant_result:i9", "blocked", "INV-B-001 (B) is failing in production: result fail", ""),
	}
	got := map[string]string{}
	for _, p := range pairReasons(then, now) {
		key := p.Source + " " + p.Change()
		var msgs []string
		for _, r := range []*status.Reason{p.Then, p.Now} {
			if r != nil {
				msgs = append(msgs, r.Message[:min(len(r.Message), 14)])
			}
		}
		got[key] += strings.Join(msgs, " → ") + "; "
	}
	want := map[string]string{
		"component changed":   "api (critical) → api (critical); ",
		"invariant same":      "INV-A-001 (A)  → INV-A-001 (A) ; ",
		"gate changed":        "gate release b → gate release b; ",
		"guard changed":       "guard licenses → guard licenses; ",
		"evidence changed":    "the newest rel → the newest rel; ",
		"reconciliation gone": "drift on worke; ",
		"invariant new":       "INV-B-001 (B) ; ",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("pairs %v, want %v", got, want)
	}

	order := pairReasons(then, now)
	if order[0].Change() == "same" || order[len(order)-1].Change() != "same" {
		t.Errorf("the changed reasons do not come first and the held ones last: %v, %v", order[0].Change(), order[len(order)-1].Change())
	}
}

func TestReasonTopicIsNotTheRowWhenTheRowChangesWithEachReport(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		reason status.Reason
		want   string
	}{
		{status.Reason{Source: "component", Ref: "component_status:x", Component: "api"}, "api"},
		{status.Reason{Source: "component", Ref: "component:api"}, "component:api"},
		{status.Reason{Source: "invariant", Ref: "invariant_result:x", Message: "INV-A-001 (A) is failing"}, "INV-A-001"},
		{status.Reason{Source: "gate", Ref: "gate_result:x", Message: "gate release blocked api@v2 at t (r)"}, "release api"},
		{status.Reason{Source: "gate", Ref: "waiver:w", Message: "gate release would block api@v2 on rule r: waived"}, "waiver:w"},
		{status.Reason{Source: "guard", Ref: "guard_report:x", Message: "guard lic (warn) has 1 open finding for api@v2: 1 low"}, "lic api"},
		{status.Reason{Source: "evidence", Ref: "gate_rule:release/evidence-release", Message: "no sealed release evidence (required by gate release rule evidence-release)"}, "release evidence-release"},
		{status.Reason{Source: "reconciliation", Ref: "reconciliation:*", Message: "more than 5000 open"}, "reconciliation:*"},
	} {
		if got := reasonTopic(tc.reason); got != tc.want {
			t.Errorf("%s %s: topic %q, want %q", tc.reason.Source, tc.reason.Ref, got, tc.want)
		}
	}
}
