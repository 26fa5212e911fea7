package e2e

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
)

// canaryConfig defines what the write routes refer to by name.
const canaryConfig = `invariants:
  - {id: INV-CANARY-001, title: Canary holds, owner: platform, severity: high, max_age: 1h}
components:
  - {name: api, owner: platform, critical: true, stale_after: 5m, dead_after: 30m}
gates:
  - name: release
    rules:
      - {guards: blocking}
`

// routeFixture is what the OpenAPI document cannot say about a write route:
// which resource its path names (made fresh when the route changes that
// resource's state for good), and the few values that must be specific for
// a request to be valid. Everything else comes from the request schema.
type routeFixture struct {
	path  func(t *testing.T, e *env) string
	body  map[string]any // merged over the generated body
	query url.Values     // required query parameters
	raw   func(t *testing.T) []byte
	// params fills the path template when its parameters are names a
	// client chooses (a guard's name), so they are planted too.
	params map[string]string
}

// bundle creates an open evidence bundle and returns its id.
func (e *env) canaryBundle(t *testing.T) string {
	t.Helper()
	r := e.do("POST", "/v1/evidence/bundles", adminToken, map[string]any{
		"kind": "release", "subject": map[string]string{"name": "api", "ref": "v1"}, "title": "canary"})
	if r.status != 201 {
		t.Fatalf("create bundle: %d %s", r.status, r.body)
	}
	var b struct{ ID string }
	r.json(t, &b)
	return b.ID
}

// sealedBundle creates and seals a bundle.
func (e *env) canarySealedBundle(t *testing.T) string {
	t.Helper()
	id := e.canaryBundle(t)
	if r := e.do("POST", "/v1/evidence/bundles/"+id+"/seal", adminToken, nil); r.status != 200 {
		t.Fatalf("seal: %d %s", r.status, r.body)
	}
	return id
}

// canaryRecord creates a reconciliation record and returns its id.
func (e *env) canaryRecord(t *testing.T) string {
	t.Helper()
	r := e.do("POST", "/v1/reconciliations", adminToken, map[string]any{
		"component": "api", "kind": "drift", "severity": "high", "owner": "platform",
		"evidence": map[string]any{"summary": "replicas drifted"}})
	if r.status != 201 {
		t.Fatalf("create reconciliation: %d %s", r.status, r.body)
	}
	var rec struct{ ID string }
	r.json(t, &rec)
	return rec.ID
}

func fixedPath(p string) func(*testing.T, *env) string {
	return func(*testing.T, *env) string { return p }
}

// canaryFixtures are keyed by operationId. A write route without one fails
// the test, so a new route cannot go unplanted.
func canaryFixtures() map[string]routeFixture {
	later := time.Now().UTC().Add(24 * time.Hour).Format(time.RFC3339)
	sha := strings.Repeat("ab", 32)
	link := map[string]any{"url": "https://artifacts.example.com/a.tgz", "sha256": sha, "size": 10, "name": "artifact"}
	var openBundle string
	uses := 0
	// Items accumulate in one bundle, renewed before it grows large.
	itemBundle := func(t *testing.T, e *env) string {
		if uses%100 == 0 {
			openBundle = e.canaryBundle(t)
		}
		uses++
		return openBundle
	}
	return map[string]routeFixture{
		"ingestAuditEvents": {path: fixedPath("/v1/audit/events"), body: map[string]any{
			"id": omit{}, "action": "credentials.api_key.rotate", "target_type": "api_key", "result": "success"}},
		"createEvidenceBundle": {path: fixedPath("/v1/evidence/bundles"), body: map[string]any{
			"supersedes": omit{}, "labels": map[string]any{"note": "x"}}},
		"addEvidenceItem": {
			path: func(t *testing.T, e *env) string { return "/v1/evidence/bundles/" + itemBundle(t, e) + "/items" },
			body: map[string]any{"expires_at": later, "links": []any{link}, "invariant": omit{},
				"counts": map[string]any{"total": 1, "passed": 1, "failed": 0, "skipped": 0, "errored": 0}}},
		"addEvidenceReport": {
			path:  func(t *testing.T, e *env) string { return "/v1/evidence/bundles/" + itemBundle(t, e) + "/reports" },
			query: url.Values{"format": {"junit"}},
			raw:   func(t *testing.T) []byte { return reportFile(t, "gotestsum-fail.xml") }},
		"sealEvidenceBundle": {path: func(t *testing.T, e *env) string {
			return "/v1/evidence/bundles/" + e.canaryBundle(t) + "/seal"
		}},
		"promoteEvidenceBundle": {
			path: func(t *testing.T, e *env) string {
				return "/v1/evidence/bundles/" + e.canarySealedBundle(t) + "/promote"
			},
			body: map[string]any{"stage": "production-ready"}},
		"supersedeEvidenceBundle": {
			path: func(t *testing.T, e *env) string {
				return "/v1/evidence/bundles/" + e.canarySealedBundle(t) + "/supersede"
			},
			body: map[string]any{"labels": map[string]any{"note": "x"}}},
		"addInvariantResult": {path: fixedPath("/v1/invariants/INV-CANARY-001/results"), body: map[string]any{
			"environment": "production", "bundle_id": omit{}, "item_id": omit{}}, params: map[string]string{"id": "INV-CANARY-001"}},
		"addGuardReport": {path: fixedPath("/v1/guards/policy-check/reports"), body: map[string]any{},
			params: map[string]string{"name": "policy-check"}},
		"addGuardSARIFReport": {path: fixedPath("/v1/guards/staticcheck/reports/sarif"),
			query:  url.Values{"subject": {"api@v1"}, "mode": {"warn"}},
			raw:    func(t *testing.T) []byte { return reportFile(t, "staticcheck.sarif") },
			params: map[string]string{"name": "staticcheck"}},
		"evaluateGate": {path: fixedPath("/v1/gates/release/evaluate"), body: map[string]any{"subject": "api@v1"},
			params: map[string]string{"name": "release"}},
		"createGateWaiver": {path: fixedPath("/v1/gates/release/waivers"), body: map[string]any{
			"rule": "guards", "subject": "api@v1", "expires_at": later}, params: map[string]string{"name": "release"}},
		"withdrawGateSubject": {
			// Each withdrawal takes out the latest result, which a new
			// evaluation makes.
			path: func(t *testing.T, e *env) string {
				if r := e.do("POST", "/v1/gates/release/evaluate", adminToken, map[string]any{"subject": "api@v1"}); r.status >= 300 {
					t.Fatalf("evaluate: %d %s", r.status, r.body)
				}
				return "/v1/gates/release/withdrawals"
			},
			body: map[string]any{"subject": "api@v1"}, params: map[string]string{"name": "release"}},
		"pushComponentStatus": {path: fixedPath("/v1/components/api/status"), body: map[string]any{},
			params: map[string]string{"name": "api"}},
		"createReconciliation": {path: fixedPath("/v1/reconciliations"), body: map[string]any{
			"component": "api", "invariant_id": omit{}, "kind": "drift",
			"evidence": map[string]any{"links": []any{map[string]any{"url": link["url"], "sha256": sha, "size": 10}}}}},
		"transitionReconciliation": {
			path: func(t *testing.T, e *env) string { return "/v1/reconciliations/" + e.canaryRecord(t) + "/transitions" },
			body: map[string]any{"state": "repairing", "accepted_until": omit{}}},
		"takeSnapshot": {path: fixedPath("/v1/status/snapshots"), body: map[string]any{}},
		"createToken": {path: fixedPath("/v1/tokens"), body: map[string]any{
			"principal": "canary-svc", "scopes": []any{"audit:read"}, "expires_at": later}},
		"revokeToken": {path: func(t *testing.T, e *env) string {
			tok, err := e.admin.CreateToken(e.ctx, client.TokenRequest{Principal: "to-revoke", Scopes: []string{"audit:read"}})
			if err != nil {
				t.Fatalf("create token: %v", err)
			}
			return "/v1/tokens/" + tok.ID + "/revoke"
		}},
	}
}
