package config

import (
	"errors"
	"testing"
)

// rotateKey is the actions section of DESIGN.md.
const rotateKey = `actions:
  - action: credentials.api_key.rotate
    category: Access            # Access, Finance, Fleet, Operations, Platform, or your own
    family: Credentials
    label: Rotate API key
    target_type_label: API key
    severity: {success: medium, failure: high}
    safe_details: [key_name, scope]
    summary: "{actor} rotated {target_type} {target}"
`

// billingInvariant is the invariants section of DESIGN.md.
const billingInvariant = `invariants:
  - {id: INV-BILLING-001, title: Invoices balance, owner: billing, severity: high, critical: true, required: true, max_age: 24h}
`

// apiComponent is the components section of DESIGN.md.
const apiComponent = `components:
  - {name: api, owner: platform, critical: true, stale_after: 5m, dead_after: 30m}
`

// releaseGate is the gates section of DESIGN.md.
const releaseGate = `gates:
  - name: release
    affects_posture: true
    rules:
      - {evidence: {kind: security, state: sealed, max_age: 168h, block_age: 336h}}
      - {invariants: [INV-BILLING-001], environment: production}
      - {guards: blocking}
      - {components: [api]}
      - {reconciliation: {max_open_severity: medium}}
`

func TestParseReportsProblemsAtTheirLine(t *testing.T) {
	opt := Options{ReservedActions: []string{"aeso.token.create"}}
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{
			name: "an unknown field is reported at its key",
			yaml: `actions:
  - action: billing.invoice.void
    category: Finance
    labels: Void invoice
    severity: {success: low, failure: high}
`,
			want: "aeso.yaml:4:5: actions[0].labels: unknown field \"labels\"",
		},
		{
			name: "an unknown top-level section is reported at its key",
			yaml: "action:\n  - action: billing.invoice.void\n",
			want: "aeso.yaml:1:1: action: unknown field \"action\"",
		},
		{
			name: "a bad severity is reported at its value",
			yaml: `actions:
  - action: billing.invoice.void
    category: Finance
    label: Void invoice
    severity: {success: low, failure: hihg}
`,
			want: "aeso.yaml:5:39: actions[0].severity.failure: must be one of info, low, medium, high, critical",
		},
		{
			name: "an action that is not lowercase dotted words is reported at its value",
			yaml: `actions:
  - action: Billing-Void
    category: Finance
    label: Void invoice
    severity: {success: low, failure: high}
`,
			want: "aeso.yaml:2:13: actions[0].action: must be lowercase dotted words (e.g. credentials.api_key.rotate), at most 128 characters",
		},
		{
			name: "a missing label is reported at the action it belongs to",
			yaml: `actions:
  - action: billing.invoice.void
    category: Finance
    severity: {success: low, failure: high}
`,
			want: "aeso.yaml:2:5: actions[0].label: is required",
		},
		{
			name: "an empty label is reported at its key",
			yaml: `actions:
  - action: billing.invoice.void
    category: Finance
    label:
    severity: {success: low, failure: high}
`,
			want: "aeso.yaml:4:5: actions[0].label: is required",
		},
		{
			name: "an unknown summary placeholder is reported at the summary",
			yaml: `actions:
  - action: billing.invoice.void
    category: Finance
    label: Void invoice
    severity: {success: low, failure: high}
    summary: "{actor} voided {invoice}"
`,
			want: "aeso.yaml:6:14: actions[0].summary: unknown placeholder {invoice}; use {actor}, {target}, {target_type}, {action}, {result}",
		},
		{
			name: "a duplicate safe detail is reported at the second entry",
			yaml: `actions:
  - action: billing.invoice.void
    category: Finance
    label: Void invoice
    severity: {success: low, failure: high}
    safe_details:
      - invoice_id
      - invoice_id
`,
			want: "aeso.yaml:8:9: actions[0].safe_details[1]: key \"invoice_id\" is listed twice",
		},
		{
			name: "an action defined twice is reported at the second definition",
			yaml: `actions:
  - action: billing.invoice.void
    category: Finance
    label: Void invoice
    severity: {success: low, failure: high}
  - action: billing.invoice.void
    category: Finance
    label: Void an invoice
    severity: {success: low, failure: high}
`,
			want: "aeso.yaml:6:13: actions[1].action: action billing.invoice.void is already defined at line 2",
		},
		{
			name: "a built-in action cannot be redefined",
			yaml: `actions:
  - action: aeso.token.create
    category: Platform
    label: Create token
    severity: {success: medium, failure: high}
`,
			want: "aeso.yaml:2:13: actions[0].action: action aeso.token.create is built in and cannot be redefined",
		},
		{
			name: "a value of the wrong type is reported without Go type names",
			yaml: `actions:
  - action: billing.invoice.void
    category: Finance
    label: Void invoice
    severity: high
`,
			want: "aeso.yaml:5:15: actions[0].severity: must be a mapping",
		},
		{
			name: "a missing severity is reported at the key of the mapping that lacks it",
			yaml: `actions:
  - action: billing.invoice.void
    category: Finance
    label: Void invoice
    severity:
      success: low
`,
			want: "aeso.yaml:5:5: actions[0].severity.failure: must be one of info, low, medium, high, critical",
		},
		{
			name: "an unknown field inside a nested mapping is reported with its full path",
			yaml: `actions:
  - action: billing.invoice.void
    category: Finance
    label: Void invoice
    severity: {success: low, failur: high}
`,
			want: "aeso.yaml:5:30: actions[0].severity.failur: unknown field \"failur\"",
		},
		{
			name: "an empty list item is reported at its dash",
			yaml: "actions:\n  -\n",
			want: "aeso.yaml:2:3: actions[0]: is empty; expected an action definition",
		},
		{
			name: "an actions section that is not a list is reported at its value",
			yaml: "actions: billing.invoice.void\n",
			want: "aeso.yaml:1:10: actions: must be a list",
		},
		{
			name: "a syntax error is reported at the token the parser stopped on",
			yaml: "actions: [\n",
			want: "aeso.yaml:1:10: sequence end token ']' not found",
		},
		{
			name: "a key written twice is a syntax error",
			yaml: `actions:
  - action: billing.invoice.void
    action: billing.invoice.delete
`,
			want: "aeso.yaml:3:5: mapping key \"action\" already defined at [2:5]",
		},
		{
			name: "a second YAML document is refused",
			yaml: "actions: []\n---\nactions: []\n",
			want: "aeso.yaml:2:1: a config file holds a single YAML document",
		},
		{
			name: "every problem of every action is listed in file order",
			yaml: `actions:
  - action: billing.invoice.void
    category: Finance
    sevrity: {success: low, failure: high}
  - action: BAD
    category: Finance
    severity: {success: low, failure: high}
`,
			want: `aeso.yaml:4:5: actions[0].sevrity: unknown field "sevrity"
aeso.yaml:5:5: actions[1].label: is required
aeso.yaml:5:13: actions[1].action: must be lowercase dotted words (e.g. credentials.api_key.rotate), at most 128 characters`,
		},
		{
			name: "an invariant id that is not the INV pattern is reported at its value",
			yaml: "invariants:\n  - {id: inv-1, title: Invoices balance, owner: billing, severity: high, max_age: 24h}\n",
			want: "aeso.yaml:2:10: invariants[0].id: must look like INV-BILLING-001: capital letters and digits in dash-separated parts, at most 64 characters",
		},
		{
			name: "a missing invariant owner is reported at the invariant it belongs to",
			yaml: `invariants:
  - id: INV-BILLING-001
    title: Invoices balance
    severity: high
    max_age: 24h
`,
			want: "aeso.yaml:2:5: invariants[0].owner: is required (the team that answers for it), at most 128 characters",
		},
		{
			name: "an unknown invariant severity is reported at its value",
			yaml: "invariants:\n  - {id: INV-BILLING-001, title: Invoices balance, owner: billing, severity: urgent, max_age: 24h}\n",
			want: "aeso.yaml:2:78: invariants[0].severity: must be one of info, low, medium, high, critical",
		},
		{
			name: "a max_age that is not a Go duration is reported at its value",
			yaml: `invariants:
  - id: INV-BILLING-001
    title: Invoices balance
    owner: billing
    severity: high
    max_age: 1 day
`,
			want: "aeso.yaml:6:14: invariants[0].max_age: \"1 day\" is not a duration; use a Go duration such as 30m, 24h or 168h (units ns, us, ms, s, m, h; no days)",
		},
		{
			name: "a bad max_age behind an alias is reported at the alias",
			yaml: `invariants:
  - {id: INV-BILLING-001, title: Invoices balance, owner: billing, severity: high, max_age: 24h}
  - {id: INV-BILLING-002, title: Credits balance, owner: billing, severity: high, max_age: &day 1d}
  - {id: INV-BILLING-003, title: Refunds balance, owner: billing, severity: high, max_age: *day}
`,
			want: `aeso.yaml:3:92: invariants[1].max_age: "1d" is not a duration; use a Go duration such as 30m, 24h or 168h (units ns, us, ms, s, m, h; no days)
aeso.yaml:4:92: invariants[2].max_age: "1d" is not a duration; use a Go duration such as 30m, 24h or 168h (units ns, us, ms, s, m, h; no days)`,
		},
		{
			name: "a max_age that is not a scalar is reported at its value",
			yaml: "invariants:\n  - {id: INV-BILLING-001, title: Invoices balance, owner: billing, severity: high, max_age: [24h]}\n",
			want: "aeso.yaml:2:93: invariants[0].max_age: must be a duration; use a Go duration such as 30m, 24h or 168h (units ns, us, ms, s, m, h; no days)",
		},
		{
			name: "a missing max_age is reported at the invariant it belongs to",
			yaml: "invariants:\n  - id: INV-BILLING-001\n    title: Invoices balance\n    owner: billing\n    severity: high\n",
			want: "aeso.yaml:2:5: invariants[0].max_age: is required in whole seconds, at least 1s: how old a result may be before the invariant is stale, e.g. 24h",
		},
		{
			name: "a flag that is not a boolean is reported without Go type names",
			yaml: "invariants:\n  - {id: INV-BILLING-001, title: Invoices balance, owner: billing, severity: high, critical: maybe, max_age: 24h}\n",
			want: "aeso.yaml:2:94: invariants[0].critical: must be true or false",
		},
		{
			name: "an invariant defined twice is reported at the second id",
			yaml: `invariants:
  - {id: INV-BILLING-001, title: Invoices balance, owner: billing, severity: high, max_age: 24h}
  - id: INV-BILLING-001
    title: Invoices still balance
    owner: billing
    severity: high
    max_age: 1h
`,
			want: "aeso.yaml:3:9: invariants[1].id: invariant INV-BILLING-001 is already defined at line 2",
		},
		{
			name: "an unknown invariant field is reported at its key",
			yaml: "invariants:\n  - {id: INV-BILLING-001, title: Invoices balance, owner: billing, severity: high, max_age: 24h, stale_after: 1h}\n",
			want: "aeso.yaml:2:98: invariants[0].stale_after: unknown field \"stale_after\"",
		},
		{
			name: "an empty invariant item is reported at its dash",
			yaml: "invariants:\n  -\n",
			want: "aeso.yaml:2:3: invariants[0]: is empty; expected an invariant definition",
		},
		{
			name: "a bad component name is reported at its value",
			yaml: "components:\n  - {name: API, owner: platform, stale_after: 5m, dead_after: 30m}\n",
			want: "aeso.yaml:2:12: components[0].name: must be lowercase letters, digits, '.', '_' or '-', at most 64 characters",
		},
		{
			name: "a missing component owner is reported at the component",
			yaml: `components:
  - name: api
    stale_after: 5m
    dead_after: 30m
`,
			want: "aeso.yaml:2:5: components[0].owner: is required (the team that answers for it), at most 128 characters",
		},
		{
			name: "a dead_after not beyond stale_after is reported at dead_after",
			yaml: `components:
  - name: api
    owner: platform
    stale_after: 30m
    dead_after: 30m
`,
			want: "aeso.yaml:5:17: components[0].dead_after: is required and must exceed stale_after: how long without a report before it counts as down (e.g. 30m)",
		},
		{
			name: "a component duration that is not a Go duration is reported at its value",
			yaml: `components:
  - name: api
    owner: platform
    stale_after: 5m
    dead_after: 1 day
`,
			want: "aeso.yaml:5:17: components[0].dead_after: \"1 day\" is not a duration; use a Go duration such as 30m, 24h or 168h (units ns, us, ms, s, m, h; no days)",
		},
		{
			name: "a component defined twice is reported at the second name",
			yaml: `components:
  - {name: api, owner: platform, stale_after: 5m, dead_after: 30m}
  - name: api
    owner: payments
    stale_after: 1m
    dead_after: 10m
`,
			want: "aeso.yaml:3:11: components[1].name: component api is already defined at line 2",
		},
		{
			name: "an unknown component field is reported at its key",
			yaml: "components:\n  - {name: api, owner: platform, stale_after: 5m, dead_after: 30m, max_age: 1h}\n",
			want: "aeso.yaml:2:68: components[0].max_age: unknown field \"max_age\"",
		},
		{
			name: "an empty component item is reported at its dash",
			yaml: "components:\n  -\n",
			want: "aeso.yaml:2:3: components[0]: is empty; expected a component definition",
		},
		{
			name: "an unknown evidence kind is reported at its value",
			yaml: billingInvariant + `gates:
  - name: release
    rules:
      - {evidence: {kind: pentest, max_age: 168h}}
`,
			want: "aeso.yaml:6:27: gates[0].rules[0].evidence.kind: must be one of release, uat, security, drill, guard, smoke, operator, incident",
		},
		{
			name: "a rule with two kinds is reported at the rule",
			yaml: billingInvariant + `gates:
  - name: release
    rules:
      - {guards: blocking}
      - evidence: {kind: security}
        invariants: [INV-BILLING-001]
`,
			want: "aeso.yaml:7:9: gates[0].rules[1]: must have exactly one of evidence, invariants, guards, components, reconciliation",
		},
		{
			name: "a block_age below max_age is reported at the block_age",
			yaml: billingInvariant + `gates:
  - name: release
    rules:
      - evidence:
          kind: security
          max_age: 336h
          block_age: 168h
`,
			want: "aeso.yaml:9:22: gates[0].rules[0].evidence.block_age: must be at least max_age: evidence warns when older than max_age and blocks when older than block_age",
		},
		{
			name: "an age that is not a Go duration is reported at its value",
			yaml: billingInvariant + `gates:
  - name: release
    rules:
      - {evidence: {kind: security, max_age: 7d}}
`,
			want: "aeso.yaml:6:46: gates[0].rules[0].evidence.max_age: \"7d\" is not a duration; use a Go duration such as 30m, 24h or 168h (units ns, us, ms, s, m, h; no days)",
		},
		{
			name: "an evidence state other than sealed is reported at its value",
			yaml: billingInvariant + `gates:
  - name: release
    rules:
      - {evidence: {kind: security, state: open}}
`,
			want: "aeso.yaml:6:44: gates[0].rules[0].evidence.state: must be sealed: a gate counts only sealed bundles (use stage for a promotion)",
		},
		{
			name: "an invariant the file does not define is reported at its ID",
			yaml: billingInvariant + `gates:
  - name: release
    rules:
      - invariants:
          - INV-BILLING-001
          - INV-BILLING-002
`,
			want: "aeso.yaml:8:13: gates[0].rules[0].invariants[1]: invariant INV-BILLING-002 is not defined in invariants",
		},
		{
			name: "a gate defined twice is reported at the second name",
			yaml: billingInvariant + `gates:
  - name: release
    rules: [{guards: blocking}]
  - name: release
    rules: [{guards: all}]
`,
			want: "aeso.yaml:6:11: gates[1].name: gate release is already defined at line 4",
		},
		{
			name: "a guards scalar other than blocking or all is reported at its value",
			yaml: billingInvariant + `gates:
  - name: release
    rules:
      - guards: strict
`,
			want: "aeso.yaml:6:17: gates[0].rules[0].guards: \"strict\" is not a guards form; write guards: blocking (or all) for every guard that reported, a list of guard names such as [lint, policy], or {names: [lint, policy]}",
		},
		{
			name: "a guard name that is not a name is reported at the guards",
			yaml: billingInvariant + `gates:
  - name: release
    rules:
      - {guards: {names: [lint, Policy]}}
`,
			want: "aeso.yaml:6:18: gates[0].rules[0].guards: \"Policy\" is not a guard name: lowercase letters, digits, '.', '_' or '-', at most 64 characters",
		},
		{
			name: "an empty guards is reported at its key",
			yaml: billingInvariant + `gates:
  - name: release
    rules:
      - guards:
`,
			want: "aeso.yaml:6:9: gates[0].rules[0].guards: is empty; write guards: blocking (or all) for every guard that reported, a list of guard names such as [lint, policy], or {names: [lint, policy]}",
		},
		{
			name: "a component the file does not define is reported at its name",
			yaml: apiComponent + `gates:
  - name: release
    rules:
      - {components: [api, billing]}
`,
			want: "aeso.yaml:6:28: gates[0].rules[0].components[1]: component billing is not defined in components",
		},
		{
			name: "a component whose definition is broken is not blamed on the gate",
			yaml: `components:
  - {name: worker, owner: platform, stale_after: 5x, dead_after: 10m}
gates:
  - name: release
    rules:
      - {components: [worker]}
`,
			want: "aeso.yaml:2:50: components[0].stale_after: \"5x\" is not a duration; use a Go duration such as 30m, 24h or 168h (units ns, us, ms, s, m, h; no days)",
		},
		{
			name: "a component listed twice is reported at the second",
			yaml: apiComponent + `gates:
  - name: release
    rules:
      - components:
          - api
          - api
`,
			want: "aeso.yaml:8:13: gates[0].rules[0].components[1]: component api is listed twice",
		},
		{
			name: "a component name that is not a name is reported at it",
			yaml: apiComponent + `gates:
  - name: release
    rules:
      - {components: [API]}
`,
			want: "aeso.yaml:6:23: gates[0].rules[0].components[0]: must be a component name: lowercase letters, digits, '.', '_' or '-', at most 64 characters",
		},
		{
			name: "an empty components list is reported at its key",
			yaml: apiComponent + `gates:
  - name: release
    rules:
      - components: []
`,
			want: "aeso.yaml:6:9: gates[0].rules[0].components: lists no components; name at least one component defined in components, such as [api, worker]",
		},
		{
			name: "components that are not a list are reported at the value",
			yaml: apiComponent + `gates:
  - name: release
    rules:
      - components: api
`,
			want: "aeso.yaml:6:21: gates[0].rules[0].components: must be a list",
		},
		{
			name: "an unknown max_open_severity is reported at its value",
			yaml: `gates:
  - name: release
    rules:
      - reconciliation: {max_open_severity: urgent}
`,
			want: "aeso.yaml:4:45: gates[0].rules[0].reconciliation.max_open_severity: must be one of none, low, medium, high, critical",
		},
		{
			name: "a missing max_open_severity is reported at the reconciliation key",
			yaml: `gates:
  - name: release
    rules:
      - reconciliation: {}
`,
			want: "aeso.yaml:4:9: gates[0].rules[0].reconciliation.max_open_severity: is required: the highest severity an open record may have without blocking, one of none, low, medium, high, critical (none: any open record blocks)",
		},
		{
			name: "an empty reconciliation is reported at its key",
			yaml: `gates:
  - name: release
    rules:
      - reconciliation:
`,
			want: "aeso.yaml:4:9: gates[0].rules[0].reconciliation: is empty; write reconciliation: {max_open_severity: medium}",
		},
		{
			name: "an unknown reconciliation field is reported at its key",
			yaml: apiComponent + `gates:
  - name: release
    rules:
      - reconciliation: {max_open_severity: medium, components: [api]}
`,
			want: "aeso.yaml:6:53: gates[0].rules[0].reconciliation.components: unknown field \"components\"",
		},
		{
			name: "an unknown rule field is reported at its key",
			yaml: billingInvariant + `gates:
  - name: release
    rules:
      - {guards: blocking, mode: warn}
`,
			want: "aeso.yaml:6:28: gates[0].rules[0].mode: unknown field \"mode\"",
		},
		{
			name: "a gate without rules is reported at the gate",
			yaml: "gates:\n  - name: release\n",
			want: "aeso.yaml:2:5: gates[0].rules: a gate needs at least one rule",
		},
		{
			name: "an empty gate item is reported at its dash",
			yaml: "gates:\n  -\n",
			want: "aeso.yaml:2:3: gates[0]: is empty; expected a gate definition",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("aeso.yaml", []byte(tt.yaml), opt)
			var cerr *Error
			if !errors.As(err, &cerr) {
				t.Fatalf("Parse() = %+v, %v; want a *config.Error", cfg, err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Parse() error =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
