package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// searchEvents are the trail the search tests read, oldest first.
var searchEvents = []map[string]any{
	{"actor_user_id": "alice", "action": "credentials.api_key.rotate", "target_type": "api_key", "target_id": "deploy-key-7",
		"result": "success", "correlation_id": "release-2026-11",
		"metadata": map[string]any{"reason": "Scheduled rotation", "region": "eu-west-1"}},
	{"actor_user_id": "bob", "action": "credentials.api_key.rotate", "target_type": "api_key", "target_id": "key-7-deploy",
		"result": "denied", "correlation_id": "incident-42",
		"metadata": map[string]any{"reason": "incident follow up", "nested": map[string]any{"ticket": 4711, "tags": []any{"café", "urgent"}},
			"log": "first line\nsecond\ttabbed \"quoted\" back\\slash"}},
	{"actor_service_account_id": "ci-runner", "action": "fleet.node.drain", "target_type": "node", "target_id": "node-3",
		"result": "success", "correlation_id": "release-2026-11",
		"metadata": map[string]any{"reason": "scheduled maintenance",
			// Both are secrets: the first by its key, the second by its value.
			"password": "hunter2-sesame", "note": "ghp_" + strings.Repeat("a1B2", 9)}},
}

func emitSearchEvents(t *testing.T, e *env) []client.Event {
	t.Helper()
	base := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	var out []client.Event
	for i, ev := range searchEvents {
		ev = clone(ev)
		ev["occurred_at"] = base.Add(time.Duration(i) * time.Minute).Format(time.RFC3339)
		out = append(out, emit(t, e, ev))
	}
	return out
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// listIDs lists events through the validating transport and names them by
// their index in searchEvents (or their action when they are not one).
func listIDs(t *testing.T, e *env, query string, stored []client.Event) []string {
	t.Helper()
	r := e.do("GET", "/v1/audit/events?"+query, adminToken, nil)
	if r.status != 200 {
		t.Fatalf("%s: status %d %s", query, r.status, r.body)
	}
	var page client.EventPage
	r.json(t, &page)
	var got []string
	for _, ev := range page.Events {
		name := ev.Action
		for i, s := range stored {
			if s.ID == ev.ID {
				name = fmt.Sprint("event ", i)
			}
		}
		got = append(got, name)
	}
	return got
}

func TestSearchFindsEventsByTheirWords(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		stored := emitSearchEvents(t, e)
		for _, tt := range []struct {
			name, query string
			want        []string // newest first
		}{
			{"a word of the actor", "q=alice", []string{"event 0"}},
			{"a service account", "q=ci-runner", []string{"event 2"}},
			{"a word of the action, in any case", "q=ROTATE", []string{"event 1", "event 0"}},
			{"the target id, whose words stand together", "q=deploy-key-7", []string{"event 0"}},
			{"words apart match the target in either order", "q=deploy+key+7", []string{"event 1", "event 0"}},
			{"a correlation id", "q=release-2026-11", []string{"event 2", "event 0"}},
			{"a metadata value", "q=scheduled", []string{"event 2", "event 0"}},
			{"a metadata key", "q=region", []string{"event 0"}},
			{"a nested metadata number and word", "q=4711+caf%C3%A9", []string{"event 1"}},
			{"every term must match", "q=scheduled+rotation", []string{"event 0"}},
			{"combined with a filter", "q=scheduled&result=success&actor_service_account_id=ci-runner", []string{"event 2"}},
			{"combined with an action prefix", "q=release&action=fleet.*", []string{"event 2"}},
			{"a word no event holds", "q=nowhere", nil},
			// Escapes in the stored JSON are not letters of the words
			// beside them.
			{"a word after a line break", "q=second", []string{"event 1"}},
			{"a word after a tab", "q=tabbed", []string{"event 1"}},
			{"a quoted word", "q=quoted", []string{"event 1"}},
			{"a word after a backslash", "q=slash", []string{"event 1"}},
			{"an escape's letter is no part of a word", "q=nsecond", nil},
			{"nor is its quote", "q=tabbed+quoted", []string{"event 1"}},
			{"a password sent in metadata is not found", "q=hunter2-sesame", nil},
			{"a word of that password is not found", "q=sesame", nil},
			{"a token redacted by its value is not found", "q=" + "ghp_" + strings.Repeat("a1B2", 9), nil},
			{"the redaction placeholder is not a word of the event", "q=REDACTED", nil},
			{"search syntax is read as words", "q=" + url.QueryEscape(`"alice" OR bob* NEAR(x) -y:z ^`), nil},
			{"search syntax around a real word", "q=" + url.QueryEscape(`"alice"*`), []string{"event 0"}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if got := listIDs(t, e, tt.query, stored); fmt.Sprint(got) != fmt.Sprint(tt.want) {
					t.Errorf("%s: got %v, want %v", tt.query, got, tt.want)
				}
			})
		}
	})
}

func TestSearchPagesLikeEveryListing(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		var want []string
		for i := 0; i < 7; i++ {
			ev := validEvent()
			ev["target_id"] = fmt.Sprintf("node-%d", i)
			ev["metadata"] = map[string]any{"batch": "nightly"}
			want = append([]string{emit(t, e, ev).ID}, want...)
			emit(t, e, validEvent()) // not nightly: never listed
		}
		var got []string
		opts := client.ListOptions{Search: "nightly", Limit: 3}
		for pages := 0; pages < 10; pages++ {
			page, err := e.admin.ListEvents(e.ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range page.Events {
				got = append(got, ev.ID)
			}
			if page.NextCursor == nil {
				break
			}
			opts.Cursor = *page.NextCursor
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("pages of q=nightly:\n got %v\nwant %v", got, want)
		}
	})
}

func TestSearchRejectsWhatHoldsNoWords(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		for _, tt := range []struct{ query, code string }{
			{"q=", "empty"},
			{"q=" + url.QueryEscape(`"*" - ( ) :`), "empty"},
			{"q=" + strings.Repeat("a", 257), "too_long"},
			{"q=" + strings.Repeat("a+", 17), "too_many_words"},
		} {
			t.Run(tt.code+" "+tt.query[:min(len(tt.query), 20)], func(t *testing.T) {
				r := e.doInvalid("GET", "/v1/audit/events?"+tt.query, adminToken, nil)
				p := r.problem(t)
				if r.status != 400 || p.Code != "validation_failed" || len(p.Errors) != 1 ||
					p.Errors[0].Field != "q" || p.Errors[0].Code != tt.code {
					t.Errorf("status %d problem %+v, want 400 validation_failed naming q with code %s", r.status, p, tt.code)
				}
			})
		}
	})
}
