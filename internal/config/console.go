package config

import (
	"net/url"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// ConsoleConfig is the console section: where an event's trace and
// request ids link to, and how long console sessions last.
type ConsoleConfig struct {
	// TraceURL is a URL template with {trace_id}, e.g.
	// https://grafana.example/explore?traceId={trace_id}.
	TraceURL string `yaml:"trace_url"`
	// RequestURL is a URL template with {request_id}, e.g. a Loki query.
	RequestURL string `yaml:"request_url"`
	// SessionIdle and SessionMax are Go durations ("30m", "12h"); empty
	// means the console's defaults.
	SessionIdle string `yaml:"session_idle"`
	SessionMax  string `yaml:"session_max"`

	// Idle and Max are SessionIdle and SessionMax parsed.
	Idle, Max time.Duration `yaml:"-"`
}

// Bounds of the session lifetimes a file may set.
const (
	MinConsoleSession = time.Minute
	MaxConsoleSession = 30 * 24 * time.Hour
)

// loadConsole reads the console section.
func (l *loader) loadConsole(dec *yaml.Decoder, node ast.Node) ConsoleConfig {
	var c ConsoleConfig
	if node == nil || node.Type() == ast.NullType {
		return c
	}
	if err := dec.DecodeFromNode(node, &c); err != nil {
		l.errs.add(problemFromYAML(err, node, "console"))
		return c
	}
	checkTemplate := func(key, value, placeholder string) {
		if value == "" {
			return
		}
		u, err := url.Parse(strings.ReplaceAll(value, placeholder, "x"))
		switch {
		case !strings.Contains(value, placeholder):
			l.problemAt("console."+key, "must contain "+placeholder+", where the id goes")
		case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
			l.problemAt("console."+key, "must be an absolute http or https URL (e.g. https://grafana.example/explore?traceId="+placeholder+")")
		case u.User != nil:
			l.problemAt("console."+key, "must not carry credentials; it is shown in every event page")
		}
	}
	checkTemplate("trace_url", c.TraceURL, "{trace_id}")
	checkTemplate("request_url", c.RequestURL, "{request_id}")
	parse := func(key, value string) time.Duration {
		if value == "" {
			return 0
		}
		d, err := time.ParseDuration(value)
		if err != nil || d < MinConsoleSession || d > MaxConsoleSession {
			l.problemAt("console."+key, "must be a duration from 1m to 720h (e.g. 1h, 30m)")
			return 0
		}
		return d
	}
	c.Idle = parse("session_idle", c.SessionIdle)
	c.Max = parse("session_max", c.SessionMax)
	if c.Idle > 0 && c.Max > 0 && c.Idle > c.Max {
		l.problemAt("console.session_idle", "must not be longer than console.session_max")
	}
	return c
}
