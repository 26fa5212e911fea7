package e2e

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/testdb"
)

// refsYAML is a platform where every kind of reason can occur at once.
const refsYAML = `invariants:
  - {id: INV-BILLING-001, title: Invoices balance, owner: billing, severity: high, critical: true, required: true, max_age: 24h}
  - {id: INV-LEDGER-001, title: Ledger closes, owner: billing, severity: medium, required: true, max_age: 24h}
components:
  - {name: api, owner: platform, critical: true, stale_after: 5m, dead_after: 30m}
  - {name: worker, owner: platform, stale_after: 1m, dead_after: 10m}
  - {name: cron, owner: platform, stale_after: 1h, dead_after: 2h}
  - {name: queue, owner: platform, stale_after: 1h, dead_after: 3h}
gates:
  - name: release
    affects_posture: true
    rules:
      - {evidence: {kind: security, max_age: 1h, block_age: 48h}}
      - {evidence: {kind: uat, max_age: 24h}}
      - {guards: blocking}
  - name: canary
    rules:
      - {invariants: [INV-BILLING-001]}
status:
  environment: production
`

// busyWorld builds a posture with a reason of every kind: a critical
// component down, one dead, one stale, one never reporting; an invariant failing and
// a required one unproven; evidence old and evidence missing; a gate
// blocked, a subject withdrawn, a waiver in use; guard findings and an
// open reconciliation record.
func busyWorld(t *testing.T, tg testdb.Target) *world {
	clk := &clock{}
	w := &world{t: t, e: start(t, tg, withConfigFile(writeConfig(t, refsYAML)), withClock(clk)), clk: clk,
		observed: map[string]time.Time{}}
	w.push("worker", "healthy", "")
	w.push("queue", "healthy", "")
	w.result("INV-BILLING-001", "fail", "production")
	id := idOf(t, w.post("/v1/evidence/bundles", `{"kind":"security","subject":{"name":"api","ref":"v1"},"title":"scan"}`, 201))
	w.post("/v1/evidence/bundles/"+id+"/items", `{"type":"scan","name":"deps","result":"fail"}`, 201)
	w.post("/v1/evidence/bundles/"+id+"/seal", ``, 200)
	w.guard("gosec", "blocking", 2)
	w.post("/v1/gates/release/waivers", fmt.Sprintf(`{"rule":"evidence-uat","subject":"api@v1","reason":"uat runs after the freeze","expires_at":%q}`,
		w.now().Add(7*24*time.Hour).Format(time.RFC3339)), 201)
	w.evaluate("release", "billing@v3")
	w.post("/v1/gates/release/withdrawals", `{"subject":"billing@v3","reason":"billing is not released this week"}`, 201)
	w.evaluate("release", "api@v1")
	w.evaluate("canary", "api@v1")
	w.record("api", "medium", "replicas 2, want 3")
	w.clk.advance(2 * time.Hour)
	w.push("api", "down", "connection refused")
	return w
}

// resolved is the answer of GET /v1/refs/{ref}.
type resolved struct {
	Kind   string          `json:"kind"`
	Ref    string          `json:"ref"`
	URL    string          `json:"url"`
	Object json.RawMessage `json:"object"`
}

// openRef resolves ref, opens the route it names, and checks both answer
// the same row, the one the ref names.
func openRef(t *testing.T, e *env, ref string) resolved {
	t.Helper()
	r := e.do("GET", "/v1/refs/"+url.PathEscape(ref), adminToken, nil)
	if r.status != 200 {
		t.Fatalf("GET /v1/refs/%s: %d %s", ref, r.status, r.body)
	}
	var got resolved
	r.json(t, &got)
	kind, id, _ := strings.Cut(ref, ":")
	if got.Kind != kind || got.Ref != ref || !strings.HasPrefix(got.URL, "/v1/") {
		t.Errorf("%s: resolved as kind %q ref %q url %q", ref, got.Kind, got.Ref, got.URL)
	}
	var obj map[string]any
	if err := json.Unmarshal(got.Object, &obj); err != nil {
		t.Fatalf("%s: object %s: %v", ref, got.Object, err)
	}
	// The object is the row the ref names.
	switch {
	case ref == "reconciliation:*":
		if _, ok := obj["records"].([]any); !ok {
			t.Errorf("%s: object holds no records: %s", ref, got.Object)
		}
	case kind == "component":
		if obj["name"] != id {
			t.Errorf("%s: object names %v", ref, obj["name"])
		}
	case kind == "invariant":
		if obj["id"] != id {
			t.Errorf("%s: object is %v", ref, obj["id"])
		}
	case kind == "gate_rule":
		name, rule, _ := strings.Cut(id, "/")
		if obj["gate"] != name || obj["rule"] != rule {
			t.Errorf("%s: object is rule %v of gate %v", ref, obj["rule"], obj["gate"])
		}
	case kind == "bundle":
		bid, digest, _ := strings.Cut(id, "@")
		if obj["id"] != bid || digest != "" && obj["digest"] != digest {
			t.Errorf("%s: object is bundle %v with digest %v", ref, obj["id"], obj["digest"])
		}
	case kind == "snapshot":
		if s, _ := obj["snapshot"].(map[string]any); s == nil || s["id"] != id {
			t.Errorf("%s: object is snapshot %v", ref, obj["snapshot"])
		}
	default:
		if obj["id"] != id {
			t.Errorf("%s: object has id %v", ref, obj["id"])
		}
	}
	// The route the resolver names answers the same object.
	direct := e.do("GET", got.URL, adminToken, nil)
	if direct.status != 200 {
		t.Fatalf("%s: GET %s: %d %s", ref, got.URL, direct.status, direct.body)
	}
	var want, have any
	if err := json.Unmarshal(direct.body, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(got.Object, &have); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(want, have) {
		t.Errorf("%s: GET %s answers\n%s\nthe resolver\n%s", ref, got.URL, direct.body, got.Object)
	}
	return got
}

func TestEveryReasonCanBeOpened(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		w := busyWorld(t, tg)
		refs := map[string]string{} // ref → where it was read
		v := w.status()
		if v.Posture != "blocked" {
			t.Fatalf("posture %s:\n%s", v.Posture, exact(v))
		}
		for _, r := range v.Reasons {
			refs[r.Ref] = "posture"
		}
		for _, says := range []string{"api (critical) reports down", "past dead_after 10m: treated as down", "queue has not reported since",
			"cron has never reported", "INV-BILLING-001 (Invoices balance) is failing", "INV-LEDGER-001 (Ledger closes) is required and has no result",
			"past max_age 1h", "no sealed uat evidence", "gate release blocked api@v1", "was withdrawn by", "waived for gate release rule evidence-uat",
			"guard gosec (blocking) has 2 open findings", "drift on api (medium, owner platform)"} {
			if !strings.Contains(exact(v), says) {
				t.Errorf("the busy posture does not say %q:\n%s", says, exact(v))
			}
		}
		for _, c := range v.Components {
			for _, r := range c.Reasons {
				refs[r.Ref] = "component " + c.Name
			}
		}
		var snap statusView
		if err := json.Unmarshal(w.post("/v1/status/snapshots", `{"note":"busy"}`, 201), &snap); err != nil {
			t.Fatal(err)
		}
		if len(snap.Reasons) != len(v.Reasons) {
			t.Errorf("snapshot has %d reasons, the posture %d", len(snap.Reasons), len(v.Reasons))
		}
		for _, r := range snap.Reasons {
			refs[r.Ref] = "snapshot"
		}
		for _, g := range []string{"release", "canary"} {
			var page struct {
				Results []struct {
					ID      string `json:"id"`
					Reasons []struct {
						Refs []string `json:"refs"`
					} `json:"reasons"`
				} `json:"results"`
			}
			w.e.do("GET", "/v1/gates/"+g+"/results", adminToken, nil).json(t, &page)
			for _, res := range page.Results {
				refs["gate_result:"+res.ID] = "gate " + g
				for _, r := range res.Reasons {
					for _, ref := range r.Refs {
						refs[ref] = "gate " + g + " result " + res.ID
					}
				}
			}
		}
		if snap.Snapshot == nil {
			t.Fatal("the snapshot says no id")
		}
		refs["snapshot:"+snap.Snapshot.ID] = "snapshot"

		kinds := map[string]bool{}
		for ref, where := range refs {
			t.Run(where+" "+ref, func(t *testing.T) {
				kinds[openRef(t, w.e, ref).Kind] = true
			})
		}
		var seen []string
		for k := range kinds {
			seen = append(seen, k)
		}
		sort.Strings(seen)
		want := "bundle,component,component_status,gate_result,gate_rule,gate_withdrawal,guard_report,invariant,invariant_result,item,reconciliation,snapshot,waiver"
		if got := strings.Join(seen, ","); got != want {
			t.Errorf("kinds opened: %s\nwant %s\nposture:\n%s", got, want, exact(v))
		}
	})
}

func TestRefsAndRowRoutesRefuseWhatTheyCannotOpen(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		w := busyWorld(t, tg)
		e := w.e
		resultID := w.evaluate("release", "api@v2")
		const nobody = "0190a1b2-0000-7000-8000-00000000abcd"

		for _, c := range []struct{ ref, code string }{
			{"nonsense", "invalid_ref"},
			{"frobnicator:1", "invalid_ref"},
			{"gate_result:not-a-uuid", "invalid_ref"},
			{"gate_result:", "invalid_ref"},
			{"bundle:" + nobody + "@md5:x", "invalid_ref"},
			{"bundle:" + nobody + "@sha256:abc", "invalid_ref"},
			{"bundle:" + nobody + "@sha256:" + strings.Repeat("A", 64), "invalid_ref"},
			{"gate_rule:release", "invalid_ref"},
		} {
			r := e.doInvalid("GET", "/v1/refs/"+url.PathEscape(c.ref), adminToken, nil)
			if p := r.problem(t); r.status != 400 || p.Code != c.code {
				t.Errorf("%s: %d %s, want 400 %s", c.ref, r.status, p.Code, c.code)
			}
		}
		for _, ref := range []string{"gate_result:" + nobody, "waiver:" + nobody, "gate_withdrawal:" + nobody,
			"guard_report:" + nobody, "component_status:" + nobody, "invariant_result:" + nobody, "item:" + nobody,
			"bundle:" + nobody, "reconciliation:" + nobody, "snapshot:" + nobody, "component:nope", "invariant:INV-NOPE-001",
			"gate:nope", "gate_rule:release/nope", "gate_result:" + strings.ToUpper(nobody),
			"bundle:" + nobody + "@sha256:" + strings.Repeat("a", 64)} {
			r := e.do("GET", "/v1/refs/"+url.PathEscape(ref), adminToken, nil)
			if p := r.problem(t); r.status != 404 || p.Code != "ref_not_found" {
				t.Errorf("%s: %d %s, want 404 ref_not_found", ref, r.status, p.Code)
			}
		}

		// reconciliation:*, said when the posture read only the weightiest
		// open records, opens the open records.
		all := openRef(t, e, "reconciliation:*")
		if all.URL != "/v1/reconciliations?open=true&limit=500" || !strings.Contains(string(all.Object), "replicas 2, want 3") {
			t.Errorf("reconciliation:*: %s %s", all.URL, all.Object)
		}

		// The resolver reads a row only with the scope its route needs.
		evidenceOnly := e.newToken("reader", "evidence:read")
		r := e.do("GET", "/v1/refs/gate_result:"+resultID, evidenceOnly, nil)
		if p := r.problem(t); r.status != 403 || !strings.Contains(p.Detail, "status:read") || strings.Contains(string(r.body), "api@v2") {
			t.Errorf("gate result with evidence:read only: %d %s", r.status, r.body)
		}
		r = e.do("GET", "/v1/refs/invariant:INV-BILLING-001", evidenceOnly, nil)
		if r.status != 200 {
			t.Errorf("invariant with evidence:read: %d %s", r.status, r.body)
		}
		r = e.do("GET", "/v1/refs/invariant:INV-BILLING-001", e.newToken("status", "status:read"), nil)
		if r.status != 403 {
			t.Errorf("invariant with status:read only: %d %s", r.status, r.body)
		}

		// Row routes: a malformed id is 400, a row of another gate or none
		// is 404.
		for _, c := range []struct {
			path   string
			status int
			code   string
		}{
			{"/v1/gates/release/results/" + resultID, 200, ""},
			{"/v1/gates/release/results/" + strings.ToUpper(resultID), 200, ""},
			{"/v1/gates/canary/results/" + resultID, 404, "gate_result_not_found"},
			{"/v1/gates/nope/results/" + resultID, 404, "unknown_gate"},
			{"/v1/gates/release/results/" + nobody, 404, "gate_result_not_found"},
			{"/v1/gates/release/results/x" + nobody, 400, "invalid_id"},
			{"/v1/gates/release/waivers/" + nobody, 404, "waiver_not_found"},
			{"/v1/gates/release/waivers/12", 400, "invalid_id"},
			{"/v1/gates/release/withdrawals/" + nobody, 404, "withdrawal_not_found"},
			{"/v1/gates/release/withdrawals/12", 400, "invalid_id"},
			{"/v1/gates/release/rules/nope", 404, "unknown_rule"},
			{"/v1/gates/nope", 404, "unknown_gate"},
			{"/v1/guards/gosec/reports/" + nobody, 404, "guard_report_not_found"},
			{"/v1/guards/gosec/reports/12", 400, "invalid_id"},
			{"/v1/components/api/history/" + nobody, 404, "component_status_not_found"},
			{"/v1/components/api/history/12", 400, "invalid_id"},
			{"/v1/components/worker/history/" + w.latestReport("api"), 404, "component_status_not_found"},
			{"/v1/invariants/INV-BILLING-001/results/" + nobody, 404, "invariant_result_not_found"},
			{"/v1/invariants/INV-LEDGER-001/results/12", 400, "invalid_id"},
		} {
			r := e.doInvalid("GET", c.path, adminToken, nil)
			if r.status != c.status {
				t.Errorf("GET %s: %d %s, want %d", c.path, r.status, r.body, c.status)
				continue
			}
			if c.code != "" {
				if p := r.problem(t); p.Code != c.code {
					t.Errorf("GET %s: code %s, want %s", c.path, p.Code, c.code)
				}
			}
		}
	})
}
