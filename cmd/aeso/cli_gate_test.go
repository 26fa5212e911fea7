package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const gateConfig = `invariants:
  - {id: INV-BILLING-001, title: Invoices balance, owner: billing, severity: high, critical: true, required: true, max_age: 24h}
gates:
  - name: release
    rules:
      - {evidence: {kind: security}}
      - {invariants: [INV-BILLING-001], environment: production}
`

func TestGateCheckExitCodesFollowTheVerdict(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "aeso.yaml")
	if err := os.WriteFile(cfg, []byte(gateConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, filepath.Join(dir, "data"), nil, "--config", cfg)
	admin := s.env(s.adminToken(t))

	r := aeso(t, admin, "gate", "check", "release", "--subject", "api@v1")
	if r.code != 1 || !strings.Contains(r.stdout, "BLOCK release for api@v1") ||
		!strings.Contains(r.stdout, "no sealed security bundle for api@v1") || !strings.Contains(r.stdout, "INV-BILLING-001 is unproven") {
		t.Errorf("empty world: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := aeso(t, admin, "gate", "check", "nope", "--subject", "api@v1"); r.code != 2 || !strings.Contains(r.stderr, "unknown_gate") {
		t.Errorf("an unknown gate: exit %d %s", r.code, r.stderr)
	}
	if r := aeso(t, admin, "gate", "check", "release"); r.code != 2 {
		t.Errorf("no subject: exit %d", r.code)
	}

	// Waive both rules: the gate passes, and says so.
	for _, rule := range []string{"evidence-security", "invariants-production"} {
		mustRun(t, admin, "gate", "waive", "release", "--rule", rule, "--subject", "api@v1", "--reason", "first release", "--expires-in", "1h")
	}
	r = aeso(t, admin, "gate", "check", "release", "--subject", "api@v1")
	if r.code != 0 || !strings.Contains(r.stdout, "PASS release for api@v1") || !strings.Contains(r.stdout, "waived") {
		t.Errorf("with waivers: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A dry run judges the same and says it was not recorded.
	r = aeso(t, admin, "gate", "check", "release", "--subject", "api@v2", "--dry-run")
	if r.code != 1 || !strings.Contains(r.stdout, "BLOCK release for api@v2") || !strings.Contains(r.stdout, "dry run: not recorded") {
		t.Errorf("dry run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := aeso(t, admin, "gate", "withdraw", "release", "--subject", "api@v2", "--reason", "abandoned"); r.code != 2 || !strings.Contains(r.stderr, "no_gate_result") {
		t.Errorf("withdrawing a subject only dry-run: exit %d %s", r.code, r.stderr)
	}
	if r := aeso(t, admin, "gate", "withdraw", "release", "--subject", "api@v1"); r.code != 2 || !strings.Contains(r.stderr, "--reason") {
		t.Errorf("withdraw without a reason: exit %d %s", r.code, r.stderr)
	}
	r = mustRun(t, admin, "gate", "withdraw", "release", "--subject", "api@v1", "--reason", "abandoned release")
	if !strings.Contains(r.stdout, "(pass) of release for api@v1 no longer counts in the posture") {
		t.Errorf("withdraw:\n%s", r.stdout)
	}
}
