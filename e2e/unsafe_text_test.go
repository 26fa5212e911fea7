package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/testdb"
)

// TestTextThatReordersWhatOperatorsReadIsRefused sends, to every write
// route that stores text shown to operators, a control character, a
// bidirectional override or a line separator: each is refused with
// control_character naming the field.
func TestTextThatReordersWhatOperatorsReadIsRefused(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg, withConfigFile(writeConfig(t, canaryConfig)))
		expires := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
		cases := []struct {
			name, path string
			body       map[string]any
			field      string
		}{
			{"an audit actor with an override", "/v1/audit/events", with(validEvent(), "actor_user_id", "alice\u202egpj.exe"), "actor_user_id"},
			{"a bundle title with an escape", "/v1/evidence/bundles",
				map[string]any{"kind": "release", "subject": map[string]string{"name": "api", "ref": "v1"}, "title": "ok\x1b[2K"}, "title"},
			{"a waiver subject with an override", "/v1/gates/release/waivers",
				map[string]any{"rule": "guards", "subject": "api@v1\u202e", "reason": "accepted", "expires_at": expires}, "subject"},
			{"a waiver reason with an isolate", "/v1/gates/release/waivers",
				map[string]any{"rule": "guards", "subject": "api@v1", "reason": "accepted \u2067risk\u2069", "expires_at": expires}, "reason"},
			{"a withdrawal reason with an escape", "/v1/gates/release/withdrawals",
				map[string]any{"subject": "api@v1", "reason": "abandoned\x1b]0;title\x07"}, "reason"},
			{"an evaluated subject with an escape", "/v1/gates/release/evaluate", map[string]any{"subject": "api@v1\x1b"}, "subject"},
			{"a dry run's correlation id with an override", "/v1/gates/release/evaluate?dry_run=true",
				map[string]any{"subject": "api@v1", "correlation_id": "c-1\u202e"}, "correlation_id"},
			{"a guard subject with a line separator", "/v1/guards/policy-check/reports",
				map[string]any{"subject": "api@v1\u2028forged line", "mode": "warn"}, "subject"},
			{"a reconciliation owner with an escape", "/v1/reconciliations",
				map[string]any{"component": "api", "kind": "drift", "severity": "low", "owner": "plat\x1bform",
					"evidence": map[string]any{"summary": "drift"}}, "owner"},
			{"a snapshot note with an override", "/v1/status/snapshots", map[string]any{"note": "before \u202erelease"}, "note"},
		}
		spaced := []struct {
			name, path string
			body       map[string]any
		}{
			{"an evaluated subject with a leading space", "/v1/gates/release/evaluate", map[string]any{"subject": " api@v1"}},
			{"a waiver subject with a trailing space", "/v1/gates/release/waivers",
				map[string]any{"rule": "guards", "subject": "api@v1 ", "reason": "accepted", "expires_at": expires}},
		}
		for _, c := range spaced {
			r := e.do("POST", c.path, adminToken, c.body)
			if p := r.problem(t); r.status != 400 || len(p.Errors) != 1 || p.Errors[0].Field != "subject" || p.Errors[0].Code != "format" {
				t.Errorf("%s: %d %s; want 400 format on subject", c.name, r.status, r.body)
			}
		}
		for _, c := range cases {
			r := e.do("POST", c.path, adminToken, c.body)
			if r.status != 400 {
				t.Errorf("%s: %d %s, want 400", c.name, r.status, r.body)
				continue
			}
			found := false
			for _, fe := range r.problem(t).Errors {
				found = found || fe.Field == c.field && fe.Code == "control_character"
			}
			if !found {
				t.Errorf("%s: %s; want control_character on %s", c.name, r.body, c.field)
			}
		}
		// Multi-line text keeps its lines, and a right-to-left name its
		// direction marks.
		r := e.do("POST", "/v1/status/snapshots", adminToken, map[string]any{"note": "before the release\nsecond line"})
		if r.status != 201 {
			t.Errorf("a two-line note: %d %s", r.status, r.body)
		}
		ev := with(validEvent(), "actor_display_name", "\u05d3\u05e0\u05d4 \u200f(ops)")
		if got := emit(t, e, ev); !strings.Contains(got.ActorDisplayName, "\u200f") {
			t.Errorf("a right-to-left display name lost its mark: %q", got.ActorDisplayName)
		}
	})
}

// TestNoFieldLetsTextReorderWhatOperatorsRead: the same refusal for the
// fields no validator of their own names (free text, ids, URLs, metadata
// at any depth), so none of them can reverse the console's own text beside
// it. The field is named by its path; line feeds and tabs stay allowed.
func TestNoFieldLetsTextReorderWhatOperatorsRead(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg, withConfigFile(writeConfig(t, canaryConfig)))
		b := newBundle(t, e, "unsafe", "v1")
		evidence := map[string]any{"summary": "drift", "pairs": []any{map[string]any{"field": "replicas", "observed": "3\u202e", "expected": "2"}}}
		for _, c := range []struct {
			name, path string
			body       map[string]any
			field      string
		}{
			{"a component detail", "/v1/components/api/status", map[string]any{"status": "down", "detail": "checks pass\u202e"}, "detail"},
			{"a component correlation id", "/v1/components/api/status", map[string]any{"status": "healthy", "correlation_id": "c\x1b1"}, "correlation_id"},
			{"a component source URL", "/v1/components/api/status", map[string]any{"status": "healthy", "source_url": "https://ci.example/\u202egnp.egami"}, "source_url"},
			{"a guard finding message", "/v1/guards/lint/reports", map[string]any{"subject": "api@v1", "mode": "warn",
				"findings": []any{map[string]any{"rule_id": "R1", "severity": "high", "message": "fine\u2067"}}}, "findings[0].message"},
			{"a guard finding rule id", "/v1/guards/lint/reports", map[string]any{"subject": "api@v1", "mode": "warn",
				"findings": []any{map[string]any{"rule_id": "R\u00851", "severity": "high"}}}, "findings[0].rule_id"},
			{"an invariant result's correlation id", "/v1/invariants/INV-CANARY-001/results", map[string]any{"status": "pass", "environment": "production", "correlation_id": "d\u2028e"}, "correlation_id"},
			{"a reconciliation's observed value", "/v1/reconciliations", map[string]any{"component": "api", "kind": "drift", "severity": "low",
				"owner": "platform", "evidence": evidence}, "evidence.pairs[0].observed"},
			{"an item's link", "/v1/evidence/bundles/" + b.ID + "/items", map[string]any{"type": "check", "name": "smoke", "result": "pass",
				"links": []any{map[string]any{"url": "https://ci.example/\u202egnp.egami", "sha256": strings.Repeat("a", 64), "size": 1}}}, "links[0].url"},
			{"an audit event's metadata, nested", "/v1/audit/events", with(validEvent(), "metadata", map[string]any{"note": map[string]any{"why": "ok\u202e"}}), "metadata.note.why"},
			{"a metadata key", "/v1/audit/events", with(validEvent(), "metadata", map[string]any{"a\u202eb": "x"}), "metadata"},
		} {
			r := e.do("POST", c.path, adminToken, c.body)
			if p := r.problem(t); r.status != 400 || len(p.Errors) == 0 || p.Errors[0].Field != c.field || p.Errors[0].Code != "control_character" {
				t.Errorf("%s: %d %s; want 400 control_character on %s", c.name, r.status, r.body, c.field)
			}
		}
		// Report uploads take some text in the query string: the same
		// refusal there, and on filters.
		sarif := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[],"invocations":[{"executionSuccessful":true}]}]}`
		for _, c := range []struct{ name, path, field string }{
			{"a guard upload's correlation id", "/v1/guards/policy/reports/sarif?subject=api@v1&mode=warn&correlation_id=ok%E2%80%AEtxet", "correlation_id"},
			{"a guard upload's source URL", "/v1/guards/policy/reports/sarif?subject=api@v1&mode=warn&source_url=https://ci.example/run/%E2%80%AE1", "source_url"},
			{"a report upload's source URL", "/v1/evidence/bundles/" + b.ID + "/reports?format=sarif&source_url=https://ci.example/run/%E2%80%AE1", "source_url"},
		} {
			r := e.doInvalid("POST", c.path, adminToken, sarif)
			if p := r.problem(t); r.status != 400 || len(p.Errors) == 0 || p.Errors[0].Field != c.field || p.Errors[0].Code != "control_character" {
				t.Errorf("%s: %d %s; want 400 control_character on %s", c.name, r.status, r.body, c.field)
			}
		}
		if r := e.doInvalid("GET", "/v1/audit/events?actor_user_id=a%E2%80%AEb", adminToken, nil); r.status != 400 {
			t.Errorf("a filter with an override: %d %s", r.status, r.body)
		}
		// Free text keeps its lines and tabs, metadata too.
		if r := e.do("POST", "/v1/components/api/status", adminToken, map[string]any{"status": "degraded", "detail": "slow\n\tp99 2s"}); r.status != 201 {
			t.Errorf("a two-line detail: %d %s", r.status, r.body)
		}
		emit(t, e, with(validEvent(), "metadata", map[string]any{"note": "line one\nline two\ttab"}))
	})
}
