package config

import (
	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/aeso-dev/aeso/internal/auditlog"
)

// LogConfig is the log section: how the audit log names itself.
type LogConfig struct {
	// Origin names the log in its signed checkpoints and its key; empty
	// means the default (or --log-origin).
	Origin string `yaml:"origin"`
}

// loadLog reads the log section.
func (l *loader) loadLog(dec *yaml.Decoder, node ast.Node) LogConfig {
	var c LogConfig
	if node == nil || node.Type() == ast.NullType {
		return c
	}
	if err := dec.DecodeFromNode(node, &c); err != nil {
		l.errs.add(problemFromYAML(err, node, "log"))
		return c
	}
	if c.Origin != "" {
		if err := auditlog.CheckOrigin(c.Origin); err != nil {
			l.problemAt("log.origin", err.Error())
		}
	}
	return c
}
