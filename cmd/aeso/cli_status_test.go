package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const statusConfig = `components:
  - {name: api, owner: platform, critical: true, stale_after: 5m, dead_after: 30m}
`

func TestStatusExitCodesFollowThePosture(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "aeso.yaml")
	if err := os.WriteFile(cfg, []byte(statusConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, filepath.Join(dir, "data"), nil, "--config", cfg)
	token := s.adminToken(t)
	admin := s.env(token)
	push := func(status string) {
		t.Helper()
		req, _ := http.NewRequest("POST", s.URL+"/v1/components/api/status", strings.NewReader(`{"status":"`+status+`","detail":"probe"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 201 {
			t.Fatalf("push %s: %v %v", status, resp, err)
		}
		resp.Body.Close()
	}

	r := aeso(t, admin, "status")
	if r.code != 1 || !strings.Contains(r.stdout, "DEGRADED") || !strings.Contains(r.stdout, "api (critical) has never reported its status") {
		t.Errorf("never reported: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	push("healthy")
	r = aeso(t, admin, "status")
	if r.code != 0 || !strings.Contains(r.stdout, "HEALTHY") || !strings.Contains(r.stdout, "no reasons") {
		t.Errorf("healthy: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	push("down")
	r = aeso(t, admin, "status")
	if r.code != 3 || !strings.Contains(r.stdout, "BLOCKED") || !strings.Contains(r.stdout, "api (critical) reports down: probe") {
		t.Errorf("down: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := aeso(t, s.env("aeso_wrongTOKENwrongTOKENwrongTOKENwrongTOKEN12"), "status"); r.code != 2 {
		t.Errorf("a bad token: exit %d %s", r.code, r.stderr)
	}
	// A mistyped command is an error, never a verdict.
	for _, args := range [][]string{{"status", "--bogus"}, {"status", "extra"}, {"status", "watch", "--interval", "soon"}} {
		if r := aeso(t, admin, args...); r.code != 2 {
			t.Errorf("aeso %s: exit %d, want 2", strings.Join(args, " "), r.code)
		}
	}
	if r := aeso(t, admin, "status", "--json"); r.code != 3 || !strings.Contains(r.stdout, `"posture": "blocked"`) {
		t.Errorf("--json: exit %d\n%s", r.code, r.stdout)
	}

	// watch prints the posture when it changes; unchanged, it stays quiet.
	r = aeso(t, admin, "status", "watch", "--interval", "1s", "--count", "2")
	if r.code != 3 || strings.Count(r.stdout, "BLOCKED") != 1 {
		t.Errorf("watch: exit %d, printed:\n%s", r.code, r.stdout)
	}

	r = mustRun(t, admin, "status", "snapshot", "--note", "before rollout")
	if !strings.Contains(r.stdout, "SNAPSHOT") || !strings.Contains(r.stdout, "history, not the posture now") {
		t.Errorf("snapshot:\n%s", r.stdout)
	}
	id := strings.Fields(r.stdout)[1]
	r = mustRun(t, admin, "status", "history")
	if !strings.Contains(r.stdout, id) || !strings.Contains(r.stdout, "before rollout") {
		t.Errorf("history:\n%s", r.stdout)
	}
	push("healthy")
	r = mustRun(t, admin, "status", "history", id)
	if !strings.Contains(r.stdout, "BLOCKED") || !strings.Contains(r.stdout, "note: before rollout") {
		t.Errorf("one snapshot:\n%s", r.stdout)
	}
}
