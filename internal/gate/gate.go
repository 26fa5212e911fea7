// Package gate holds release gates: named rule sets over stored evidence,
// invariant results and guard reports that give a pass or block verdict
// with one reason per rule. It imports no database driver and no net/http.
package gate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/invariant"
)

var namePattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$`)

// Def is a gate's definition, from the config's gates section.
type Def struct {
	Name           string `json:"name" yaml:"name"`
	AffectsPosture bool   `json:"affects_posture" yaml:"affects_posture"`
	Rules          []Rule `json:"rules" yaml:"rules"`
}

// Rule is one condition of a gate. Exactly one of its kinds is set.
// Components and reconciliation records will be kinds of their own.
type Rule struct {
	Name        string        `json:"name,omitempty" yaml:"name"` // default: derived from the kind
	Evidence    *EvidenceRule `json:"evidence,omitempty" yaml:"evidence"`
	Invariants  []string      `json:"invariants,omitempty" yaml:"invariants"`
	Environment string        `json:"environment,omitempty" yaml:"environment"` // for invariants
	Guards      *GuardsRule   `json:"guards,omitempty" yaml:"guards"`
}

// EvidenceRule asks for a sealed bundle of a kind for the subject.
type EvidenceRule struct {
	Kind     string             `json:"kind" yaml:"kind"`
	Stage    string             `json:"stage,omitempty" yaml:"stage"`         // promoted to this stage
	MaxAge   invariant.Duration `json:"max_age,omitempty" yaml:"max_age"`     // older: warn
	BlockAge invariant.Duration `json:"block_age,omitempty" yaml:"block_age"` // older: block
	// AllowFailing accepts a bundle whose items failed; by default any item
	// that failed or errored blocks.
	AllowFailing bool `json:"allow_failing,omitempty" yaml:"allow_failing"`
}

// GuardsRule judges the latest report of each guard for the subject by its
// mode: open findings in blocking mode block, in warn mode warn. Names,
// when given, limit it to those guards and require a report from each.
type GuardsRule struct {
	Names []string `json:"names,omitempty" yaml:"names"`
}

// Kind names the rule's kind.
func (r *Rule) Kind() string {
	switch {
	case r.Evidence != nil:
		return "evidence"
	case len(r.Invariants) > 0:
		return "invariants"
	case r.Guards != nil:
		return "guards"
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
		for _, set := range []bool{r.Evidence != nil, len(r.Invariants) > 0, r.Guards != nil} {
			if set {
				kinds++
			}
		}
		if kinds != 1 {
			v.Add(f, "kind", "must have exactly one of evidence, invariants, guards")
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
			if !contains(evidence.Kinds, e.Kind) {
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
		}
	}
	return v.Fields
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Version identifies a rule set: the first 12 hex digits of the sha256 of
// its JSON form. A result names the version it was evaluated under.
func (d *Def) Version() string {
	b, _ := json.Marshal(d) // a Def always encodes
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}
