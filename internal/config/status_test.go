package config

import (
	"testing"
	"time"
)

func TestStatusSection(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("aeso.yaml", []byte("status:\n  environment: production\n  snapshot_every: 1h\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Status.Environment != "production" || cfg.Status.SnapshotEvery.Duration != time.Hour {
		t.Errorf("status section: %+v", cfg.Status)
	}
	for _, tc := range []struct{ name, yaml, want string }{
		{"a schedule too tight", "status:\n  snapshot_every: 10s\n",
			"aeso.yaml:2:19: status.snapshot_every: must be at least 1m, or left out for no scheduled snapshots"},
		{"not a duration", "status:\n  snapshot_every: hourly\n",
			`aeso.yaml:2:19: status.snapshot_every: "hourly" is not a duration; use a Go duration such as 30m, 24h or 168h (units ns, us, ms, s, m, h; no days)`},
		{"a bad environment", "status:\n  environment: Prod Env\n",
			"aeso.yaml:2:16: status.environment: must be an environment name such as production"},
		{"an unknown setting", "status:\n  environment: production\n  every: 1h\n",
			`aeso.yaml:3:3: status.every: unknown field "every"`},
	} {
		_, err := Parse("aeso.yaml", []byte(tc.yaml), Options{})
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s:\ngot  %v\nwant %s", tc.name, err, tc.want)
		}
	}
}
