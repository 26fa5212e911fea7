package config

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/component"
	"github.com/aeso-dev/aeso/internal/gate"
	"github.com/aeso-dev/aeso/internal/invariant"
)

// gateDoc is a gate as written in the file. It differs from gate.Def only
// where the file says more than the definition holds: an evidence rule may
// spell out "state: sealed".
type gateDoc struct {
	Name           string    `yaml:"name"`
	AffectsPosture bool      `yaml:"affects_posture"`
	Rules          []ruleDoc `yaml:"rules"`
}

type ruleDoc struct {
	Name           string                   `yaml:"name"`
	Evidence       *evidenceDoc             `yaml:"evidence"`
	Invariants     []string                 `yaml:"invariants"`
	Environment    string                   `yaml:"environment"`
	Guards         *guardsDoc               `yaml:"guards"`
	Components     []string                 `yaml:"components"`
	Reconciliation *gate.ReconciliationRule `yaml:"reconciliation"`
}

type evidenceDoc struct {
	Kind         string        `yaml:"kind"`
	State        string        `yaml:"state"` // only sealed bundles count; "sealed" may be written out
	Stage        string        `yaml:"stage"`
	MaxAge       aeso.Duration `yaml:"max_age"`
	BlockAge     aeso.Duration `yaml:"block_age"`
	AllowFailing bool          `yaml:"allow_failing"`
}

func (l *loader) loadGates(dec *yaml.Decoder, nodes []ast.Node, invariants []invariant.Def, components []component.Def) []gate.Def {
	defined := l.definedInvariants(invariants)
	definedComponents := l.definedComponents(components)
	var defs []gate.Def
	firstLine := map[string]int{} // gate name -> line of its first definition
	for i, node := range nodes {
		prefix := "gates[" + strconv.Itoa(i) + "]"
		if node == nil || node.Type() == ast.NullType {
			l.problemAt(prefix, "is empty; expected a gate definition")
			continue
		}
		var doc gateDoc
		if err := dec.DecodeFromNode(node, &doc); err != nil {
			l.gateDecodeProblems(err, node, prefix)
			continue
		}
		def, skip := l.gateDef(doc, prefix)
		for _, fe := range def.Validate() {
			// A rule already reported for its kind would only get a second,
			// vaguer "exactly one of" problem.
			if skip[fe.Field] {
				continue
			}
			l.problemAt(prefix+"."+fe.Field, fe.Message)
		}
		for j, r := range def.Rules {
			for k, id := range r.Invariants {
				if invariant.IDPattern.MatchString(id) && !defined[id] {
					l.problemAt(fmt.Sprintf("%s.rules[%d].invariants[%d]", prefix, j, k),
						fmt.Sprintf("invariant %s is not defined in invariants", id))
				}
			}
			for k, name := range r.Components {
				if component.NamePattern.MatchString(name) && !definedComponents[name] {
					l.problemAt(fmt.Sprintf("%s.rules[%d].components[%d]", prefix, j, k),
						fmt.Sprintf("component %s is not defined in components", name))
				}
			}
		}
		if def.Name != "" {
			field := prefix + ".name"
			if first := firstLine[def.Name]; first != 0 {
				l.problemAt(field, fmt.Sprintf("gate %s is already defined at line %d", def.Name, first))
			} else {
				firstLine[def.Name], _ = l.position(field)
			}
		}
		defs = append(defs, def)
	}
	return defs
}

// gateDef turns a decoded gate into its definition, reporting what the file
// says that the definition cannot hold. skip holds the Validate field
// ("rules[3]") of each rule already reported for its kind: an empty guards,
// components or reconciliation.
func (l *loader) gateDef(doc gateDoc, prefix string) (gate.Def, map[string]bool) {
	def := gate.Def{Name: doc.Name, AffectsPosture: doc.AffectsPosture}
	skip := map[string]bool{}
	for j, rd := range doc.Rules {
		field := "rules[" + strconv.Itoa(j) + "]"
		path := prefix + "." + field
		r := gate.Rule{Name: rd.Name, Invariants: rd.Invariants, Environment: rd.Environment, Guards: (*gate.GuardsRule)(rd.Guards),
			Components: rd.Components, Reconciliation: rd.Reconciliation}
		if e := rd.Evidence; e != nil {
			if e.State != "" && e.State != "sealed" {
				l.problemAt(path+".evidence.state", "must be sealed: a gate counts only sealed bundles (use stage for a promotion)")
			}
			r.Evidence = &gate.EvidenceRule{Kind: e.Kind, Stage: e.Stage, MaxAge: e.MaxAge, BlockAge: e.BlockAge, AllowFailing: e.AllowFailing}
		}
		if len(rd.Components) == 0 && l.keyNode(path+".components") != nil {
			l.problemAtKey(path+".components", "lists no components; name at least one component defined in components, such as [api, worker]")
			skip[field] = true
		}
		if rd.Reconciliation == nil && l.keyNode(path+".reconciliation") != nil {
			l.problemAtKey(path+".reconciliation", "is empty; write reconciliation: {max_open_severity: medium}")
			skip[field] = true
		}
		if rd.Guards == nil && l.keyNode(path+".guards") != nil {
			// goccy leaves the pointer nil for a null without asking
			// guardsDoc, so ask it here for its word on an empty value.
			msg := "is empty"
			if err := new(guardsDoc).UnmarshalYAML([]byte("null")); err != nil {
				msg = err.Error()
			}
			l.problemAtKey(path+".guards", msg)
			skip[field] = true
		}
		def.Rules = append(def.Rules, r)
	}
	return def, skip
}

// gateDecodeProblems reports why a gate could not be decoded. goccy returns
// the errors of a TextUnmarshaler (a bad age) and of a BytesUnmarshaler (a
// bad guards form) bare, without the token they came from, so those are
// found and placed here.
func (l *loader) gateDecodeProblems(err error, node ast.Node, prefix string) {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		l.errs.add(problemFromYAML(err, node, prefix))
		return
	}
	found := false
	rules, _ := l.resolveAlias(l.lookup(prefix + ".rules")).(*ast.SequenceNode)
	if rules != nil {
		for j := range rules.Values {
			rule := prefix + ".rules[" + strconv.Itoa(j) + "]"
			for _, age := range []string{".evidence.max_age", ".evidence.block_age"} {
				if msg, bad := l.badDuration(rule + age); bad {
					l.problemAt(rule+age, msg)
					found = true
				}
			}
			if msg, bad := l.badGuards(rule + ".guards"); bad {
				l.problemAt(rule+".guards", msg)
				found = true
			}
		}
	}
	if !found {
		l.errs.add(problemFromYAML(err, node, prefix))
	}
}

// badGuards reports whether the guards rule written at path is not one of
// its accepted forms, and why, by reading it as the decoder would.
func (l *loader) badGuards(path string) (string, bool) {
	node := l.resolveAlias(l.lookup(path))
	if node == nil || node.Type() == ast.NullType {
		return "", false
	}
	var g guardsDoc
	if err := g.UnmarshalYAML([]byte(node.String())); err != nil {
		return err.Error(), true
	}
	return "", false
}

// definedInvariants is every invariant ID the file defines, including those
// of definitions too broken to decode, so a gate naming one of them is not
// blamed for the invariant's own problem.
func (l *loader) definedInvariants(defs []invariant.Def) map[string]bool {
	ids := map[string]bool{}
	for _, d := range defs {
		ids[d.ID] = true
	}
	seq, _ := l.lookup("invariants").(*ast.SequenceNode)
	if seq == nil {
		return ids
	}
	for i := range seq.Values {
		if s, ok := l.resolveAlias(l.lookup("invariants[" + strconv.Itoa(i) + "].id")).(*ast.StringNode); ok {
			ids[s.Value] = true
		}
	}
	return ids
}

// definedComponents is every component name the file defines, including
// those of definitions too broken to decode, so a gate naming one of them is
// not blamed for the component's own problem.
func (l *loader) definedComponents(defs []component.Def) map[string]bool {
	names := map[string]bool{}
	for _, d := range defs {
		names[d.Name] = true
	}
	seq, _ := l.lookup("components").(*ast.SequenceNode)
	if seq == nil {
		return names
	}
	for i := range seq.Values {
		if s, ok := l.resolveAlias(l.lookup("components[" + strconv.Itoa(i) + "].name")).(*ast.StringNode); ok {
			names[s.Value] = true
		}
	}
	return names
}

// problemAtKey records a problem at the key of the setting at path rather
// than at its value: the key is what the operator should remove.
func (l *loader) problemAtKey(path, message string) {
	if key := l.keyNode(path); key != nil {
		line, col := tokenPosition(key.GetToken())
		l.errs.add(Problem{Line: line, Column: col, Path: path, Message: message})
		return
	}
	l.problemAt(path, message)
}
