package e2e

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso/internal/testdb"
)

// listing is one paged listing of the API: its path and the key of its
// items in the answer.
type listing struct{ path, key string }

// pageOf reads one page of l after query: the ids of its items and its
// next cursor ("" on the last page).
func (e *env) pageOf(t *testing.T, l listing, query string) ([]string, string) {
	t.Helper()
	r := e.do("GET", l.path+query, adminToken, nil)
	if r.status != 200 {
		t.Fatalf("GET %s%s: %d %s", l.path, query, r.status, r.body)
	}
	var body map[string]json.RawMessage
	r.json(t, &body)
	var items []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body[l.key], &items); err != nil {
		t.Fatalf("GET %s%s: %s: %v", l.path, query, body[l.key], err)
	}
	var next *string
	if err := json.Unmarshal(body["next_cursor"], &next); err != nil {
		t.Fatalf("GET %s%s: next_cursor %s: %v", l.path, query, body["next_cursor"], err)
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	if next == nil {
		return ids, ""
	}
	return ids, *next
}

func TestEveryListingPagesAlikeAndRefusesCursorsItDidNotHandOut(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		w := newWorld(t, tg)
		for range 3 {
			w.healthy()
			w.guard("secrets", "blocking", 0)
			w.evaluate("release", "api@v1")
			w.post("/v1/status/snapshots", ``, 201)
			w.record("api", "low", "replicas 2, want 3")
			w.waive("evidence-security", "api@v1", "a scan is late")
		}
		for _, ref := range []string{"v7", "v8", "v9"} {
			w.evaluate("release", "old@"+ref)
			w.post("/v1/gates/release/withdrawals", `{"subject":"old@`+ref+`","reason":"never shipped"}`, 201)
		}
		events := listing{"/v1/audit/events", "events"}
		listings := []listing{
			events,
			{"/v1/evidence/bundles", "bundles"},
			{"/v1/gates/release/results", "results"},
			{"/v1/guards/secrets/reports", "reports"},
			{"/v1/invariants/INV-BILLING-001/results", "results"},
			{"/v1/components/api/history", "reports"},
			{"/v1/status/snapshots", "snapshots"},
			{"/v1/reconciliations", "records"},
			{"/v1/gates/release/waivers", "waivers"},
			{"/v1/gates/release/withdrawals", "withdrawals"},
		}
		_, eventCursor := w.e.pageOf(t, events, "?limit=1")
		_, idCursor := w.e.pageOf(t, listings[1], "?limit=1")
		if eventCursor == "" || idCursor == "" {
			t.Fatalf("a first page of one holds everything: %q %q", eventCursor, idCursor)
		}
		for _, l := range listings {
			t.Run(l.path, func(t *testing.T) {
				all, next := w.e.pageOf(t, l, "?limit=500")
				if len(all) < 3 || next != "" {
					t.Fatalf("one page of everything: %d items, next %q", len(all), next)
				}
				var paged []string
				for cursor := ""; ; {
					query := "?limit=2"
					if cursor != "" {
						query += "&cursor=" + cursor
					}
					ids, next := w.e.pageOf(t, l, query)
					if len(ids) == 0 || len(ids) > 2 || len(paged) > len(all) {
						t.Fatalf("after %d items, a page of %d", len(paged), len(ids))
					}
					paged = append(paged, ids...)
					if next == "" {
						break
					}
					if slices.Contains(all, next) {
						t.Errorf("the cursor %q is an id the client could read", next)
					}
					cursor = next
				}
				if !slices.Equal(paged, all) {
					t.Errorf("pages of two: %v\none page: %v", paged, all)
				}

				foreign := eventCursor
				if l == events {
					foreign = idCursor
				}
				for name, cursor := range map[string]string{
					"not a cursor":               "x",
					"an item's id":               all[0],
					"another kind of listing's":  foreign,
					"a cursor with its end lost": idCursor[:len(idCursor)-4],
				} {
					r := w.e.doInvalid("GET", l.path+"?cursor="+cursor, adminToken, nil)
					p := r.problem(t)
					if r.status != 400 || p.Code != "validation_failed" || len(p.Errors) != 1 ||
						p.Errors[0].Field != "cursor" || p.Errors[0].Code != "format" {
						t.Errorf("%s: %d %s", name, r.status, r.body)
					}
				}
			})
		}

		// The console pages with the same cursors, and refuses the same.
		b := w.e.browser()
		b.mustSignIn(adminToken)
		for _, path := range []string{"/ui/audit", "/ui/evidence", "/ui/gates/release",
			"/ui/invariants/INV-BILLING-001", "/ui/components/api", "/ui/snapshots"} {
			older := b.get(path+"?limit=1").link(t, "Older")
			if !strings.Contains(older, "cursor=") {
				t.Errorf("%s: the older page is %s", path, older)
			}
			wants(t, path+"'s older page", b.get(older), 200)
			wants(t, path+" given an id for a cursor", b.get(path+"?cursor="+w.seal("api", "v9")), 400, "is not a cursor")
		}
	})
}
