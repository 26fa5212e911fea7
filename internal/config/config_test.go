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

// problemCase is a file and the problems Parse must report for it.
type problemCase struct {
	name string
	yaml string
	want string
}

// runProblemCases checks that each file fails with exactly its problems.
func runProblemCases(t *testing.T, tests []problemCase) {
	t.Helper()
	opt := Options{ReservedActions: []string{"aeso.token.create"}}
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

func TestParseReportsProblemsAtTheirLine(t *testing.T) {
	t.Parallel()
	runProblemCases(t, []problemCase{
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
			name: "an unclosed or doubled brace in a summary is reported at the summary",
			yaml: `actions:
  - action: billing.invoice.void
    category: Finance
    label: Void invoice
    severity: {success: low, failure: high}
    summary: "{actor} did {{actor}} {target"
`,
			want: "aeso.yaml:6:14: actions[0].summary: has a { or } outside a placeholder: write placeholders as {actor}, one pair of braces each",
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
			name: "no action of the config may use aeso's namespace",
			yaml: `actions:
  - action: aeso.deploy.finish
    category: Platform
    label: Finish deploy
    severity: {success: low, failure: medium}
`,
			want: `aeso.yaml:2:13: actions[0].action: actions under "aeso." are aeso's own; name yours after what they act on (e.g. credentials.api_key.rotate)`,
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
	})
}
