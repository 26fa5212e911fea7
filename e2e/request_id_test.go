package e2e

import (
	"strings"
	"testing"

	"github.com/aeso-dev/aeso/internal/testdb"
)

// TestRequestIDIsKeptOnlyWhenPlain sends ids a proxy would make and ids a
// credential would look like: the first come back and are stored, the
// others are replaced by a generated id and reach neither the log nor the
// trail.
func TestRequestIDIsKeptOnlyWhenPlain(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		writer := e.newToken("ids", "audit:write")
		kept := []string{
			"req-1", "0194a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "01HZX3Q4R5S6T7V8W9X0Y1Z2A3",
			"svc:api.v2_42", strings.Repeat("a", 128),
		}
		replaced := []string{
			"password=hunter2", "passwd:x-canary-rid", "token:canary-rid-1", "api_key:canary-rid-2",
			"dXNlcjpjYW5hcnktcmlk+/==", "a/b-canary-rid", "canary+rid", strings.Repeat("b", 129),
			"ghp_CanaryRequestId0123456789abcdefABCDEF", "has space-canary", "ünïcode-canary",
		}
		check := func(id string, wantKept bool) {
			t.Helper()
			r := e.do("POST", "/v1/audit/events", writer, validEvent(), "X-Request-Id", id)
			if r.status != 201 {
				t.Fatalf("id %q: %d %s", id, r.status, r.body)
			}
			var ev struct {
				RequestID string `json:"request_id"`
			}
			r.json(t, &ev)
			got := r.header.Get("X-Request-Id")
			if wantKept && (got != id || ev.RequestID != id) {
				t.Errorf("plain id %q answered as %q and stored as %q", id, got, ev.RequestID)
			}
			if !wantKept && (got == id || got == "" || ev.RequestID != got) {
				t.Errorf("id %q answered as %q and stored as %q; want a new id in both", id, got, ev.RequestID)
			}
		}
		for _, id := range kept {
			check(id, true)
		}
		for _, id := range replaced {
			check(id, false)
		}
		logs := e.logs.String()
		for _, id := range replaced {
			if strings.Contains(logs, id) {
				t.Errorf("the log holds the refused request id %q", id)
			}
		}
		if !strings.Contains(logs, "svc:api.v2_42") {
			t.Error("the log lacks a kept request id; the check above proves nothing")
		}
	})
}
