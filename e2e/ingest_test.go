package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/testdb"
	"github.com/google/uuid"
)

func TestIngestRejectsEveryContractViolation(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		before := e.countEvents()
		tests := []struct {
			name  string
			edit  func(ev map[string]any)
			field string
			code  string
		}{
			{"an event without an actor", func(ev map[string]any) { delete(ev, "actor_user_id") }, "actor_user_id", "required"},
			{"an action with capitals", func(ev map[string]any) { ev["action"] = "Credentials.Rotate" }, "action", "pattern"},
			{"an action of one word", func(ev map[string]any) { ev["action"] = "rotate" }, "action", "pattern"},
			{"an action over 128 characters", func(ev map[string]any) { ev["action"] = "a." + strings.Repeat("b", 127) }, "action", "too_long"},
			{"a missing action", func(ev map[string]any) { delete(ev, "action") }, "action", "required"},
			{"an unknown result", func(ev map[string]any) { ev["result"] = "ok" }, "result", "enum"},
			{"a missing result", func(ev map[string]any) { delete(ev, "result") }, "result", "required"},
			{"a timestamp without a zone", func(ev map[string]any) { ev["occurred_at"] = "2026-01-02T15:04:05" }, "occurred_at", "format"},
			{"a timestamp ten minutes ahead", func(ev map[string]any) {
				ev["occurred_at"] = time.Now().Add(10 * time.Minute).UTC().Format(time.RFC3339)
			}, "occurred_at", "future"},
			{"a missing timestamp", func(ev map[string]any) { delete(ev, "occurred_at") }, "occurred_at", "required"},
			{"a timestamp before 1970", func(ev map[string]any) { ev["occurred_at"] = "1969-12-31T23:59:59Z" }, "occurred_at", "past"},
			{"a year-0 timestamp that is year -1 in UTC", func(ev map[string]any) { ev["occurred_at"] = "0000-01-01T00:00:00+00:01" }, "occurred_at", "past"},
			{"a field with capitals", func(ev map[string]any) { ev["ACTOR_ROLE"] = ev["actor_role"]; delete(ev, "actor_role") }, "ACTOR_ROLE", "unknown_field"},
			{"a secret used as a metadata key", func(ev map[string]any) {
				ev["metadata"] = map[string]any{"seen": map[string]any{"ghp_CanaryGitHubToken0123456789abcdefABCD": 1}}
			}, "metadata.seen", "secret_key"},
			{"metadata that is not an object", func(ev map[string]any) { ev["metadata"] = []int{1} }, "metadata", "not_object"},
			{"metadata over 16 KiB", func(ev map[string]any) {
				ev["metadata"] = map[string]any{"note": strings.Repeat("x", 17<<10)}
			}, "metadata", "too_large"},
			{"metadata with 65 keys", func(ev map[string]any) {
				m := map[string]any{}
				for i := 0; i < 65; i++ {
					m[fmt.Sprintf("k%d", i)] = i
				}
				ev["metadata"] = m
			}, "metadata", "too_many_keys"},
			{"metadata nested five deep", func(ev map[string]any) {
				ev["metadata"] = map[string]any{"a": map[string]any{"b": map[string]any{"c": map[string]any{"d": map[string]any{}}}}}
			}, "metadata.a.b.c.d", "too_deep"},
			{"an id that is not a UUID", func(ev map[string]any) { ev["id"] = "retry-1" }, "id", "format"},
			{"a target id without a type", func(ev map[string]any) { delete(ev, "target_type") }, "target_type", "required"},
			{"a field the contract lacks", func(ev map[string]any) { ev["actor"] = "alice" }, "actor", "unknown_field"},
			{"a caller-chosen source", func(ev map[string]any) { ev["source"] = "someone-else" }, "source", "unknown_field"},
			{"a number where a string belongs", func(ev map[string]any) { ev["target_id"] = 42 }, "target_id", "type"},
			{"a secret in a plain field", func(ev map[string]any) {
				ev["target_display_name"] = "Bearer abc123.def456-ghi789"
			}, "target_display_name", "secret_detected"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ev := validEvent()
				tt.edit(ev)
				r := e.doInvalid("POST", "/v1/audit/events", adminToken, ev)
				if r.status != http.StatusBadRequest {
					t.Fatalf("status %d, want 400; body %s", r.status, r.body)
				}
				p := r.problem(t)
				if p.Code != "validation_failed" || len(p.Errors) == 0 {
					t.Fatalf("problem %+v, want validation_failed with field errors", p)
				}
				found := false
				for _, fe := range p.Errors {
					found = found || (fe.Field == tt.field && fe.Code == tt.code)
				}
				if !found {
					t.Errorf("errors %+v, want field %q with code %q", p.Errors, tt.field, tt.code)
				}
			})
		}
		if after := e.countEvents(); after != before {
			t.Errorf("rejected events wrote %d rows", after-before)
		}
	})
}

func TestIngestRejectsMalformedBodies(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg, withMaxBody(64<<10))
		before := e.countEvents()
		tests := []struct {
			name   string
			body   string
			status int
			code   string
		}{
			{"broken JSON", `{"action": "a.b",`, 400, "malformed_json"},
			{"a JSON array at the top", `[{"action":"a.b"}]`, 400, "malformed_json"},
			{"an empty body", ``, 400, "malformed_json"},
			{"two objects in a row", `{"action":"a.b"} {"x":1}`, 400, "malformed_json"},
			{"a body over the limit", `{"events":[` + strings.Repeat(`{"action":"a.b"},`, 5000) + `{}]}`, 413, "payload_too_large"},
			{"a batch that is not an array", `{"events":{"action":"a.b"}}`, 400, "validation_failed"},
			{"an empty batch", `{"events":[]}`, 400, "validation_failed"},
			{"a batch with a second key", `{"events":[],"dry_run":true}`, 400, "validation_failed"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.doInvalid("POST", "/v1/audit/events", adminToken, tt.body)
				if r.status != tt.status {
					t.Fatalf("status %d, want %d; body %s", r.status, tt.status, r.body)
				}
				if p := r.problem(t); p.Code != tt.code {
					t.Errorf("code %q, want %q (%s)", p.Code, tt.code, p.Detail)
				}
			})
		}
		if after := e.countEvents(); after != before {
			t.Errorf("malformed bodies wrote %d rows", after-before)
		}
	})
}

func TestAFieldGivenTwiceIsRefused(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		body := `{"events":[{"actor_user_id":"a","action":"a.b","result":"success","result":"failure","occurred_at":"2026-01-02T15:04:05Z"}]}`
		r := e.doInvalid("POST", "/v1/audit/events", adminToken, body)
		p := r.problem(t)
		if r.status != 400 || len(p.Errors) != 1 || p.Errors[0].Field != "events[0].result" || p.Errors[0].Code != "duplicate_key" || p.Code != "duplicate_key" {
			t.Errorf("status %d problem %+v, want events[0].result duplicate_key", r.status, p)
		}
	})
}

func TestBatchIsAllOrNothing(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		before := e.countEvents()
		good, bad := validEvent(), validEvent()
		bad["result"] = "maybe"
		delete(bad, "actor_user_id")
		r := e.doInvalid("POST", "/v1/audit/events", adminToken, map[string]any{"events": []any{good, validEvent(), bad}})
		if r.status != 400 {
			t.Fatalf("status %d, want 400: %s", r.status, r.body)
		}
		p := r.problem(t)
		fields := map[string]bool{}
		for _, fe := range p.Errors {
			fields[fe.Field] = true
		}
		if !fields["events[2].result"] || !fields["events[2].actor_user_id"] || len(fields) != 2 {
			t.Errorf("field errors %+v, want events[2].result and events[2].actor_user_id only", p.Errors)
		}

		tooMany := make([]any, 1001)
		for i := range tooMany {
			tooMany[i] = validEvent()
		}
		r = e.doInvalid("POST", "/v1/audit/events", adminToken, map[string]any{"events": tooMany})
		if p := r.problem(t); r.status != 400 || len(p.Errors) != 1 || p.Errors[0].Field != "events" || p.Errors[0].Code != "too_many" {
			t.Errorf("1001 events: status %d problem %+v, want 400 events too_many", r.status, p)
		}
		if after := e.countEvents(); after != before {
			t.Fatalf("failed batches wrote %d rows", after-before)
		}

		full := make([]any, 1000)
		for i := range full {
			ev := validEvent()
			ev["target_id"] = fmt.Sprintf("key-%d", i)
			full[i] = ev
		}
		r = e.do("POST", "/v1/audit/events", adminToken, map[string]any{"events": full})
		var out client.BatchReceipt
		r.json(t, &out)
		if r.status != 201 || len(out.Events) != 1000 || out.Created != 1000 || out.Replayed != 0 {
			t.Fatalf("1000 events: status %d, %d receipts, %d created", r.status, len(out.Events), out.Created)
		}
		for i, rc := range out.Events {
			if rc.Seq != out.Events[0].Seq+int64(i) || rc.Status != "created" {
				t.Fatalf("receipt %d is %+v: want consecutive seq, created", i, rc)
			}
		}
		for _, i := range []int{0, 517, 999} {
			ev, err := e.admin.GetEvent(e.ctx, out.Events[i].ID)
			if err != nil || ev.TargetID != fmt.Sprintf("key-%d", i) || ev.Seq != out.Events[i].Seq {
				t.Errorf("receipt %d points at %+v (%v): want the event sent at that index", i, ev, err)
			}
		}
		if after := e.countEvents(); after != before+1000 {
			t.Errorf("stored %d events, want 1000", after-before)
		}
	})
}

// TestLateFailuresRollBackEarlierChunks covers large batches, which are
// inserted chunk by chunk while later chunks are still being validated.
func TestLateFailuresRollBackEarlierChunks(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		stored := emit(t, e, validEvent())
		batch := func() []any {
			out := make([]any, 1000)
			for i := range out {
				ev := validEvent()
				ev["target_id"] = fmt.Sprintf("key-%d", i)
				out[i] = ev
			}
			return out
		}
		before := e.countEvents()

		invalid := batch()
		invalid[5].(map[string]any)["result"] = "maybe"
		invalid[900].(map[string]any)["action"] = "Bad"
		r := e.doInvalid("POST", "/v1/audit/events", adminToken, map[string]any{"events": invalid})
		p := r.problem(t)
		if r.status != 400 || len(p.Errors) != 2 || p.Errors[0].Field != "events[5].result" || p.Errors[1].Field != "events[900].action" {
			t.Errorf("invalid events at 5 and 900: %d %+v", r.status, p.Errors)
		}

		conflicting := batch()
		conflicting[700].(map[string]any)["id"] = stored.ID // stored with other content
		r = e.do("POST", "/v1/audit/events", adminToken, map[string]any{"events": conflicting})
		if p := r.problem(t); r.status != 409 || len(p.Errors) != 1 || p.Errors[0].Field != "events[700].id" {
			t.Errorf("a conflict at 700: %d %+v", r.status, p)
		}

		repeated := batch()
		dup := uuid.NewString()
		repeated[10].(map[string]any)["id"] = dup
		repeated[600] = repeated[10]
		r = e.do("POST", "/v1/audit/events", adminToken, map[string]any{"events": repeated})
		var receipt client.BatchReceipt
		r.json(t, &receipt)
		if r.status != 201 || receipt.Created != 999 || receipt.Replayed != 1 ||
			receipt.Events[600].Seq != receipt.Events[10].Seq || receipt.Events[600].Status != "replayed" {
			t.Errorf("an id repeated across chunks: %d created %d replayed %d", r.status, receipt.Created, receipt.Replayed)
		}
		if after := e.countEvents(); after != before+999 {
			t.Errorf("stored %d events; want only the 999 of the good batch", after-before)
		}
	})
}

func TestIdempotentRetries(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		ev := validEvent()
		ev["id"] = strings.ToUpper(uuid.NewString()) // ids are canonicalised
		first := e.do("POST", "/v1/audit/events", adminToken, ev)
		if first.status != 201 {
			t.Fatalf("first send: %d %s", first.status, first.body)
		}
		var a, b map[string]any
		first.json(t, &a)
		again := e.do("POST", "/v1/audit/events", adminToken, ev)
		again.json(t, &b)
		if again.status != 200 || a["seq"] != b["seq"] || a["recorded_at"] != b["recorded_at"] || a["id"] != strings.ToLower(ev["id"].(string)) {
			t.Errorf("replay: status %d, seq %v→%v, recorded %v→%v; want 200 with the stored event", again.status, a["seq"], b["seq"], a["recorded_at"], b["recorded_at"])
		}

		// In a batch, a replay beside a new event: the batch is created, the
		// replayed event keeps its seq.
		fresh := validEvent()
		r := e.do("POST", "/v1/audit/events", adminToken, map[string]any{"events": []any{ev, fresh, ev}})
		var batch client.BatchReceipt
		r.json(t, &batch)
		seq := int64(a["seq"].(float64))
		if r.status != 201 || batch.Created != 1 || batch.Replayed != 2 ||
			batch.Events[0].Seq != seq || batch.Events[0].Status != "replayed" ||
			batch.Events[1].Seq == seq || batch.Events[1].Status != "created" || batch.Events[2].Seq != seq {
			t.Errorf("mixed batch: status %d receipt %+v", r.status, batch)
		}

		changed := validEvent()
		changed["id"] = ev["id"]
		changed["result"] = "failure"
		before := e.countEvents()
		conflict := e.do("POST", "/v1/audit/events", adminToken, map[string]any{"events": []any{validEvent(), changed}})
		p := conflict.problem(t)
		if conflict.status != 409 || p.Code != "idempotency_conflict" || len(p.Errors) != 1 || p.Errors[0].Field != "events[1].id" {
			t.Errorf("changed content: status %d problem %+v, want 409 idempotency_conflict naming events[1].id", conflict.status, p)
		}
		if after := e.countEvents(); after != before {
			t.Errorf("a conflicting batch wrote %d rows", after-before)
		}

		// Two events of one batch with one id and different content: the
		// answer says so, not that one is already stored.
		one := validEvent()
		one["id"] = uuid.NewString()
		other := validEvent()
		other["id"], other["result"] = one["id"], "failure"
		within := e.do("POST", "/v1/audit/events", adminToken, map[string]any{"events": []any{validEvent(), one, other}})
		p = within.problem(t)
		if within.status != 409 || p.Code != "idempotency_conflict" || len(p.Errors) != 1 || p.Errors[0].Field != "events[2].id" ||
			!strings.Contains(p.Detail, "events[1] and events[2]") || strings.Contains(p.Detail, "already stored") {
			t.Errorf("a conflict within the batch: status %d problem %+v", within.status, p)
		}
		if after := e.countEvents(); after != before {
			t.Errorf("a batch conflicting with itself wrote %d rows", after-before)
		}
	})
}

func TestSourceIsTheTokenPrincipal(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		writer := e.newToken("billing-service", "audit:write")
		r := e.do("POST", "/v1/audit/events", writer, validEvent(),
			"X-Request-Id", "req-from-caller-1",
			"Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
		if r.status != 201 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if got := r.header.Get("X-Request-Id"); got != "req-from-caller-1" {
			t.Errorf("X-Request-Id echoed as %q", got)
		}
		var ev struct {
			ID, Source, RequestID, TraceID string
		}
		r.json(t, &ev)
		stored, err := e.admin.GetEvent(e.ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Source != "billing-service" || stored.RequestID != "req-from-caller-1" ||
			stored.TraceID != "4bf92f3577b34da6a3ce929d0e0e4736" ||
			stored.Presentation.DebugRefs.TraceID != stored.TraceID || stored.Presentation.DebugRefs.RequestID != "req-from-caller-1" {
			t.Errorf("stored source %q request %q trace %q refs %+v", stored.Source, stored.RequestID, stored.TraceID, stored.Presentation.DebugRefs)
		}
		// A credential pasted into X-Request-Id is never stored or logged.
		secretID := "ghp_CanaryGitHubToken0123456789abcdefABCD"
		r = e.do("POST", "/v1/audit/events", writer, validEvent(), "X-Request-Id", secretID)
		if got := r.header.Get("X-Request-Id"); got == secretID || got == "" || strings.Contains(e.logs.String(), secretID) {
			t.Errorf("a secret-looking request id came back as %q (in the log: %v)", got, strings.Contains(e.logs.String(), secretID))
		}
		// Without a request id the server makes one; a malformed traceparent is ignored.
		r = e.do("POST", "/v1/audit/events", writer, validEvent(), "Traceparent", "garbage")
		var ev2 struct {
			RequestID string `json:"request_id"`
			TraceID   string `json:"trace_id"`
		}
		r.json(t, &ev2)
		if r.header.Get("X-Request-Id") == "" || ev2.RequestID != r.header.Get("X-Request-Id") || ev2.TraceID != "" {
			t.Errorf("generated request id %q, event request %q trace %q", r.header.Get("X-Request-Id"), ev2.RequestID, ev2.TraceID)
		}
	})
}
