package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso/internal/testdb"
)

const refsConfig = `invariants:
  - {id: INV-BILLING-001, title: Invoices balance, owner: billing, severity: high, critical: true, required: true, max_age: 24h}
components:
  - {name: api, owner: platform, critical: true, stale_after: 5m, dead_after: 30m}
  - {name: worker, owner: platform, stale_after: 5m, dead_after: 30m}
gates:
  - name: release
    affects_posture: true
    rules:
      - {evidence: {kind: security, max_age: 168h}}
      - {guards: blocking}
status:
  environment: production
`

// post writes through the API what the CLI has no command for (component
// status, invariant results, guard reports) and returns the new row's id.
func post(t *testing.T, s *server, token, path, body string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", s.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 201 {
		t.Fatalf("POST %s: %d %s", path, resp.StatusCode, data)
	}
	var v struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(data, &v); err != nil || v.ID == "" {
		t.Fatalf("POST %s: no id in %s", path, data)
	}
	return v.ID
}

// wants fails unless out holds every one of the strings.
func wants(t *testing.T, what, out string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(out, p) {
			t.Errorf("%s: %q missing from\n%s", what, p, out)
		}
	}
}

var idPattern = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

func TestTheCLIReadsEveryKindAndOpensEveryRef(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		dir := t.TempDir()
		cfg := filepath.Join(dir, "aeso.yaml")
		if err := os.WriteFile(cfg, []byte(refsConfig), 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"--config", cfg}
		if tg.URL != "" {
			args = append(args, "--database-url", tg.URL)
		}
		s := startServer(t, tg.DataDir, nil, args...)
		token := s.adminToken(t)
		admin := s.env(token)

		apiReport := post(t, s, token, "/v1/components/api/status", `{"status":"down","detail":"connection refused"}`)
		post(t, s, token, "/v1/components/worker/status", `{"status":"healthy"}`)
		invResult := post(t, s, token, "/v1/invariants/INV-BILLING-001/results", `{"status":"fail","environment":"production"}`)
		guardReport := post(t, s, token, "/v1/guards/gosec/reports", `{"subject":"api@v1","mode":"blocking",
			"findings":[{"rule_id":"G201","severity":"high","location":"db/query.go:42","message":"SQL built from input"}]}`)

		// Reconciliation: open, move, list, show.
		r := mustRun(t, admin, "reconcile", "open", "--component", "api", "--severity", "high", "--owner", "platform",
			"--summary", "replicas 2, want 3")
		recID := idPattern.FindString(r.stdout)
		if recID == "" || !strings.Contains(r.stdout, "detected") {
			t.Fatalf("reconcile open: %s", r.stdout)
		}
		wants(t, "reconcile move", mustRun(t, admin, "reconcile", "move", recID, "--to", "repairing", "--reason", "scaling").stdout,
			recID+" is repairing")
		wants(t, "reconcile list", mustRun(t, admin, "reconcile", "list", "--open").stdout, recID, "high", "repairing", "replicas 2, want 3")
		var recs []struct{ ID, State string }
		decode(t, mustRun(t, admin, "reconcile", "list", "--json", "--component", "api"), &recs)
		if len(recs) != 1 || recs[0].ID != recID || recs[0].State != "repairing" {
			t.Errorf("reconcile list --json: %+v", recs)
		}
		wants(t, "reconcile show", mustRun(t, admin, "reconcile", "show", recID).stdout, "detected", "repairing", "scaling", "May move to")
		if r := aeso(t, admin, "reconcile", "move", recID); r.code != 2 {
			t.Errorf("move without --to: exit %d", r.code)
		}

		// Gates: a waiver, a blocked check, the results and waivers.
		wv := mustRun(t, admin, "gate", "waive", "release", "--rule", "evidence-security", "--subject", "api@v1",
			"--reason", "scan runs nightly", "--expires-in", "24h")
		waiverID := idPattern.FindString(wv.stdout)
		if r := aeso(t, admin, "gate", "check", "release", "--subject", "api@v1"); r.code != 1 {
			t.Fatalf("gate check: exit %d %s", r.code, r.stderr)
		}
		var results struct {
			Results []struct{ ID, Verdict string } `json:"results"`
		}
		decode(t, mustRun(t, admin, "gate", "results", "release", "--json"), &results)
		if len(results.Results) != 1 || results.Results[0].Verdict != "block" {
			t.Fatalf("gate results --json: %+v", results)
		}
		resultID := results.Results[0].ID
		wants(t, "gate results", mustRun(t, admin, "gate", "results", "release", "--subject", "api@v1").stdout, resultID, "block", "guards")
		wants(t, "gate waivers", mustRun(t, admin, "gate", "waivers", "release").stdout, waiverID, "evidence-security", "true", "scan runs nightly")

		// Components, invariants, guards.
		wants(t, "component list", mustRun(t, admin, "component", "list").stdout, "api (critical)", "down", apiReport, "worker")
		wants(t, "component show", mustRun(t, admin, "component", "show", "api").stdout, "connection refused", apiReport)
		wants(t, "component history", mustRun(t, admin, "component", "history", "api").stdout, apiReport, "down")
		var comps []struct{ Name, Status string }
		decode(t, mustRun(t, admin, "component", "list", "--json"), &comps)
		if len(comps) != 2 || comps[0].Name != "api" || comps[0].Status != "down" {
			t.Errorf("component list --json: %+v", comps)
		}
		wants(t, "invariant list", mustRun(t, admin, "invariant", "list").stdout, "INV-BILLING-001", "production", "failing", invResult)
		wants(t, "invariant show", mustRun(t, admin, "invariant", "show", "INV-BILLING-001").stdout, "Invoices balance", "failing")
		wants(t, "invariant history", mustRun(t, admin, "invariant", "history", "INV-BILLING-001", "--environment", "production").stdout,
			invResult, "fail")
		wants(t, "guard list", mustRun(t, admin, "guard", "list", "gosec").stdout, guardReport, "api@v1", "blocking")
		wants(t, "guard show", mustRun(t, admin, "guard", "show", "gosec", guardReport).stdout, "G201", "db/query.go:42", "SQL built from input")
		wants(t, "guard show --subject", mustRun(t, admin, "guard", "show", "gosec", "--subject", "api@v1").stdout, guardReport)
		if r := aeso(t, admin, "guard", "show", "gosec"); r.code != 2 {
			t.Errorf("guard show without an id or subject: exit %d", r.code)
		}

		// Every ref of the posture opens, as a view and as JSON.
		var st struct {
			Reasons []struct{ Ref string } `json:"reasons"`
		}
		r = aeso(t, admin, "status", "--json")
		decode(t, r, &st)
		kinds := map[string]bool{}
		for _, reason := range st.Reasons {
			kind, _, _ := strings.Cut(reason.Ref, ":")
			kinds[kind] = true
			view := mustRun(t, admin, "get", reason.Ref)
			if first := strings.SplitN(view.stdout, "\n", 2)[0]; first != kind+" "+reason.Ref {
				t.Errorf("get %s: first line %q", reason.Ref, first)
			}
			var got struct {
				Kind, Ref, URL string
				Object         map[string]any
			}
			decode(t, mustRun(t, admin, "get", reason.Ref, "--json"), &got)
			if got.Kind != kind || got.Ref != reason.Ref || !strings.HasPrefix(got.URL, "/v1/") || got.Object == nil {
				t.Errorf("get %s --json: %+v", reason.Ref, got)
			}
		}
		for _, k := range []string{"component_status", "invariant_result", "gate_result", "guard_report", "reconciliation", "waiver"} {
			if !kinds[k] {
				t.Errorf("the posture names no %s ref: %+v", k, st.Reasons)
			}
		}
		wants(t, "get gate_result", mustRun(t, admin, "get", "gate_result:"+resultID).stdout,
			"GET /v1/gates/release/results/"+resultID, "BLOCK release for api@v1")
		wants(t, "get guard_report", mustRun(t, admin, "get", "guard_report:"+guardReport).stdout, "db/query.go:42")
		wants(t, "get gate_rule", mustRun(t, admin, "get", "gate_rule:release/evidence-security").stdout,
			"GET /v1/gates/release/rules/evidence-security", `"kind": "security"`)

		// Refusals exit 2 and say why.
		for _, c := range []struct{ ref, says string }{
			{"nonsense", "invalid_ref"},
			{"gate_result:0190a1b2-0000-7000-8000-00000000abcd", "ref_not_found"},
		} {
			if r := aeso(t, admin, "get", c.ref); r.code != 2 || !strings.Contains(r.stderr, c.says) || r.stdout != "" {
				t.Errorf("get %s: exit %d stdout %q stderr %q", c.ref, r.code, r.stdout, r.stderr)
			}
		}
		reader := strings.TrimSpace(mustRun(t, admin, "token", "create", "--principal", "reader", "--scope", "evidence:read").stdout)
		reader = regexp.MustCompile(`aeso_[A-Za-z0-9_-]+`).FindString(reader)
		if r := aeso(t, s.env(reader), "get", "gate_result:"+resultID); r.code != 2 || !strings.Contains(r.stderr, "status:read") ||
			strings.Contains(r.stdout, "api@v1") {
			t.Errorf("get without status:read: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
		}
	})
}
