package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/app"
	"github.com/aeso-dev/aeso/internal/testdb"
)

type snapshotPage struct {
	Snapshots []struct {
		ID, Cause, Posture, Note string
		TakenBy                  string `json:"taken_by"`
	} `json:"snapshots"`
	NextCursor *string `json:"next_cursor"`
}

func (e *env) snapshots(t *testing.T, query string) snapshotPage {
	t.Helper()
	r := e.do("GET", "/v1/status/snapshots"+query, adminToken, nil)
	if r.status != 200 {
		t.Fatalf("list snapshots: %d %s", r.status, r.body)
	}
	var p snapshotPage
	r.json(t, &p)
	return p
}

func TestSnapshotsAreHistory(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		w := newWorld(t, tg)
		w.healthy()
		first := idOf(t, w.post("/v1/status/snapshots", ``, 201)) // the body may be empty
		w.push("api", "down", "")
		second := idOf(t, w.post("/v1/status/snapshots", `{"note":"during the outage"}`, 201))

		p := w.e.snapshots(t, "?limit=1")
		if len(p.Snapshots) != 1 || p.Snapshots[0].ID != second || p.Snapshots[0].Posture != "blocked" || p.NextCursor == nil {
			t.Fatalf("first page: %+v", p)
		}
		p = w.e.snapshots(t, "?limit=1&cursor="+*p.NextCursor)
		if len(p.Snapshots) != 1 || p.Snapshots[0].ID != first || p.Snapshots[0].Posture != "healthy" || p.NextCursor != nil {
			t.Fatalf("second page: %+v", p)
		}
		// The current posture moved on; the first snapshot did not.
		if v := w.status(); v.Kind != "current" || v.Posture != "blocked" {
			t.Errorf("current: %s %s", v.Kind, v.Posture)
		}
		r := w.e.do("GET", "/v1/status/snapshots/"+first, adminToken, nil)
		var kept statusView
		r.json(t, &kept)
		if kept.Kind != "snapshot" || kept.Posture != "healthy" || len(kept.Reasons) != 0 || kept.Snapshot.ID != first {
			t.Errorf("kept: %s", r.body)
		}

		for name, tc := range map[string]struct {
			body  string
			code  string
			field string
		}{
			"a secret in the note": {`{"note":"token=ghp_CanaryGitHubToken0123456789abcdefABCD"}`, "validation_failed", "note"},
			"an unknown field":     {`{"posture":"healthy"}`, "validation_failed", "posture"},
			"not an object":        {`[]`, "malformed_json", ""},
		} {
			r := w.e.doInvalid("POST", "/v1/status/snapshots", adminToken, tc.body)
			p := r.problem(t)
			if r.status != 400 || p.Code != tc.code || tc.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != tc.field) {
				t.Errorf("%s: %d %s", name, r.status, r.body)
			}
			if strings.Contains(string(r.body), "ghp_Canary") {
				t.Errorf("%s: the answer repeats the secret", name)
			}
		}
		if r := w.e.do("GET", "/v1/status/snapshots/01a20a43-0000-7000-8000-000000000000", adminToken, nil); r.status != 404 || r.problem(t).Code != "snapshot_not_found" {
			t.Errorf("an unknown snapshot: %d %s", r.status, r.body)
		}
		if r := w.e.do("GET", "/v1/status?verbose=1", adminToken, nil); r.status != 400 {
			t.Errorf("an unknown parameter: %d", r.status)
		}
		// Readers may read; only status:write may take a snapshot.
		reader := w.e.newToken("dash", "status:read")
		if r := w.e.do("GET", "/v1/status", reader, nil); r.status != 200 {
			t.Errorf("status:read reads the posture: %d", r.status)
		}
		if r := w.e.do("POST", "/v1/status/snapshots", reader, ``); r.status != 403 {
			t.Errorf("a snapshot without status:write: %d", r.status)
		}
		if r := w.e.do("GET", "/v1/status", w.e.newToken("ci", "evidence:write"), nil); r.status != 403 {
			t.Errorf("the posture without status:read: %d", r.status)
		}
		// Snapshots cannot be changed, not even by the database's owner.
		if err := w.e.main.DB.Exec(w.e.ctx, `UPDATE platform_readiness_snapshots SET posture = 'healthy'`); err == nil {
			t.Error("a snapshot was rewritten")
		}
		if err := w.e.main.DB.Exec(w.e.ctx, `DELETE FROM platform_readiness_snapshots`); err == nil {
			t.Error("a snapshot was deleted")
		}
	})
}

// manualTicks replaces the snapshot schedule's ticker with a channel the
// test sends on.
type manualTicks chan time.Time

func (m manualTicks) ticker(time.Duration) (<-chan time.Time, func()) { return m, func() {} }

func withTicks(m manualTicks) option { return func(c *app.Config) { c.Ticker = m.ticker } }

func TestScheduledSnapshots(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		clk := &clock{}
		cfg := writeConfig(t, componentsYAML+"status:\n  snapshot_every: 1h\n")
		ticks := manualTicks(make(chan time.Time))
		e := start(t, tg, withConfigFile(cfg), withClock(clk), withTicks(ticks))
		waitFor := func(n int) snapshotPage {
			t.Helper()
			deadline := time.Now().Add(10 * time.Second)
			for {
				p := e.snapshots(t, "")
				if len(p.Snapshots) == n || time.Now().After(deadline) {
					return p
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		// The first is taken at start: none was ever taken.
		p := waitFor(1)
		if len(p.Snapshots) != 1 || p.Snapshots[0].Cause != "schedule" || p.Snapshots[0].TakenBy != "aeso-scheduler" {
			t.Fatalf("at start: %+v", p)
		}
		// Ticks within the interval store nothing: with replicas sharing a
		// database, the first one to tick takes the snapshot.
		ticks <- time.Now()
		ticks <- time.Now() // the previous tick has been handled once this one is taken
		if p := e.snapshots(t, ""); len(p.Snapshots) != 1 {
			t.Fatalf("ticks within the interval: %d snapshots", len(p.Snapshots))
		}
		clk.advance(time.Hour)
		ticks <- time.Now()
		if p := waitFor(2); len(p.Snapshots) != 2 {
			t.Fatalf("an hour later: %d snapshots", len(p.Snapshots))
		}
		// A restart within the interval does not take another; one after it
		// takes one at once, without waiting for a tick.
		e.stop()
		ticks = manualTicks(make(chan time.Time))
		e = startAgain(t, e, withConfigFile(cfg), withClock(clk), withTicks(ticks))
		// The scheduler takes a tick only after its decision at start.
		select {
		case ticks <- time.Now():
		case <-time.After(30 * time.Second):
			t.Fatal("the restarted scheduler takes no tick")
		}
		if p := e.snapshots(t, ""); len(p.Snapshots) != 2 {
			t.Fatalf("restarted within the interval: %d snapshots", len(p.Snapshots))
		}
		e.stop()
		clk.advance(2 * time.Hour)
		e = startAgain(t, e, withConfigFile(cfg), withClock(clk), withTicks(manualTicks(make(chan time.Time))))
		if p := waitFor(3); len(p.Snapshots) != 3 {
			t.Fatalf("restarted after the interval: %d snapshots", len(p.Snapshots))
		}
	})
}
