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
