package e2e

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/testdb"
)

func TestListingFiltersThroughTheAPI(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg, withConfigFile(writeConfig(t, registryYAML)))
		base := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
		specs := []struct{ action, result, actor string }{
			{"credentials.api_key.rotate", "success", "alice"},
			{"credentials.api_key.rotate", "denied", "bob"},
			{"fleet.node.drain", "success", "alice"},
			{"fleet.node.cordon", "failure", "bob"},
		}
		for i, s := range specs {
			ev := validEvent()
			ev["action"], ev["result"], ev["actor_user_id"] = s.action, s.result, s.actor
			ev["occurred_at"] = base.Add(time.Duration(i) * time.Minute).Format(time.RFC3339)
			emit(t, e, ev)
		}
		tests := []struct {
			name  string
			query string
			want  []string // actor/action/result of each event, newest first
		}{
			{"a category keeps its registered actions", "category=Access",
				[]string{"bob/credentials.api_key.rotate/denied", "alice/credentials.api_key.rotate/success"}},
			{"Uncategorized keeps unregistered actions", "category=Uncategorized",
				[]string{"bob/fleet.node.cordon/failure", "alice/fleet.node.drain/success"}},
			{"Platform keeps aeso's own actions", "category=Platform", []string{"aeso/aeso.token.create/success"}},
			{"an action prefix", "action=fleet.*",
				[]string{"bob/fleet.node.cordon/failure", "alice/fleet.node.drain/success"}},
			{"actor and result together", "actor_user_id=bob&result=denied", []string{"bob/credentials.api_key.rotate/denied"}},
			{"a time window", "since=" + url.QueryEscape(base.Add(time.Minute).Format(time.RFC3339)) +
				"&until=" + url.QueryEscape(base.Add(3*time.Minute).Format(time.RFC3339)),
				[]string{"alice/fleet.node.drain/success", "bob/credentials.api_key.rotate/denied"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.do("GET", "/v1/audit/events?"+tt.query, adminToken, nil)
				var page client.EventPage
				r.json(t, &page)
				var got []string
				for _, ev := range page.Events {
					actor := ev.ActorUserID
					if actor == "" {
						actor = ev.ActorServiceAccountID
					}
					got = append(got, actor+"/"+ev.Action+"/"+ev.Result)
				}
				if r.status != 200 || fmt.Sprint(got) != fmt.Sprint(tt.want) {
					t.Errorf("status %d events %v, want %v", r.status, got, tt.want)
				}
			})
		}
	})
}

func TestListingRejectsBadParameters(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		for query, field := range map[string]string{
			"limit=0":             "limit",
			"limit=1001":          "limit",
			"limit=ten":           "limit",
			"since=yesterday":     "since",
			"until=2026-13-01":    "until",
			"result=ok":           "result",
			"action=Fleet.*":      "action",
			"action=*":            "action",
			"cursor=not-a-cursor": "cursor",
			"actor=alice":         "actor",
			"limit=5&limit=6":     "limit",
			"category=Finance":    "category",
			// A filter given empty is refused, not read as "any".
			"actor_user_id=":     "actor_user_id",
			"action=&limit=2":    "action",
			"since=":             "since",
			"target_id=&result=": "",
			"correlation_id=":    "correlation_id",
		} {
			t.Run(query, func(t *testing.T) {
				r := e.doInvalid("GET", "/v1/audit/events?"+query, adminToken, nil)
				p := r.problem(t)
				if field == "" { // two empty filters: both named
					if r.status != 400 || len(p.Errors) != 2 || p.Errors[0].Code != "empty" {
						t.Errorf("status %d problem %+v, want 400 naming both", r.status, p)
					}
					return
				}
				if r.status != 400 || len(p.Errors) != 1 || p.Errors[0].Field != field {
					t.Errorf("status %d problem %+v, want 400 naming %q", r.status, p, field)
				}
			})
		}
		r := e.do("GET", "/v1/audit/events/0190a1b2-0000-7000-8000-000000000000", adminToken, nil)
		if p := r.problem(t); r.status != 404 || p.Code != "event_not_found" {
			t.Errorf("unknown id: %d %+v", r.status, p)
		}
	})
}

func TestPagingNeitherSkipsNorRepeatsWhileEventsArrive(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		existing := map[string]bool{}
		for i := 0; i < 25; i++ {
			ev := validEvent()
			ev["target_id"] = fmt.Sprintf("key-%d", i)
			existing[emit(t, e, ev).ID] = true
		}
		// The bootstrap token's creation is in the trail too.
		page, err := e.admin.ListEvents(e.ctx, client.ListOptions{Action: "aeso.token.create"})
		if err != nil || len(page.Events) != 1 {
			t.Fatalf("bootstrap event: %v %v", page, err)
		}
		existing[page.Events[0].ID] = true

		seen := map[string]bool{}
		opts := client.ListOptions{Limit: 4}
		var lastSeq int64 = 1 << 62
		for pages := 0; ; pages++ {
			page, err := e.admin.ListEvents(e.ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range page.Events {
				if seen[ev.ID] {
					t.Fatalf("event %s (seq %d) appeared twice", ev.ID, ev.Seq)
				}
				if ev.Seq >= lastSeq {
					t.Fatalf("seq %d after %d: not newest first", ev.Seq, lastSeq)
				}
				seen[ev.ID], lastSeq = true, ev.Seq
			}
			// New events land between pages; they belong before the first
			// page and must not shift the rest.
			for i := 0; i < 3; i++ {
				emit(t, e, validEvent())
			}
			if page.NextCursor == nil {
				break
			}
			if pages > 20 {
				t.Fatal("paging does not end")
			}
			opts.Cursor = *page.NextCursor
		}
		if len(seen) != len(existing) {
			t.Errorf("paged through %d events, want the %d that existed", len(seen), len(existing))
		}
		for id := range existing {
			if !seen[id] {
				t.Errorf("event %s was skipped", id)
			}
		}
	})
}
