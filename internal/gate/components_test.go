package gate

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/component"
)

func TestComponentsRuleOutcomes(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	api := component.Def{Name: "api", StaleAfter: aeso.Duration{Duration: 5 * time.Minute}, DeadAfter: aeso.Duration{Duration: 30 * time.Minute}}
	worker := component.Def{Name: "worker", StaleAfter: aeso.Duration{Duration: time.Minute}, DeadAfter: aeso.Duration{Duration: 10 * time.Minute}}
	report := func(id, status string, age time.Duration) *component.Report {
		return &component.Report{ID: id, Status: status, ObservedAt: now.Add(-age)}
	}
	healthyWorker := report("w1", component.StatusHealthy, 0)
	for _, tc := range []struct {
		name    string
		api     *component.Report
		outcome string
		detail  string
		refs    string
	}{
		{"healthy and fresh passes", report("a1", component.StatusHealthy, time.Minute), OutcomePass,
			"healthy and reporting: api, worker", "component_status:a1,component_status:w1"},
		{"degraded warns", report("a1", component.StatusDegraded, 2*time.Minute), OutcomeWarn,
			"api is degraded (reported 2m before this evaluation)", "component_status:a1,component_status:w1"},
		{"a reported unknown warns", report("a1", component.StatusUnknown, 30*time.Second), OutcomeWarn,
			"api is unknown (reported 30s before this evaluation)", "component_status:a1,component_status:w1"},
		{"healthy but stale warns", report("a1", component.StatusHealthy, 6*time.Minute), OutcomeWarn,
			"api is stale (no report for 6m, past stale_after 5m)", "component_status:a1,component_status:w1"},
		{"degraded and stale warns once", report("a1", component.StatusDegraded, 6*time.Minute), OutcomeWarn,
			"api is degraded and stale (no report for 6m, past stale_after 5m)", "component_status:a1,component_status:w1"},
		{"reported down blocks", report("a1", component.StatusDown, time.Minute), OutcomeBlock,
			"api is down (reported down 1m before this evaluation)", "component_status:a1,component_status:w1"},
		{"reported down and stale blocks", report("a1", component.StatusDown, 7*time.Minute), OutcomeBlock,
			"api is down (reported down; no report for 7m, past stale_after 5m)", "component_status:a1,component_status:w1"},
		{"dead by the clock blocks even when the last report was healthy", report("a1", component.StatusHealthy, 31*time.Minute), OutcomeBlock,
			"api is down (no report for 31m, past dead_after 30m)", "component_status:a1,component_status:w1"},
		{"never reported blocks", nil, OutcomeBlock, "api has never reported", "component_status:w1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := inputs{now: now, components: func() ([]*component.View, error) {
				return []*component.View{{Def: api, Latest: tc.api}, {Def: worker, Latest: healthyWorker}}, nil
			}}
			got, err := componentsReason(&Rule{Components: []string{"api", "worker"}}, in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Outcome != tc.outcome || got.Detail != tc.detail || strings.Join(got.Refs, ",") != tc.refs {
				t.Errorf("got %s %q %v\nwant %s %q %s", got.Outcome, got.Detail, got.Refs, tc.outcome, tc.detail, tc.refs)
			}
		})
	}
	t.Run("a block outweighs a warning and both are named", func(t *testing.T) {
		in := inputs{now: now, components: func() ([]*component.View, error) {
			return []*component.View{{Def: api, Latest: report("a1", component.StatusDegraded, 0)}, {Def: worker}}, nil
		}}
		got, _ := componentsReason(&Rule{Components: []string{"api", "worker"}}, in)
		if want := "api is degraded (reported 0s before this evaluation); worker has never reported"; got.Outcome != OutcomeBlock || got.Detail != want {
			t.Errorf("got %s %q, want block %q", got.Outcome, got.Detail, want)
		}
	})
	t.Run("only the listed components count", func(t *testing.T) {
		in := inputs{now: now, components: func() ([]*component.View, error) {
			return []*component.View{{Def: api}, {Def: worker, Latest: healthyWorker}}, nil
		}}
		got, _ := componentsReason(&Rule{Components: []string{"worker"}}, in)
		if got.Outcome != OutcomePass {
			t.Errorf("got %s %q, want pass", got.Outcome, got.Detail)
		}
	})
	t.Run("a failed read is an error, not an outcome", func(t *testing.T) {
		in := inputs{now: now, components: func() ([]*component.View, error) { return nil, errors.New("db gone") }}
		if _, err := componentsReason(&Rule{Components: []string{"api"}}, in); err == nil {
			t.Error("no error")
		}
	})
}
