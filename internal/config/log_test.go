package config

import "testing"

func TestLogSection(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("aeso.yaml", []byte("log:\n  origin: audit.example.com/prod\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Log.Origin != "audit.example.com/prod" {
		t.Errorf("log section: %+v", cfg.Log)
	}
	for _, tc := range []struct{ name, yaml, want string }{
		{"an origin with a space", "log:\n  origin: my log\n",
			`aeso.yaml:2:11: log.origin: log origin "my log": must be non-empty, without spaces or '+' (e.g. aeso.local/audit)`},
		{"an origin with a plus", "log:\n  origin: a+b\n",
			`aeso.yaml:2:11: log.origin: log origin "a+b": must be non-empty, without spaces or '+' (e.g. aeso.local/audit)`},
		{"an unknown setting", "log:\n  key: secret\n",
			`aeso.yaml:2:3: log.key: unknown field "key"`},
	} {
		_, err := Parse("aeso.yaml", []byte(tc.yaml), Options{})
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s:\ngot  %v\nwant %s", tc.name, err, tc.want)
		}
	}
}
