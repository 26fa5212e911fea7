package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso/internal/testdb"
)

// TestNamedSecretsAreRedactedOrRefusedByField pins what each kind of field
// does with a secret written after its name or carried in a URL: metadata
// redacts and records the path (a URL keeps its host and path), identifiers,
// free text and URL fields refuse with secret_detected naming the field and
// without repeating the secret.
func TestNamedSecretsAreRedactedOrRefusedByField(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg, withConfigFile(writeConfig(t, canaryConfig)))

		ev := validEvent()
		ev["metadata"] = map[string]any{
			"note":     "retry with password=NamedPw1 failed",
			"artifact": "https://b.s3.amazonaws.com/k.tgz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=NamedSig2",
			"repo":     "https://NamedTok3@github.com/org/repo.git",
			"policy":   "tokens=5",
		}
		got := emit(t, e, ev)
		var md map[string]string
		if err := json.Unmarshal(got.Metadata, &md); err != nil {
			t.Fatal(err)
		}
		for key, want := range map[string]string{
			"note":     "[REDACTED]",
			"artifact": "https://b.s3.amazonaws.com/k.tgz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=[REDACTED]",
			"repo":     "https://[REDACTED]@github.com/org/repo.git",
			"policy":   "tokens=5",
		} {
			if md[key] != want {
				t.Errorf("metadata %s is %q, want %q", key, md[key], want)
			}
		}
		if strings.Join(got.RedactedPaths, ",") != "artifact,note,repo" {
			t.Errorf("redacted paths %v, want artifact, note, repo", got.RedactedPaths)
		}

		bundle := e.canaryBundle(t)
		refusals := []struct {
			name, method, path string
			body               any
			field              string
		}{
			{"an audit target id", "POST", "/v1/audit/events", with(validEvent(), "target_id", "password=NamedPw4"), "target_id"},
			{"an audit correlation id", "POST", "/v1/audit/events", with(validEvent(), "correlation_id", "api_key:NamedKey5"), "correlation_id"},
			{"a token name", "POST", "/v1/tokens", map[string]any{"principal": "ci", "scopes": []string{"audit:read"}, "name": "deploy token=NamedTok6"}, "name"},
			{"an item summary", "POST", "/v1/evidence/bundles/" + bundle + "/items",
				map[string]any{"type": "test_report", "name": "unit", "result": "pass", "summary": "ran with passwd: NamedPw7"}, "summary"},
			{"an item source URL with a token query", "POST", "/v1/evidence/bundles/" + bundle + "/items",
				map[string]any{"type": "test_report", "name": "unit", "result": "pass",
					"source": map[string]any{"url": "https://ci.example.com/j/1?access_token%3DNamedTok8"}}, "source.url"},
			{"a component source URL with userinfo", "POST", "/v1/components/api/status",
				map[string]any{"status": "healthy", "source_url": "https://NamedTok9@grafana.example.com/d/1"}, "source_url"},
			{"a component source URL with a signature", "POST", "/v1/components/api/status",
				map[string]any{"status": "healthy", "source_url": "https://grafana.example.com/d/1?sig=NamedSig10"}, "source_url"},
			{"a guard source URL, percent-encoded", "POST", "/v1/guards/policy-check/reports",
				map[string]any{"subject": "api@v1", "mode": "warn", "source_url": "https://ci.example.com/j?next=%2Fcb%3Fpassword%3DNamedPw11"}, "source_url"},
			{"a reconciliation link", "POST", "/v1/reconciliations",
				map[string]any{"component": "api", "kind": "drift", "severity": "low", "owner": "platform",
					"evidence": map[string]any{"summary": "drift", "links": []any{map[string]any{
						"url": "https://u:NamedPw12@artifacts.example.com/a", "sha256": strings.Repeat("ab", 32), "size": 1}}}},
				"evidence.links[0].url"},
			{"a snapshot note", "POST", "/v1/status/snapshots", map[string]any{"note": "secret: NamedSecret13"}, "note"},
			// A label is sealed for good, so a name that marks its value
			// secret is refused rather than redacted.
			{"a label named password", "POST", "/v1/evidence/bundles", labelled(map[string]string{"password": "NamedPw14"}), "labels.password"},
			{"a label named client-secret", "POST", "/v1/evidence/bundles", labelled(map[string]string{"client-secret": "NamedSecret15"}), "labels.client-secret"},
		}
		for _, c := range refusals {
			r := e.do(c.method, c.path, adminToken, c.body)
			if r.status != 400 {
				t.Errorf("%s: %d %s, want 400", c.name, r.status, r.body)
				continue
			}
			p := r.problem(t)
			found := false
			for _, fe := range p.Errors {
				found = found || fe.Field == c.field && fe.Code == "secret_detected"
			}
			if !found {
				t.Errorf("%s: errors %+v, want secret_detected on %s", c.name, p.Errors, c.field)
			}
			if strings.Contains(string(r.body), "Named") {
				t.Errorf("%s: the refusal repeats the secret: %s", c.name, r.body)
			}
		}
		// A label whose name is itself a token is refused without naming it.
		tokenName := "ghp_" + strings.Repeat("a1b2", 9)
		r := e.do("POST", "/v1/evidence/bundles", adminToken, labelled(map[string]string{tokenName: "x"}))
		if r.status != 400 || strings.Contains(string(r.body), tokenName) || !strings.Contains(string(r.body), `"secret_detected"`) {
			t.Errorf("a label named like a token: %d %s; want 400 secret_detected without the name", r.status, r.body)
		}
		// Near misses are stored as sent.
		if r := e.do("POST", "/v1/evidence/bundles", adminToken, labelled(map[string]string{"author": "alice", "team": "payments"})); r.status != 201 {
			t.Errorf("labels author and team: %d %s; want 201", r.status, r.body)
		}
		plain := with(validEvent(), "target_id", "tokens=5")
		plain["correlation_id"] = "build:42"
		if got := emit(t, e, plain); got.TargetID != "tokens=5" || got.CorrelationID != "build:42" {
			t.Errorf("near misses stored as %q and %q", got.TargetID, got.CorrelationID)
		}
		r = e.do("POST", "/v1/components/api/status", adminToken,
			map[string]any{"status": "healthy", "source_url": "https://grafana.example.com/d/1?orgId=1&from=now-1h"})
		if r.status != 201 || !strings.Contains(string(r.body), `"source_url":"https://grafana.example.com/d/1?orgId=1\u0026from=now-1h"`) &&
			!strings.Contains(string(r.body), `"source_url":"https://grafana.example.com/d/1?orgId=1&from=now-1h"`) {
			t.Errorf("a plain source URL: %d %s", r.status, r.body)
		}
	})
}

// with returns m with key set to v.
func with(m map[string]any, key string, v any) map[string]any {
	m[key] = v
	return m
}

// labelled is a bundle request with labels.
func labelled(labels map[string]string) map[string]any {
	return map[string]any{"kind": "release", "subject": map[string]string{"name": "api", "ref": "labels"}, "title": "labelled", "labels": labels}
}

// A secret pasted into a path names no row, and the answer does not
// repeat it: not the API's problem detail, not the console's page.
func TestAnAnswerNeverRepeatsASecretFromThePath(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg, withConfigFile(writeConfig(t, gatesYAML)))
		const secret = "aeso_i1YAEQNjjygSJTA1h5ssjqSyqUgWp05K0pdIL9K6V95"
		for _, path := range []string{
			"/v1/gates/release/rules/" + secret,
			"/v1/gates/release/rules/password=hunter2",
			"/v1/guards/" + secret + "/reports/01a23d52-99be-7d70-aa71-f834ee8db5e9",
			"/v1/components/" + secret + "/history/01a23d52-99be-7d70-aa71-f834ee8db5e9",
			"/v1/invariants/" + secret + "/results/01a23d52-99be-7d70-aa71-f834ee8db5e9",
			"/v1/refs/token:" + secret,
		} {
			r := e.doInvalid("GET", path, adminToken, nil)
			if r.status < 400 || strings.Contains(string(r.body), secret) || strings.Contains(string(r.body), "hunter2") {
				t.Errorf("GET %s: %d %s", path, r.status, r.body)
			}
		}
		b := e.browser()
		b.mustSignIn(adminToken)
		for _, path := range []string{"/ui/refs/token/" + secret, "/ui/refs/component/password=hunter2"} {
			p := b.get(path)
			if p.status != 404 || strings.Contains(p.body, secret) || strings.Contains(p.body, "hunter2") {
				t.Errorf("GET %s: %d, the page repeats the secret: %v", path, p.status, strings.Contains(p.body, secret) || strings.Contains(p.body, "hunter2"))
			}
		}
	})
}
