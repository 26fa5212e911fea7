package config

import "testing"

func TestParseReportsGateProblemsAtTheirLine(t *testing.T) {
	t.Parallel()
	runProblemCases(t, []problemCase{
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
	})
}
