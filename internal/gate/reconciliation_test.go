package gate

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/reconcile"
)

func TestReconciliationRuleOutcomes(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	later, earlier := now.Add(24*time.Hour), now.Add(-time.Hour)
	rec := func(id, severity, state string, until *time.Time) *reconcile.Record {
		return &reconcile.Record{ID: id, Component: "api", Kind: "drift", Severity: severity, State: state, AcceptedUntil: until}
	}
	for _, tc := range []struct {
		name    string
		max     string
		records []*reconcile.Record
		outcome string
		detail  string
		refs    string
	}{
		{"no records passes", "medium", nil, OutcomePass, "no open reconciliation records", ""},
		{"a low record under medium warns", "medium", []*reconcile.Record{rec("r1", "low", "detected", nil)}, OutcomeWarn,
			"1 record open at or below medium: r1 (low drift on api, detected)", "reconciliation:r1"},
		{"a record at the threshold warns", "medium", []*reconcile.Record{rec("r1", "medium", "repairing", nil)}, OutcomeWarn,
			"1 record open at or below medium: r1 (medium drift on api, repairing)", "reconciliation:r1"},
		{"a high record blocks and the low one is counted", "medium", []*reconcile.Record{rec("r1", "low", "detected", nil), rec("r2", "high", "detected", nil)}, OutcomeBlock,
			"1 record above medium or in state blocked: r2 (high drift on api, detected); 1 more at or below medium", "reconciliation:r2,reconciliation:r1"},
		{"a blocked low record blocks", "medium", []*reconcile.Record{rec("r1", "low", "blocked", nil)}, OutcomeBlock,
			"1 record above medium or in state blocked: r1 (low drift on api, blocked)", "reconciliation:r1"},
		{"an unexpired acceptance does not count", "medium", []*reconcile.Record{rec("r1", "critical", "accepted", &later)}, OutcomePass,
			"no open reconciliation records; 1 accepted and not yet expired", "reconciliation:r1"},
		{"an expired acceptance counts at its severity", "medium", []*reconcile.Record{rec("r1", "critical", "accepted", &earlier)}, OutcomeBlock,
			"1 record above medium or in state blocked: r1 (critical drift on api, accepted until 2026-11-23T11:00:00Z, expired)", "reconciliation:r1"},
		{"a resolved record does not count", "low", []*reconcile.Record{rec("r1", "critical", "resolved", nil)}, OutcomePass,
			"no open reconciliation records", ""},
		{"none lets no open record through", "none", []*reconcile.Record{rec("r1", "low", "detected", nil)}, OutcomeBlock,
			"1 record open (max_open_severity none lets none through): r1 (low drift on api, detected)", "reconciliation:r1"},
		{"critical lets every severity through with a warning", "critical", []*reconcile.Record{rec("r1", "critical", "detected", nil)}, OutcomeWarn,
			"1 record open at or below critical: r1 (critical drift on api, detected)", "reconciliation:r1"},
		{"a record about an invariant is named by it", "low", []*reconcile.Record{{ID: "r1", InvariantID: "INV-BILLING-001", Kind: "invariant_failure", Severity: "high", State: "detected"}}, OutcomeBlock,
			"1 record above low or in state blocked: r1 (high invariant_failure on INV-BILLING-001, detected)", "reconciliation:r1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := inputs{now: now, reconciliations: func() ([]*reconcile.Record, error) { return tc.records, nil }}
			got, err := reconciliationReason(&Rule{Reconciliation: &ReconciliationRule{MaxOpenSeverity: tc.max}}, in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Outcome != tc.outcome || got.Detail != tc.detail || strings.Join(got.Refs, ",") != tc.refs {
				t.Errorf("got %s %q %v\nwant %s %q %s", got.Outcome, got.Detail, got.Refs, tc.outcome, tc.detail, tc.refs)
			}
		})
	}
	t.Run("the detail names the worst five and counts the rest", func(t *testing.T) {
		var records []*reconcile.Record
		for i := 0; i < 8; i++ {
			records = append(records, rec(fmt.Sprintf("r%d", i), "high", "detected", nil))
		}
		records = append(records, rec("r9", "critical", "detected", nil), rec("r8", "low", "blocked", nil))
		in := inputs{now: now, reconciliations: func() ([]*reconcile.Record, error) { return records, nil }}
		got, _ := reconciliationReason(&Rule{Reconciliation: &ReconciliationRule{MaxOpenSeverity: "medium"}}, in)
		want := "10 records above medium or in state blocked: r8 (low drift on api, blocked), r9 (critical drift on api, detected), " +
			"r7 (high drift on api, detected), r6 (high drift on api, detected), r5 (high drift on api, detected) and 5 more"
		if got.Outcome != OutcomeBlock || got.Detail != want || len(got.Refs) != 10 {
			t.Errorf("got %s %q with %d refs\nwant block %q with 10", got.Outcome, got.Detail, len(got.Refs), want)
		}
	})
	t.Run("a list cut at the limit says so", func(t *testing.T) {
		records := make([]*reconcile.Record, MaxReconciliations+1)
		for i := range records {
			records[i] = rec(fmt.Sprintf("r%05d", i), "low", "detected", nil)
		}
		in := inputs{now: now, reconciliations: func() ([]*reconcile.Record, error) { return records, nil }}
		got, _ := reconciliationReason(&Rule{Reconciliation: &ReconciliationRule{MaxOpenSeverity: "medium"}}, in)
		if got.Outcome != OutcomeWarn || len(got.Refs) != MaxReconciliations ||
			!strings.HasSuffix(got.Detail, "and 9995 more (only the weightiest 10000 open records were read)") {
			t.Errorf("got %s with %d refs: %q", got.Outcome, len(got.Refs), got.Detail)
		}
	})
}
