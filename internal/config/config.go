// Package config loads aeso's definitions file (--config): the YAML that
// declares actions, invariants, components and gates. Every problem is
// reported with its file, line and column so an operator can fix the file
// without guessing which list item is meant.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/component"
	"github.com/aeso-dev/aeso/internal/gate"
	"github.com/aeso-dev/aeso/internal/invariant"
	"github.com/aeso-dev/aeso/internal/status"
)

// Config is aeso's definitions file (--config): its actions, invariants,
// components and gates sections, and how the status is read.
type Config struct {
	Path       string // file it was read from, "" when none
	Actions    []audit.ActionDef
	Invariants []invariant.Def
	Components []component.Def
	Gates      []gate.Def
	Status     status.Config
	Log        LogConfig
	Console    ConsoleConfig
}

// Options tune loading.
type Options struct {
	// ReservedActions are built-in actions a file may not redefine; the
	// loader rejects them here so the error can point at a line, rather than
	// later when the registry is built and the position is lost.
	ReservedActions []string
}

// document is the top level of the file. List items are kept as nodes so
// each one is decoded on its own: one bad action or invariant must not hide
// the problems of the others.
type document struct {
	Actions    []ast.Node `yaml:"actions"`
	Invariants []ast.Node `yaml:"invariants"`
	Components []ast.Node `yaml:"components"`
	Gates      []ast.Node `yaml:"gates"`
	Status     ast.Node   `yaml:"status"`
	Log        ast.Node   `yaml:"log"`
	Console    ast.Node   `yaml:"console"`
}

// Load reads and validates the file at path.
func Load(path string, opt Options) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, data, opt)
}

// Parse validates data as if read from a file called name. A returned error
// that is not nil is an *Error listing every problem found.
func Parse(name string, data []byte, opt Options) (*Config, error) {
	cfg := &Config{Path: name}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		// The parser stops at the first syntax error, so there is nothing
		// reliable left to validate.
		e := &Error{File: name}
		e.add(problemFromYAML(err, nil, ""))
		return nil, e
	}
	p := &loader{file: file, errs: &Error{File: name}, opt: opt}
	p.load(cfg)
	if len(p.errs.Problems) > 0 {
		return nil, p.errs
	}
	return cfg, nil
}

// loader carries the parsed file and the problems found so far.
type loader struct {
	file *ast.File
	errs *Error
	opt  Options
}

func (l *loader) load(cfg *Config) {
	if len(l.file.Docs) == 0 || l.file.Docs[0].Body == nil {
		return // an empty file (or only comments) defines nothing
	}
	body := l.file.Docs[0].Body
	for _, doc := range l.file.Docs[1:] {
		// A second document would be silently ignored by the decoder; say so
		// instead of letting an operator wonder why its actions are missing.
		line, col := 1, 1
		if doc.Start != nil {
			line, col = tokenPosition(doc.Start)
		} else if doc.Body != nil {
			line, col = nodePosition(doc.Body)
		}
		l.errs.add(Problem{Line: line, Column: col, Message: "a config file holds a single YAML document"})
	}

	// One decoder for the whole file so anchors defined in one item can be
	// used by aliases in a later one.
	dec := yaml.NewDecoder(bytes.NewReader(nil), yaml.DisallowUnknownField())
	var doc document
	if err := dec.DecodeFromNode(body, &doc); err != nil {
		l.errs.add(problemFromYAML(err, body, ""))
		// An unknown top-level key still leaves the sections decoded, so
		// carry on and report their problems too.
	}
	cfg.Actions = l.loadActions(dec, doc.Actions)
	cfg.Invariants = l.loadInvariants(dec, doc.Invariants)
	cfg.Components = l.loadComponents(dec, doc.Components)
	cfg.Status = l.loadStatus(dec, doc.Status)
	cfg.Log = l.loadLog(dec, doc.Log)
	cfg.Console = l.loadConsole(dec, doc.Console)
	cfg.Gates = l.loadGates(dec, doc.Gates, cfg.Invariants, cfg.Components)
}

func (l *loader) loadActions(dec *yaml.Decoder, nodes []ast.Node) []audit.ActionDef {
	var defs []audit.ActionDef
	firstLine := map[string]int{} // action -> line of its first definition
	for i, node := range nodes {
		prefix := "actions[" + strconv.Itoa(i) + "]"
		if node == nil || node.Type() == ast.NullType {
			// A bare "-" decodes to nil, which goccy cannot decode from.
			l.problemAt(prefix, "is empty; expected an action definition")
			continue
		}
		var def audit.ActionDef
		if err := dec.DecodeFromNode(node, &def); err != nil {
			// A partly decoded definition would only add misleading
			// "is required" problems, so skip its semantic checks.
			l.errs.add(problemFromYAML(err, node, prefix))
			continue
		}
		for _, fe := range def.Validate() {
			l.problemAt(prefix+"."+fe.Field, fe.Message)
		}
		if def.Action != "" {
			l.checkUnique(prefix, def.Action, firstLine)
		}
		defs = append(defs, def)
	}
	return defs
}

func (l *loader) loadInvariants(dec *yaml.Decoder, nodes []ast.Node) []invariant.Def {
	var defs []invariant.Def
	firstLine := map[string]int{} // invariant ID -> line of its first definition
	for i, node := range nodes {
		prefix := "invariants[" + strconv.Itoa(i) + "]"
		if node == nil || node.Type() == ast.NullType {
			l.problemAt(prefix, "is empty; expected an invariant definition")
			continue
		}
		var def invariant.Def
		if err := dec.DecodeFromNode(node, &def); err != nil {
			// goccy returns a TextUnmarshaler's error (a bad max_age) bare,
			// without the token it came from, so place that one ourselves.
			var ye yaml.Error
			if errors.As(err, &ye) && ye.GetToken() != nil {
				l.errs.add(problemFromYAML(err, node, prefix))
			} else if msg, bad := l.badDuration(prefix + ".max_age"); bad {
				l.problemAt(prefix+".max_age", msg)
			} else {
				l.errs.add(problemFromYAML(err, node, prefix))
			}
			continue
		}
		for _, fe := range def.Validate() {
			l.problemAt(prefix+"."+fe.Field, fe.Message)
		}
		if def.ID != "" {
			field := prefix + ".id"
			if first := firstLine[def.ID]; first != 0 {
				l.problemAt(field, fmt.Sprintf("invariant %s is already defined at line %d", def.ID, first))
			} else {
				firstLine[def.ID], _ = l.position(field)
			}
		}
		defs = append(defs, def)
	}
	return defs
}

// durationHint is appended to every bad duration: Go durations have no day
// unit, which is the usual surprise.
const durationHint = "use a Go duration such as 30m, 24h or 168h (units ns, us, ms, s, m, h; no days)"

// badDuration reports whether the duration written at path cannot be
// parsed, and why. A value behind an alias is followed to its anchor.
func (l *loader) badDuration(path string) (string, bool) {
	node := l.resolveAlias(l.lookup(path))
	switch n := node.(type) {
	case nil:
		return "", false
	case *ast.NullNode:
		return "", false // Validate reports it as required
	case ast.ScalarNode:
		text := n.GetToken().Value
		if s, ok := n.(*ast.StringNode); ok {
			text = s.Value // without the quotes
		}
		if _, err := time.ParseDuration(text); err != nil {
			return fmt.Sprintf("%q is not a duration; %s", text, durationHint), true
		}
		return "", false
	default:
		return "must be a duration; " + durationHint, true
	}
}

// resolveAlias follows an alias to the value of its anchor (the last one of
// that name written before it, as YAML defines), and unwraps an anchor.
func (l *loader) resolveAlias(node ast.Node) ast.Node {
	switch n := node.(type) {
	case *ast.AnchorNode:
		return l.resolveAlias(n.Value)
	case *ast.AliasNode:
		name := n.Value.GetToken().Value
		at := n.GetToken().Position.Offset
		var found ast.Node
		ast.Walk(visitFunc(func(v ast.Node) {
			if a, ok := v.(*ast.AnchorNode); ok && a.Name.GetToken().Value == name &&
				a.GetToken().Position.Offset < at {
				found = a.Value
			}
		}), l.file.Docs[0].Body)
		if found == nil {
			return nil
		}
		return l.resolveAlias(found)
	}
	return node
}

// visitFunc adapts a function to ast.Visitor.
type visitFunc func(ast.Node)

func (f visitFunc) Visit(n ast.Node) ast.Visitor {
	f(n)
	return f
}

// checkUnique reports an action defined twice in the file or one that
// shadows a built-in, both of which the registry would refuse at start.
func (l *loader) checkUnique(prefix, action string, firstLine map[string]int) {
	field := prefix + ".action"
	line, _ := l.position(field)
	switch {
	case slices.Contains(l.opt.ReservedActions, action):
		l.problemAt(field, fmt.Sprintf("action %s is built in and cannot be redefined", action))
	case firstLine[action] != 0:
		l.problemAt(field, fmt.Sprintf("action %s is already defined at line %d", action, firstLine[action]))
	default:
		firstLine[action] = line
	}
}

// problemAt records a problem for a path, placed at the closest node the
// file actually has.
func (l *loader) problemAt(path, message string) {
	line, col := l.position(path)
	l.errs.add(Problem{Line: line, Column: col, Path: path, Message: message})
}

// problemFromYAML turns a goccy error into a Problem. root and prefix let the
// problem name the path of the offending node within the file.
func problemFromYAML(err error, root ast.Node, prefix string) Problem {
	var ye yaml.Error
	if !errors.As(err, &ye) || ye.GetToken() == nil {
		p := Problem{Line: 1, Column: 1, Path: prefix, Message: err.Error()}
		if root != nil {
			p.Line, p.Column = nodePosition(root)
		}
		return p
	}
	tk := ye.GetToken()
	p := Problem{Line: tk.Position.Line, Column: tk.Position.Column, Message: yamlMessage(ye)}
	p.Path = prefix
	if root != nil {
		if path, ok := pathOf(root, tk, prefix); ok {
			p.Path = path
		}
	}
	return p
}

// yamlMessage rewords the errors that would otherwise speak of Go types,
// which mean nothing to someone editing YAML.
func yamlMessage(ye yaml.Error) string {
	var te *yaml.TypeError
	if errors.As(ye, &te) && te.DstType != nil {
		switch te.DstType.Kind() {
		case reflect.String:
			return "must be a string"
		case reflect.Bool:
			return "must be true or false"
		case reflect.Slice, reflect.Array:
			return "must be a list"
		case reflect.Struct, reflect.Map:
			return "must be a mapping"
		}
	}
	var ne *yaml.UnexpectedNodeTypeError
	if errors.As(ye, &ne) {
		switch ne.Expected {
		case ast.StringType:
			return "must be a string"
		case ast.SequenceType:
			return "must be a list"
		case ast.MappingType:
			return "must be a mapping"
		}
	}
	return strings.TrimSpace(ye.GetMessage())
}
