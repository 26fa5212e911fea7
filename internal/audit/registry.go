package audit

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/aeso-dev/aeso"
)

// CategoryPlatform is the category of aeso's own privileged actions.
const CategoryPlatform = "Platform"

// CategoryUncategorized is the category of actions missing from the registry.
const CategoryUncategorized = "Uncategorized"

var (
	actionPattern   = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)
	categoryPattern = regexp.MustCompile(`^[A-Z][A-Za-z0-9 _-]{0,63}$`)
	placeholderRE   = regexp.MustCompile(`\{([^{}]*)\}`)
)

// SummaryPlaceholders are the names a summary template may use.
var SummaryPlaceholders = []string{"actor", "target", "target_type", "action", "result"}

// SeverityPair is the severity of an action on success and on failure
// (a denied attempt counts as a failure).
type SeverityPair struct {
	Success string `yaml:"success"`
	Failure string `yaml:"failure"`
}

// ActionDef is the presentation rule of one action.
type ActionDef struct {
	Action          string       `yaml:"action"`
	Category        string       `yaml:"category"`
	Family          string       `yaml:"family"`
	Label           string       `yaml:"label"`
	TargetTypeLabel string       `yaml:"target_type_label"`
	Severity        SeverityPair `yaml:"severity"`
	SafeDetails     []string     `yaml:"safe_details"`
	Summary         string       `yaml:"summary"`
	BuiltIn         bool         `yaml:"-"`
}

// Validate returns one FieldError per problem; field names are relative to
// the definition ("severity.success", "safe_details[1]") so the config loader
// can point at the YAML line.
func (d *ActionDef) Validate() []aeso.FieldError {
	var v aeso.Validation
	if d.Action == "" {
		v.Add("action", "required", "is required")
	} else if len(d.Action) > 128 || !actionPattern.MatchString(d.Action) {
		v.Add("action", "pattern", "must be lowercase dotted words (e.g. credentials.api_key.rotate), at most 128 characters")
	} else if !d.BuiltIn && strings.HasPrefix(d.Action, ReservedPrefix) && !builtIn(d.Action) {
		// (A built-in name is refused as a redefinition, by the config.)
		v.Add("action", "reserved", "actions under %q are aeso's own; name yours after what they act on (e.g. credentials.api_key.rotate)", ReservedPrefix)
	}
	if d.Category == "" {
		v.Add("category", "required", "is required (Access, Finance, Fleet, Operations, Platform or your own)")
	} else if !categoryPattern.MatchString(d.Category) {
		v.Add("category", "pattern", "must start with a capital letter and be at most 64 letters, digits, spaces, '_' or '-'")
	} else if d.Category == CategoryUncategorized {
		v.Add("category", "reserved", "%q is reserved for unregistered actions", CategoryUncategorized)
	}
	for field, s := range map[string]string{"family": d.Family, "label": d.Label, "target_type_label": d.TargetTypeLabel} {
		if s == "" && field == "label" {
			v.Add(field, "required", "is required")
		} else if len(s) > 128 {
			v.Add(field, "too_long", "must be at most 128 characters")
		}
	}
	if !validSeverity(d.Severity.Success) {
		v.Add("severity.success", "enum", "must be one of %s", strings.Join(aeso.Severities, ", "))
	}
	if !validSeverity(d.Severity.Failure) {
		v.Add("severity.failure", "enum", "must be one of %s", strings.Join(aeso.Severities, ", "))
	}
	seen := map[string]bool{}
	for i, k := range d.SafeDetails {
		f := fmt.Sprintf("safe_details[%d]", i)
		switch {
		case k == "" || len(k) > 64:
			v.Add(f, "invalid", "must be a metadata key of 1 to 64 characters")
		case seen[k]:
			v.Add(f, "duplicate", "key %q is listed twice", k)
		}
		seen[k] = true
	}
	if len(d.Summary) > 256 {
		v.Add("summary", "too_long", "must be at most 256 characters")
	}
	for _, m := range placeholderRE.FindAllStringSubmatch(d.Summary, -1) {
		if !slices.Contains(SummaryPlaceholders, m[1]) {
			v.Add("summary", "placeholder", "unknown placeholder {%s}; use {%s}", m[1], strings.Join(SummaryPlaceholders, "}, {"))
		}
	}
	// A brace outside a placeholder ("{target", "{{actor}}") would be
	// shown as written in every summary of the action.
	if rest := placeholderRE.ReplaceAllString(d.Summary, ""); strings.ContainsAny(rest, "{}") {
		v.Add("summary", "placeholder", "has a { or } outside a placeholder: write placeholders as {actor}, one pair of braces each")
	}
	return v.Fields
}

func validSeverity(s string) bool { return aeso.SeverityRank(s) >= 0 }

// Registry maps actions to their presentation rules. It is immutable once
// built, so readers need no lock.
type Registry struct {
	defs     []ActionDef
	byAction map[string]*ActionDef
}

// NewRegistry builds a registry from built-in and configured definitions.
// Definitions must already be valid; a duplicate action is an error.
func NewRegistry(defs ...[]ActionDef) (*Registry, error) {
	r := &Registry{byAction: map[string]*ActionDef{}}
	for _, set := range defs {
		for _, d := range set {
			if prev, ok := r.byAction[d.Action]; ok {
				if prev.BuiltIn {
					return nil, aeso.Errorf(aeso.EINVALID, "action %s is built in and cannot be redefined", d.Action)
				}
				return nil, aeso.Errorf(aeso.EINVALID, "action %s is defined twice", d.Action)
			}
			if d.SafeDetails == nil {
				d.SafeDetails = []string{}
			}
			r.defs = append(r.defs, d)
			r.byAction[d.Action] = nil // claimed; pointers are set once the slice stops growing
		}
	}
	sort.SliceStable(r.defs, func(i, j int) bool { return r.defs[i].Action < r.defs[j].Action })
	for i := range r.defs {
		r.byAction[r.defs[i].Action] = &r.defs[i]
	}
	return r, nil
}

// Lookup returns the rule for an action, or nil when it is unregistered.
func (r *Registry) Lookup(action string) *ActionDef { return r.byAction[action] }

// All returns every definition, sorted by action.
func (r *Registry) All() []ActionDef { return append([]ActionDef(nil), r.defs...) }

// ActionsInCategory lists the registered actions of a category.
func (r *Registry) ActionsInCategory(category string) []string {
	var out []string
	for _, d := range r.defs {
		if strings.EqualFold(d.Category, category) {
			out = append(out, d.Action)
		}
	}
	return out
}

// Categories lists the categories of registered actions, sorted.
func (r *Registry) Categories() []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range r.defs {
		if !seen[d.Category] {
			seen[d.Category] = true
			out = append(out, d.Category)
		}
	}
	sort.Strings(out)
	return out
}

// RegisteredActions lists every registered action.
func (r *Registry) RegisteredActions() []string {
	out := make([]string, 0, len(r.defs))
	for _, d := range r.defs {
		out = append(out, d.Action)
	}
	return out
}

// builtIn reports whether action is one of aeso's own.
func builtIn(action string) bool {
	for _, d := range BuiltinActions() {
		if d.Action == action {
			return true
		}
	}
	return false
}
