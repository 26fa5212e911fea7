package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/testdb"
)

const registryYAML = `actions:
  - action: credentials.api_key.rotate
    category: Access
    family: Credentials
    label: Rotate API key
    target_type_label: API key
    severity: {success: medium, failure: high}
    safe_details: [key_name, scope, nested, secret_scope, long, password, count]
    summary: "{actor} rotated {target_type} {target}"
`

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "aeso.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPresentationComesFromTheRegistry(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg, withConfigFile(writeConfig(t, registryYAML)))
		long := strings.Repeat("é", 200) // 400 bytes
		ev := validEvent()
		ev["actor_display_name"] = "Alice Example"
		ev["actor_service_account_id"] = "console"
		ev["target_display_name"] = "deploy key"
		ev["result"] = "failure"
		ev["metadata"] = map[string]any{
			"key_name": "deploy", "scope": "write", "count": 3,
			"nested":       map[string]any{"a": 1}, // not a scalar
			"secret_scope": "x",                    // secret-looking key: redacted at ingest
			"long":         long,                   // cut to 256 bytes
			"password":     "hunter2",              // allowlisted by mistake, still never shown
			"unlisted":     "not in the allowlist",
		}
		created := emit(t, e, ev)
		got, err := e.admin.GetEvent(e.ctx, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		p := got.Presentation
		want := client.Presentation{
			ActorLabel: "Alice Example (via console)", TargetLabel: "deploy key", TargetTypeLabel: "API key",
			ActionLabel: "Rotate API key", ActionCategory: "Access", ActionFamily: "Credentials",
			Summary: "Alice Example (via console) rotated API key deploy key", ResultLabel: "Failed",
			Severity: "high", Registered: true,
			DebugRefs: client.DebugRefs{
				CorrelationID: "corr-1", RequestID: got.RequestID,
				ActorRef: "user:alice", TargetRef: "api_key:key-42",
			},
		}
		details := p.SafeDetails
		p.SafeDetails = nil
		if !reflect.DeepEqual(p, want) {
			t.Errorf("presentation\n got %+v\nwant %+v", p, want)
		}
		if len(details) != 4 || details["key_name"] != "deploy" || details["scope"] != "write" ||
			details["count"] != json.Number("3") && details["count"] != float64(3) {
			t.Errorf("safe_details %v, want key_name, scope, count and long only", details)
		}
		if s, _ := details["long"].(string); len(s) > 256 || !strings.HasSuffix(s, "…") {
			t.Errorf("long detail is %d bytes (%q…); want at most 256 ending in …", len(s), s[:min(len(s), 10)])
		}

		// The same row, read through the registry's listing.
		actions, err := e.admin.Actions(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, a := range actions {
			names[a.Action] = a.BuiltIn
		}
		if builtIn, ok := names["credentials.api_key.rotate"]; !ok || builtIn || !names["aeso.token.create"] || !names["aeso.token.revoke"] {
			t.Errorf("registry %v; want the configured action and the built-in token actions", names)
		}
	})
}

func TestUnknownActionsFallBack(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		tests := []struct {
			name   string
			result string
			sev    string
			label  string
		}{
			{"a success is info", "success", "info", "Succeeded"},
			{"a failure is medium", "failure", "medium", "Failed"},
			{"a denial is medium", "denied", "medium", "Denied"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ev := validEvent()
				ev["action"] = "fleet.node_pool.drain"
				ev["target_type"] = "node_pool"
				ev["result"] = tt.result
				delete(ev, "actor_user_id")
				ev["actor_service_account_id"] = "autoscaler"
				got := emit(t, e, ev).Presentation
				want := client.Presentation{
					ActorLabel: "service account autoscaler", TargetLabel: "key-42", TargetTypeLabel: "Node pool",
					ActionLabel: "Fleet node pool drain", ActionCategory: "Uncategorized", ActionFamily: "Fleet",
					ResultLabel: tt.label, Severity: tt.sev, SafeDetails: map[string]any{},
					DebugRefs: got.DebugRefs,
				}
				want.Summary = "service account autoscaler performed fleet.node_pool.drain on Node pool key-42"
				if tt.result != "success" {
					want.Summary += " (" + strings.ToLower(tt.label) + ")"
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("presentation\n got %+v\nwant %+v", got, want)
				}
				if got.DebugRefs.ActorRef != "service_account:autoscaler" || got.DebugRefs.TargetRef != "node_pool:key-42" {
					t.Errorf("debug refs %+v", got.DebugRefs)
				}
			})
		}
	})
}

func TestARegistryChangeImprovesOldRows(t *testing.T) {
	t.Parallel()
	tg := testdb.Target{Dialect: "sqlite", DataDir: t.TempDir()}
	e := start(t, tg)
	old := emit(t, e, validEvent())
	if old.Presentation.Registered {
		t.Fatal("the action should start unregistered")
	}
	e.stop()
	e2 := startAgain(t, e, withConfigFile(writeConfig(t, registryYAML)))
	got, err := e2.admin.GetEvent(e2.ctx, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Presentation.Registered || got.Presentation.ActionLabel != "Rotate API key" || got.Seq != old.Seq {
		t.Errorf("after the registry learnt the action, the old row shows %+v", got.Presentation)
	}
}

func TestABadConfigStopsTheStartWithFileAndLine(t *testing.T) {
	t.Parallel()
	path := writeConfig(t, "actions:\n  - action: credentials.rotate\n    category: Access\n    label: Rotate\n    severity: {success: medium, failure: severe}\n")
	cfg := defaultsFor(testdb.Target{Dialect: "sqlite", DataDir: t.TempDir()})
	cfg.ConfigPath = path
	_, err := startErr(cfg)
	if err == nil || !strings.Contains(err.Error(), path+":5:") || !strings.Contains(err.Error(), "severity.failure") {
		t.Errorf("start error %v; want %s:5:… naming severity.failure", err, path)
	}
}

// emit posts one event and decodes the answer.
func emit(t *testing.T, e *env, ev map[string]any) client.Event {
	t.Helper()
	r := e.do("POST", "/v1/audit/events", adminToken, ev)
	if r.status != 201 {
		t.Fatalf("emit: %d %s", r.status, r.body)
	}
	var out client.Event
	r.json(t, &out)
	return out
}
