package config

import (
	"errors"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/aeso-dev/aeso/internal/status"
)

// loadStatus reads the status section: the environment invariants are
// judged in, and the snapshot schedule.
func (l *loader) loadStatus(dec *yaml.Decoder, node ast.Node) status.Config {
	var c status.Config
	if node == nil || node.Type() == ast.NullType {
		return c
	}
	if err := dec.DecodeFromNode(node, &c); err != nil {
		var ye yaml.Error
		if !errors.As(err, &ye) || ye.GetToken() == nil {
			if msg, bad := l.badDuration("status.snapshot_every"); bad {
				l.problemAt("status.snapshot_every", msg)
				return c
			}
		}
		l.errs.add(problemFromYAML(err, node, "status"))
		return c
	}
	for _, fe := range c.Validate() {
		l.problemAt("status."+fe.Field, fe.Message)
	}
	return c
}
