package gate

import "testing"

func TestVerdictFoldsOutcomes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		outcomes []string
		want     string
		warnings int
	}{
		{"all passing passes", []string{OutcomePass, OutcomePass}, VerdictPass, 0},
		{"a warning still passes", []string{OutcomePass, OutcomeWarn}, VerdictPass, 1},
		{"a waived rule does not block", []string{OutcomeWaived, OutcomePass}, VerdictPass, 0},
		{"one block blocks", []string{OutcomePass, OutcomeWarn, OutcomeBlock}, VerdictBlock, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var reasons []Reason
			for i, o := range tc.outcomes {
				reasons = append(reasons, Reason{Rule: string(rune('a' + i)), Outcome: o})
			}
			got, warnings := Verdict(reasons)
			if got != tc.want || len(warnings) != tc.warnings {
				t.Errorf("verdict %s with %d warnings, want %s with %d", got, len(warnings), tc.want, tc.warnings)
			}
		})
	}
}

func TestTheInputsDigestIgnoresRefOrder(t *testing.T) {
	t.Parallel()
	d := &Def{Name: "release", Rules: []Rule{{Guards: &GuardsRule{}}}}
	a := inputsDigest(d, "api@v1", []Reason{{Rule: "guards", Outcome: OutcomePass, Refs: []string{"guard_report:2", "guard_report:1"}}})
	b := inputsDigest(d, "api@v1", []Reason{{Rule: "guards", Outcome: OutcomePass, Refs: []string{"guard_report:1", "guard_report:2"}}})
	c := inputsDigest(d, "api@v2", []Reason{{Rule: "guards", Outcome: OutcomePass, Refs: []string{"guard_report:1", "guard_report:2"}}})
	if a != b || a == c {
		t.Errorf("digests %s %s %s: want equal for reordered refs, different for another subject", a, b, c)
	}
}
