// Package gate holds release gates: named rule sets over stored evidence,
// invariant results, guard reports, component status and reconciliation
// records that give a pass or block verdict with one reason per rule. It
// imports no database driver and no net/http.
package gate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/component"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/invariant"
	"github.com/aeso-dev/aeso/internal/judge"
)

var namePattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$`)

// Def is a gate's definition, from the config's gates section. Its JSON
// (with its rules') is what Version hashes, so it stays as it is: a
// change to a tag would change every gate's version.
type Def struct {
	Name           string `json:"name" yaml:"name"`
	AffectsPosture bool   `json:"affects_posture" yaml:"affects_posture"`
	Rules          []Rule `json:"rules" yaml:"rules"`
}

// Rule is one condition of a gate. Exactly one of its kinds is set. Every
// kind is omitted from the JSON form when unset, so adding a kind leaves
// the version of the gates that do not use it unchanged.
type Rule struct {
	Name        string        `json:"name,omitempty" yaml:"name"` // default: derived from the kind
	Evidence    *EvidenceRule `json:"evidence,omitempty" yaml:"evidence"`
	Invariants  []string      `json:"invariants,omitempty" yaml:"invariants"`
	Environment string        `json:"environment,omitempty" yaml:"environment"` // for invariants
	Guards      *GuardsRule   `json:"guards,omitempty" yaml:"guards"`
	// Components names components that must be up, healthy and reporting.
	Components     []string            `json:"components,omitempty" yaml:"components"`
	Reconciliation *ReconciliationRule `json:"reconciliation,omitempty" yaml:"reconciliation"`
}

// EvidenceRule asks for a sealed bundle of a kind for the subject.
type EvidenceRule struct {
	Kind     string        `json:"kind" yaml:"kind"`
	Stage    string        `json:"stage,omitempty" yaml:"stage"`         // promoted to this stage
	MaxAge   aeso.Duration `json:"max_age,omitempty" yaml:"max_age"`     // older: warn
	BlockAge aeso.Duration `json:"block_age,omitempty" yaml:"block_age"` // older: block
	// AllowFailing accepts a bundle whose items failed; an item that
	// errored (did not run to its end) blocks either way.
	AllowFailing bool `json:"allow_failing,omitempty" yaml:"allow_failing"`
}

// GuardsRule judges the latest report of each guard for the subject by its
// mode: open findings in blocking mode block, in warn mode warn. Names,
// when given, limit it to those guards and require a report from each.
type GuardsRule struct {
	Names []string `json:"names,omitempty" yaml:"names"`
}

// ReconciliationRule judges the open reconciliation records: a record above
// MaxOpenSeverity, or one in state blocked, blocks; others warn. A record
// accepted until a time still ahead does not count.
type ReconciliationRule struct {
	MaxOpenSeverity string `json:"max_open_severity" yaml:"max_open_severity"`
}

// SeverityNone as max_open_severity lets no open record through.
const SeverityNone = judge.SeverityNone

// MaxOpenSeverities lists what max_open_severity accepts, most strict first.
var MaxOpenSeverities = judge.MaxOpenSeverities

// Kind names the rule's kind.
func (r *Rule) Kind() string {
	switch {
	case r.Evidence != nil:
		return "evidence"
	case len(r.Invariants) > 0:
		return "invariants"
	case r.Guards != nil:
		return "guards"
	case len(r.Components) > 0:
		return "components"
	case r.Reconciliation != nil:
		return "reconciliation"
	}
	return ""
}

// Key is the rule's stable name within its gate: waivers name it.
func (r *Rule) Key() string {
	if r.Name != "" {
		return r.Name
	}
	switch r.Kind() {
	case "evidence":
		return "evidence-" + r.Evidence.Kind
	case "invariants":
		env := r.Environment
		if env == "" {
			env = "any"
		}
		return "invariants-" + env
	}
	return r.Kind()
}

// Validate returns problems with fields relative to the definition
// ("rules[1].evidence.kind") so the config loader can point at the line.
func (d *Def) Validate() []aeso.FieldError {
	var v aeso.Validation
	if !namePattern.MatchString(d.Name) {
		v.Add("name", "pattern", "must be lowercase letters, digits, '.', '_' or '-', at most 64 characters")
	}
	if len(d.Rules) == 0 {
		v.Add("rules", "required", "a gate needs at least one rule")
	}
	keys := map[string]bool{}
	for i := range d.Rules {
		r := &d.Rules[i]
		f := fmt.Sprintf("rules[%d]", i)
		kinds := 0
		for _, set := range []bool{r.Evidence != nil, len(r.Invariants) > 0, r.Guards != nil,
			len(r.Components) > 0, r.Reconciliation != nil} {
			if set {
				kinds++
			}
		}
		if kinds != 1 {
			v.Add(f, "kind", "must have exactly one of evidence, invariants, guards, components, reconciliation")
			continue
		}
		if r.Name != "" && !namePattern.MatchString(r.Name) {
			v.Add(f+".name", "pattern", "must be lowercase letters, digits, '.', '_' or '-'")
		}
		if keys[r.Key()] {
			v.Add(f+".name", "duplicate", "two rules are both called %q; name one of them", r.Key())
		}
		keys[r.Key()] = true
		switch r.Kind() {
		case "evidence":
			e := r.Evidence
			if !slices.Contains(evidence.Kinds, e.Kind) {
				v.Add(f+".evidence.kind", "enum", "must be one of %s", strings.Join(evidence.Kinds, ", "))
			}
			if e.MaxAge.Duration < 0 || e.BlockAge.Duration < 0 {
				v.Add(f+".evidence.max_age", "negative", "ages must be positive")
			}
			if e.MaxAge.Duration > 0 && e.BlockAge.Duration > 0 && e.BlockAge.Duration < e.MaxAge.Duration {
				v.Add(f+".evidence.block_age", "order", "must be at least max_age: evidence warns when older than max_age and blocks when older than block_age")
			}
		case "invariants":
			for j, id := range r.Invariants {
				if !invariant.IDPattern.MatchString(id) {
					v.Add(fmt.Sprintf("%s.invariants[%d]", f, j), "pattern", "must be an invariant ID such as INV-BILLING-001")
				}
			}
		case "components":
			for j, name := range r.Components {
				field := fmt.Sprintf("%s.components[%d]", f, j)
				switch {
				case !component.NamePattern.MatchString(name):
					v.Add(field, "pattern", "must be a component name: lowercase letters, digits, '.', '_' or '-', at most 64 characters")
				case slices.Contains(r.Components[:j], name):
					v.Add(field, "duplicate", "component %s is listed twice", name)
				}
			}
		case "reconciliation":
			field, sev := f+".reconciliation.max_open_severity", r.Reconciliation.MaxOpenSeverity
			switch {
			case sev == "":
				v.Add(field, "required", "is required: the highest severity an open record may have without blocking, one of %s (none: any open record blocks)",
					strings.Join(MaxOpenSeverities, ", "))
			case !slices.Contains(MaxOpenSeverities, sev):
				v.Add(field, "enum", "must be one of %s", strings.Join(MaxOpenSeverities, ", "))
			}
		}
	}
	return v.Fields
}

// Version is a hash of the rule's definition: a waiver keeps the version
// of the rule it excuses, and excuses nothing once the rule has changed.
func (r *Rule) Version() string {
	b, _ := json.Marshal(r) // a Rule always encodes
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}

// Version identifies a rule set: the first 12 hex digits of the sha256 of
// its JSON form. A result names the version it was evaluated under.
func (d *Def) Version() string {
	b, _ := json.Marshal(d) // a Def always encodes
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}
