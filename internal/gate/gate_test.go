package gate

import (
	"testing"
	"time"

	"github.com/aeso-dev/aeso"
)

// TestTheVersionOfAnExistingGateIsStable pins the version of a gate written
// with the first three rule kinds: adding a rule kind must not change the
// JSON form of gates that do not use it, or every stored result would name
// a version no definition has any more.
func TestTheVersionOfAnExistingGateIsStable(t *testing.T) {
	t.Parallel()
	d := &Def{Name: "release", AffectsPosture: true, Rules: []Rule{
		{Evidence: &EvidenceRule{Kind: "security", MaxAge: aeso.Duration{Duration: 168 * time.Hour},
			BlockAge: aeso.Duration{Duration: 336 * time.Hour}}},
		{Invariants: []string{"INV-BILLING-001"}, Environment: "production"},
		{Guards: &GuardsRule{}},
		{Name: "lint", Guards: &GuardsRule{Names: []string{"lint", "policy"}}},
	}}
	if got, want := d.Version(), "63ebb47bc2cb"; got != want {
		t.Errorf("Version() = %s, want %s", got, want)
	}
}

func TestTheNewRuleKindsAreValidated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		rule  Rule
		field string // "" when valid
	}{
		{"components with names are valid", Rule{Components: []string{"api", "billing.worker"}}, ""},
		{"a component name with capitals", Rule{Components: []string{"API"}}, "rules[0].components[0]"},
		{"a component listed twice", Rule{Components: []string{"api", "worker", "api"}}, "rules[0].components[2]"},
		{"none is a valid max_open_severity", Rule{Reconciliation: &ReconciliationRule{MaxOpenSeverity: "none"}}, ""},
		{"an unknown max_open_severity", Rule{Reconciliation: &ReconciliationRule{MaxOpenSeverity: "urgent"}}, "rules[0].reconciliation.max_open_severity"},
		{"a missing max_open_severity", Rule{Reconciliation: &ReconciliationRule{}}, "rules[0].reconciliation.max_open_severity"},
		{"components beside reconciliation", Rule{Components: []string{"api"}, Reconciliation: &ReconciliationRule{MaxOpenSeverity: "low"}}, "rules[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &Def{Name: "release", Rules: []Rule{tc.rule}}
			fields := d.Validate()
			switch {
			case tc.field == "" && len(fields) > 0:
				t.Errorf("problems %+v, want none", fields)
			case tc.field != "" && (len(fields) != 1 || fields[0].Field != tc.field):
				t.Errorf("problems %+v, want one on %s", fields, tc.field)
			}
		})
	}
	d := &Def{Name: "release", Rules: []Rule{{Components: []string{"api"}}, {Reconciliation: &ReconciliationRule{MaxOpenSeverity: "low"}}}}
	if a, b := d.Rules[0].Key(), d.Rules[1].Key(); a != "components" || b != "reconciliation" {
		t.Errorf("keys %s, %s; want components, reconciliation", a, b)
	}
}
