package config

import (
	"reflect"
	"testing"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/component"
	"github.com/aeso-dev/aeso/internal/gate"
	"github.com/aeso-dev/aeso/internal/invariant"
)

func TestParseAcceptsValidFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		yaml           string
		want           []audit.ActionDef
		wantInvariants []invariant.Def
		wantComponents []component.Def
		wantGates      []gate.Def
	}{
		{
			name: "the example from the design decodes into every field",
			yaml: rotateKey,
			want: []audit.ActionDef{{
				Action:          "credentials.api_key.rotate",
				Category:        "Access",
				Family:          "Credentials",
				Label:           "Rotate API key",
				TargetTypeLabel: "API key",
				Severity:        audit.SeverityPair{Success: "medium", Failure: "high"},
				SafeDetails:     []string{"key_name", "scope"},
				Summary:         "{actor} rotated {target_type} {target}",
			}},
		},
		{
			name: "an anchor can share severities between actions",
			yaml: `actions:
  - action: fleet.vehicle.retire
    category: Fleet
    label: Retire vehicle
    severity: &risky {success: high, failure: high}
  - action: fleet.vehicle.transfer
    category: Fleet
    label: Transfer vehicle
    severity: *risky
`,
			want: []audit.ActionDef{
				{Action: "fleet.vehicle.retire", Category: "Fleet", Label: "Retire vehicle", Severity: audit.SeverityPair{Success: "high", Failure: "high"}},
				{Action: "fleet.vehicle.transfer", Category: "Fleet", Label: "Transfer vehicle", Severity: audit.SeverityPair{Success: "high", Failure: "high"}},
			},
		},
		{
			name: "the invariant example from the design decodes into every field",
			yaml: billingInvariant,
			wantInvariants: []invariant.Def{{
				ID:       "INV-BILLING-001",
				Title:    "Invoices balance",
				Owner:    "billing",
				Severity: "high",
				Critical: true,
				Required: true,
				MaxAge:   aeso.Duration{Duration: 24 * time.Hour},
			}},
		},
		{
			name: "actions and invariants live side by side, and flags default to false",
			yaml: rotateKey + `invariants:
  - id: INV-FLEET-001
    title: Every vehicle has an owner
    owner: fleet
    severity: medium
    max_age: 1h30m
`,
			want: []audit.ActionDef{{
				Action:          "credentials.api_key.rotate",
				Category:        "Access",
				Family:          "Credentials",
				Label:           "Rotate API key",
				TargetTypeLabel: "API key",
				Severity:        audit.SeverityPair{Success: "medium", Failure: "high"},
				SafeDetails:     []string{"key_name", "scope"},
				Summary:         "{actor} rotated {target_type} {target}",
			}},
			wantInvariants: []invariant.Def{{
				ID:       "INV-FLEET-001",
				Title:    "Every vehicle has an owner",
				Owner:    "fleet",
				Severity: "medium",
				MaxAge:   aeso.Duration{Duration: 90 * time.Minute},
			}},
		},
		{
			name: "the component example from the design decodes into every field",
			yaml: "components:\n  - {name: api, owner: platform, critical: true, stale_after: 5m, dead_after: 30m}\n",
			wantComponents: []component.Def{{
				Name:       "api",
				Owner:      "platform",
				Critical:   true,
				StaleAfter: aeso.Duration{Duration: 5 * time.Minute},
				DeadAfter:  aeso.Duration{Duration: 30 * time.Minute},
			}},
		},
		{
			name: "components carry a description, and critical defaults to false",
			yaml: `components:
  - name: billing.worker
    owner: billing
    stale_after: 1m
    dead_after: 1h
    description: Posts invoices
`,
			wantComponents: []component.Def{{
				Name:        "billing.worker",
				Owner:       "billing",
				StaleAfter:  aeso.Duration{Duration: time.Minute},
				DeadAfter:   aeso.Duration{Duration: time.Hour},
				Description: "Posts invoices",
			}},
		},
		{
			name: "the gate example from the design decodes into every field",
			yaml: billingInvariant + apiComponent + releaseGate,
			wantInvariants: []invariant.Def{{
				ID: "INV-BILLING-001", Title: "Invoices balance", Owner: "billing", Severity: "high",
				Critical: true, Required: true, MaxAge: aeso.Duration{Duration: 24 * time.Hour},
			}},
			wantComponents: []component.Def{{
				Name: "api", Owner: "platform", Critical: true,
				StaleAfter: aeso.Duration{Duration: 5 * time.Minute}, DeadAfter: aeso.Duration{Duration: 30 * time.Minute},
			}},
			wantGates: []gate.Def{{
				Name:           "release",
				AffectsPosture: true,
				Rules: []gate.Rule{
					{Evidence: &gate.EvidenceRule{
						Kind:     "security",
						MaxAge:   aeso.Duration{Duration: 168 * time.Hour},
						BlockAge: aeso.Duration{Duration: 336 * time.Hour},
					}},
					{Invariants: []string{"INV-BILLING-001"}, Environment: "production"},
					{Guards: &gate.GuardsRule{}},
					{Components: []string{"api"}},
					{Reconciliation: &gate.ReconciliationRule{MaxOpenSeverity: "medium"}},
				},
			}},
		},
		{
			name: "components are listed in any order, and every max_open_severity is accepted",
			yaml: `components:
  - {name: api, owner: platform, stale_after: 5m, dead_after: 30m}
  - {name: worker, owner: platform, stale_after: 1m, dead_after: 10m}
gates:
  - name: release
    rules:
      - {components: [worker, api]}
      - {name: none, reconciliation: {max_open_severity: none}}
      - {name: low, reconciliation: {max_open_severity: low}}
      - {name: high, reconciliation: {max_open_severity: high}}
      - {name: critical, reconciliation: {max_open_severity: critical}}
`,
			wantComponents: []component.Def{
				{Name: "api", Owner: "platform", StaleAfter: aeso.Duration{Duration: 5 * time.Minute}, DeadAfter: aeso.Duration{Duration: 30 * time.Minute}},
				{Name: "worker", Owner: "platform", StaleAfter: aeso.Duration{Duration: time.Minute}, DeadAfter: aeso.Duration{Duration: 10 * time.Minute}},
			},
			wantGates: []gate.Def{{
				Name: "release",
				Rules: []gate.Rule{
					{Components: []string{"worker", "api"}},
					{Name: "none", Reconciliation: &gate.ReconciliationRule{MaxOpenSeverity: "none"}},
					{Name: "low", Reconciliation: &gate.ReconciliationRule{MaxOpenSeverity: "low"}},
					{Name: "high", Reconciliation: &gate.ReconciliationRule{MaxOpenSeverity: "high"}},
					{Name: "critical", Reconciliation: &gate.ReconciliationRule{MaxOpenSeverity: "critical"}},
				},
			}},
		},
		{
			name: "guards is blocking, all, a list of names or a mapping of names",
			yaml: `gates:
  - name: release
    rules:
      - {name: every, guards: blocking}
      - {name: all, guards: all}
      - {name: listed, guards: [lint, policy]}
      - name: mapped
        guards:
          names: [lint]
`,
			wantGates: []gate.Def{{
				Name: "release",
				Rules: []gate.Rule{
					{Name: "every", Guards: &gate.GuardsRule{}},
					{Name: "all", Guards: &gate.GuardsRule{}},
					{Name: "listed", Guards: &gate.GuardsRule{Names: []string{"lint", "policy"}}},
					{Name: "mapped", Guards: &gate.GuardsRule{Names: []string{"lint"}}},
				},
			}},
		},
		{name: "an empty gates section defines nothing", yaml: "gates:\n"},
		{name: "an empty invariants section defines nothing", yaml: "invariants:\n"},
		{name: "an empty components section defines nothing", yaml: "components:\n"},
		{name: "an empty file defines nothing", yaml: ""},
		{name: "a file of comments defines nothing", yaml: "# nothing yet\n"},
		{name: "an empty actions section defines nothing", yaml: "actions:\n"},
		{name: "an empty actions list defines nothing", yaml: "actions: []\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("aeso.yaml", []byte(tt.yaml), Options{ReservedActions: []string{"aeso.token.create"}})
			if err != nil {
				t.Fatalf("Parse() error = %v", err)
			}
			if cfg.Path != "aeso.yaml" {
				t.Errorf("Path = %q, want %q", cfg.Path, "aeso.yaml")
			}
			if len(cfg.Actions) != len(tt.want) || (len(tt.want) > 0 && !reflect.DeepEqual(cfg.Actions, tt.want)) {
				t.Errorf("Actions =\n%+v\nwant\n%+v", cfg.Actions, tt.want)
			}
			if len(cfg.Invariants) != len(tt.wantInvariants) || (len(tt.wantInvariants) > 0 && !reflect.DeepEqual(cfg.Invariants, tt.wantInvariants)) {
				t.Errorf("Invariants =\n%+v\nwant\n%+v", cfg.Invariants, tt.wantInvariants)
			}
			if len(cfg.Components) != len(tt.wantComponents) || (len(tt.wantComponents) > 0 && !reflect.DeepEqual(cfg.Components, tt.wantComponents)) {
				t.Errorf("Components =\n%+v\nwant\n%+v", cfg.Components, tt.wantComponents)
			}
			if len(cfg.Gates) != len(tt.wantGates) || (len(tt.wantGates) > 0 && !reflect.DeepEqual(cfg.Gates, tt.wantGates)) {
				t.Errorf("Gates =\n%+v\nwant\n%+v", cfg.Gates, tt.wantGates)
			}
		})
	}
}
