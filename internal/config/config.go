// Package config loads aeso's definitions file (--config): the YAML that
// declares actions today and invariants, components and gates later. Every
// problem is reported with its file, line and column so an operator can fix
// the file without guessing which list item is meant.
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

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/aeso-dev/aeso/internal/audit"
)

// Config is aeso's definitions file (--config). Only the actions section
// exists today; invariants, components and gates will be added as sections
// later.
type Config struct {
	Path    string // file it was read from, "" when none
	Actions []audit.ActionDef
}

// Options tune loading.
type Options struct {
	// ReservedActions are built-in actions a file may not redefine; the
	// loader rejects them here so the error can point at a line, rather than
	// later when the registry is built and the position is lost.
	ReservedActions []string
}

// document is the top level of the file. Actions are kept as nodes so each
// one is decoded on its own: one bad action must not hide the problems of
// the others.
type document struct {
	Actions []ast.Node `yaml:"actions"`
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
	cfg.Actions = p.load()
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

func (l *loader) load() []audit.ActionDef {
	if len(l.file.Docs) == 0 || l.file.Docs[0].Body == nil {
		return nil // an empty file (or only comments) defines nothing
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

	// One decoder for the whole file so anchors defined in one action can be
	// used by aliases in a later one.
	dec := yaml.NewDecoder(bytes.NewReader(nil), yaml.DisallowUnknownField())
	var doc document
	if err := dec.DecodeFromNode(body, &doc); err != nil {
		l.errs.add(problemFromYAML(err, body, ""))
		// An unknown top-level key still leaves the actions decoded, so
		// carry on and report their problems too.
	}

	var defs []audit.ActionDef
	firstLine := map[string]int{} // action -> line of its first definition
	for i, node := range doc.Actions {
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
