package config

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/aeso-dev/aeso/internal/component"
)

// componentDurations are the duration fields of a component definition, in
// the order they are written in DESIGN.md.
var componentDurations = []string{"stale_after", "dead_after"}

func (l *loader) loadComponents(dec *yaml.Decoder, nodes []ast.Node) []component.Def {
	var defs []component.Def
	firstLine := map[string]int{} // component name -> line of its first definition
	for i, node := range nodes {
		prefix := "components[" + strconv.Itoa(i) + "]"
		if node == nil || node.Type() == ast.NullType {
			l.problemAt(prefix, "is empty; expected a component definition")
			continue
		}
		var def component.Def
		if err := dec.DecodeFromNode(node, &def); err != nil {
			// goccy returns a TextUnmarshaler's error (a bad stale_after or
			// dead_after) bare, without the token it came from, so place
			// that one ourselves.
			var ye yaml.Error
			if errors.As(err, &ye) && ye.GetToken() != nil {
				l.errs.add(problemFromYAML(err, node, prefix))
				continue
			}
			placed := false
			for _, f := range componentDurations {
				if msg, bad := l.badDuration(prefix + "." + f); bad {
					l.problemAt(prefix+"."+f, msg)
					placed = true
				}
			}
			if !placed {
				l.errs.add(problemFromYAML(err, node, prefix))
			}
			continue
		}
		for _, fe := range def.Validate() {
			l.problemAt(prefix+"."+fe.Field, fe.Message)
		}
		if def.Name != "" {
			field := prefix + ".name"
			if first := firstLine[def.Name]; first != 0 {
				l.problemAt(field, fmt.Sprintf("component %s is already defined at line %d", def.Name, first))
			} else {
				firstLine[def.Name], _ = l.position(field)
			}
		}
		defs = append(defs, def)
	}
	return defs
}
