package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/testdb"
)

const componentsYAML = `components:
  - {name: api, owner: platform, critical: true, stale_after: 5m, dead_after: 30m}
  - {name: worker, owner: platform, critical: false, stale_after: 1m, dead_after: 10m, description: background jobs}
`

type componentView struct {
	Name      string `json:"name"`
	Status    string `json:"status"`
	Freshness string `json:"freshness"`
	Latest    *struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Detail string `json:"detail"`
	} `json:"latest"`
}

func (e *env) component(t *testing.T, name string) componentView {
	t.Helper()
	r := e.do("GET", "/v1/components/"+name, adminToken, nil)
	if r.status != 200 {
		t.Fatalf("GET %s: %d %s", name, r.status, r.body)
	}
	var v componentView
	r.json(t, &v)
	return v
}

func TestComponentsGoStaleThenDeadByTheClock(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		clk := &clock{}
		e := start(t, tg, withConfigFile(writeConfig(t, componentsYAML)), withClock(clk))
		push := func(name, status string, observed time.Time) int {
			t.Helper()
			r := e.do("POST", "/v1/components/"+name+"/status", adminToken,
				fmt.Sprintf(`{"status":%q,"detail":"p99 %s","observed_at":%q}`, status, status, observed.UTC().Format(time.RFC3339Nano)))
			return r.status
		}
		if v := e.component(t, "api"); v.Status != "unknown" || v.Freshness != "never" || v.Latest != nil {
			t.Errorf("never reported: %+v", v)
		}
		if s := push("api", "healthy", clk.now()); s != 201 {
			t.Fatalf("push: %d", s)
		}
		if v := e.component(t, "api"); v.Status != "healthy" || v.Freshness != "fresh" {
			t.Errorf("after a push: %+v", v)
		}
		// An older report arriving late is history, not the latest.
		if s := push("api", "down", clk.now().Add(-time.Minute)); s != 201 {
			t.Fatalf("late push: %d", s)
		}
		if v := e.component(t, "api"); v.Status != "healthy" || v.Latest.Status != "healthy" {
			t.Errorf("a late, older report moved the latest: %+v", v)
		}
		for _, step := range []struct {
			after             time.Duration
			status, freshness string
		}{
			// The clock moves only when told: each boundary is met exactly,
			// then passed by a millisecond.
			{5 * time.Minute, "healthy", "fresh"},                   // at stale_after: not yet stale
			{time.Millisecond, "healthy", "stale"},                  // just over it
			{25*time.Minute - time.Millisecond, "healthy", "stale"}, // at dead_after: not yet dead
			{time.Millisecond, "down", "dead"},                      // just over: treated as down
		} {
			clk.advance(step.after)
			if v := e.component(t, "api"); v.Status != step.status || v.Freshness != step.freshness {
				t.Errorf("after another %s: %s/%s, want %s/%s", step.after, v.Status, v.Freshness, step.status, step.freshness)
			}
		}
		r := e.do("GET", "/v1/components/api/history?limit=1", adminToken, nil)
		var page struct {
			Reports    []struct{ Status string } `json:"reports"`
			NextCursor *string                   `json:"next_cursor"`
		}
		r.json(t, &page)
		if len(page.Reports) != 1 || page.Reports[0].Status != "down" || page.NextCursor == nil {
			t.Errorf("history keeps every report, newest recorded first: %+v", page)
		}
		if s := push("nope", "healthy", clk.now()); s != 404 {
			t.Errorf("an unknown component: %d", s)
		}
		if r := e.doInvalid("POST", "/v1/components/api/status", adminToken, `{"status":"fine"}`); r.status != 400 {
			t.Errorf("an unknown status: %d", r.status)
		}
		if r := e.do("POST", "/v1/components/api/status", adminToken, `{"status":"down","detail":"db password=hunter22 rejected"}`); r.status != 400 {
			t.Errorf("a secret in the detail: %d", r.status)
		}
		// A token that may only read cannot push.
		reader := e.newToken("dash", "status:read")
		if r := e.do("POST", "/v1/components/api/status", reader, `{"status":"healthy"}`); r.status != 403 {
			t.Errorf("push without status:write: %d", r.status)
		}
	})
}
