package config

import (
	"testing"
	"time"
)

func TestConsoleSection(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("aeso.yaml", []byte("console:\n  trace_url: \"https://grafana.example/explore?traceId={trace_id}\"\n"+
		"  request_url: \"https://loki.example/q?r={request_id}\"\n  session_idle: 30m\n  session_max: 8h\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c := cfg.Console; c.TraceURL != "https://grafana.example/explore?traceId={trace_id}" ||
		c.RequestURL != "https://loki.example/q?r={request_id}" || c.Idle != 30*time.Minute || c.Max != 8*time.Hour {
		t.Errorf("console section: %+v", c)
	}
	for _, tc := range []struct{ name, yaml, want string }{
		{"a trace URL without its placeholder", "console:\n  trace_url: https://grafana.example/\n",
			`aeso.yaml:2:14: console.trace_url: must contain {trace_id}, where the id goes`},
		{"a relative request URL", "console:\n  request_url: /logs?q={request_id}\n",
			`aeso.yaml:2:16: console.request_url: must be an absolute http or https URL (e.g. https://grafana.example/explore?traceId={request_id})`},
		{"a URL with credentials", "console:\n  trace_url: https://u:p@grafana.example/{trace_id}\n",
			`aeso.yaml:2:14: console.trace_url: must not carry credentials; it is shown in every event page`},
		{"a session length that is no duration", "console:\n  session_max: forever\n",
			`aeso.yaml:2:16: console.session_max: must be a duration from 1m to 720h (e.g. 1h, 30m)`},
		{"an idle time past the maximum", "console:\n  session_idle: 2h\n  session_max: 1h\n",
			`aeso.yaml:2:17: console.session_idle: must not be longer than console.session_max`},
		{"an unknown setting", "console:\n  theme: dark\n",
			`aeso.yaml:2:3: console.theme: unknown field "theme"`},
	} {
		_, err := Parse("aeso.yaml", []byte(tc.yaml), Options{})
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s:\ngot  %v\nwant %s", tc.name, err, tc.want)
		}
	}
}
