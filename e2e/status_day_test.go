package e2e

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// exact writes a posture in full: every reason with its ref, level, since
// and message.
func exact(v statusView) string {
	lines := []string{v.Posture}
	for _, r := range v.Reasons {
		since := "-"
		if r.Since != nil {
			since = r.Since.UTC().Format(time.RFC3339)
		}
		lines = append(lines, fmt.Sprintf("%s | %s | %s | %s | %s", r.Level, r.Source, r.Ref, since, r.Message))
	}
	return strings.Join(lines, "\n")
}

func (w *world) metric(name string) string {
	w.t.Helper()
	resp, err := http.Get(w.e.main.URL() + "/metrics")
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out []string
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, name) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func (w *world) latestReport(name string) string {
	w.t.Helper()
	v := w.e.component(w.t, name)
	if v.Latest == nil {
		w.t.Fatalf("%s never reported", name)
	}
	return v.Latest.ID
}

func (w *world) reconciliation(id string) struct{ CreatedAt, UpdatedAt time.Time } {
	w.t.Helper()
	r := w.e.do("GET", "/v1/reconciliations/"+id, adminToken, nil)
	var v struct {
		CreatedAt time.Time `json:"created_at"`
		UpdatedAt time.Time `json:"updated_at"`
	}
	r.json(w.t, &v)
	return struct{ CreatedAt, UpdatedAt time.Time }{v.CreatedAt, v.UpdatedAt}
}

// TestADayOfASmallPlatform drives the platform of postureYAML through a
// day and checks the posture and its exact reasons after every step.
func TestADayOfASmallPlatform(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		w := newWorld(t, tg)
		stamp := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
		step := func(what string, want ...string) statusView {
			t.Helper()
			v := w.status()
			if got := exact(v); got != strings.Join(want, "\n") {
				t.Fatalf("%s:\ngot\n%s\nwant\n%s", what, got, strings.Join(want, "\n"))
			}
			return v
		}

		// 08:00 every component reports, the invariant passes, the
		// security scan is sealed: nothing to say.
		w.healthy()
		morning := step("morning", "healthy")
		snap := w.post("/v1/status/snapshots", `{"note":"start of the day"}`, 201)
		snapID := idOf(t, snap)

		// 08:02 the api keeps reporting; the worker has gone silent.
		silentSince := w.observed["worker"]
		w.advance(2*time.Minute, "worker")
		workerReport := w.latestReport("worker")
		step("the worker is silent",
			"degraded",
			fmt.Sprintf("degraded | component | component_status:%s | %s | worker has not reported since %s, past stale_after 1m",
				workerReport, stamp(silentSince.Add(time.Minute)), stamp(silentSince)))

		// 08:13 still silent: past dead_after it counts as down.
		w.advance(11*time.Minute, "worker")
		step("the worker is dead",
			"degraded",
			fmt.Sprintf("degraded | component | component_status:%s | %s | worker has not reported since %s, past dead_after 10m: treated as down",
				workerReport, stamp(silentSince.Add(10*time.Minute)), stamp(silentSince)))
		if got := w.metric(`aeso_status_posture{component="worker"`); got != `aeso_status_posture{component="worker",scope="component"} 1` {
			t.Errorf("worker posture gauge: %s", got)
		}

		// 08:15 drift is detected on the api: high, so blocked.
		recID := w.record("api", "high", "replicas 2, want 3")
		rec := w.reconciliation(recID)
		deadWorker := fmt.Sprintf("degraded | component | component_status:%s | %s | worker has not reported since %s, past dead_after 10m: treated as down",
			workerReport, stamp(silentSince.Add(10*time.Minute)), stamp(silentSince))
		step("drift detected", "blocked",
			fmt.Sprintf("blocked | reconciliation | reconciliation:%s | %s | drift on api (high, owner platform) is detected: replicas 2, want 3", recID, stamp(rec.CreatedAt)),
			deadWorker)
		if got := w.metric(`aeso_reconciliation_open_records{severity="high"}`); got != `aeso_reconciliation_open_records{severity="high"} 1` {
			t.Errorf("open records gauge: %s", got)
		}

		// A repair is tried, then retried.
		w.advance(5*time.Minute, "worker")
		w.move(recID, `{"state":"repairing"}`)
		w.move(recID, `{"state":"retrying","reason":"the scheduler refused the new replica"}`)
		step("repair retried", "blocked",
			fmt.Sprintf("blocked | reconciliation | reconciliation:%s | %s | drift on api (high, owner platform) is retrying: replicas 2, want 3", recID, stamp(rec.CreatedAt)),
			deadWorker)

		// Blocked, with a next action and its owner.
		w.advance(30*time.Minute, "worker")
		w.move(recID, `{"state":"blocked","next_action":"raise the namespace quota","next_action_owner":"capacity"}`)
		blockedAt := w.reconciliation(recID).UpdatedAt
		step("blocked with a next action", "blocked",
			fmt.Sprintf(`blocked | reconciliation | reconciliation:%s | %s | drift on api (high, owner platform) is blocked: next action "raise the namespace quota" by capacity`, recID, stamp(blockedAt)),
			deadWorker)

		// The worker comes back; the drift is accepted until tomorrow.
		w.advance(time.Hour)
		until := w.now().Add(24 * time.Hour)
		w.move(recID, fmt.Sprintf(`{"state":"accepted","reason":"quota raise needs a change window","accepted_until":%q}`, stamp(until)))
		acceptedAt := w.reconciliation(recID).UpdatedAt
		accepted := step("accepted until tomorrow", "healthy",
			fmt.Sprintf("healthy | reconciliation | reconciliation:%s | %s | drift on api (high, owner platform) is accepted until %s", recID, stamp(acceptedAt), stamp(until)))
		if got := w.metric(`aeso_status_posture{component="",scope="platform"}`); !strings.HasSuffix(got, " 0") {
			t.Errorf("platform posture gauge: %s", got)
		}

		// Evening: resolved.
		w.advance(8 * time.Hour)
		w.move(recID, `{"state":"resolved","reason":"quota raised, third replica up"}`)
		evening := step("resolved", "healthy")
		if evening.InputsDigest == morning.InputsDigest || accepted.InputsDigest == evening.InputsDigest {
			t.Errorf("different rows gave the same inputs digest")
		}
		if evening.OpenReconciliations["high"] != 0 || accepted.OpenReconciliations["high"] != 1 {
			t.Errorf("open records: %v then %v", accepted.OpenReconciliations, evening.OpenReconciliations)
		}

		// The morning snapshot still says what it said, marked as history.
		r := w.e.do("GET", "/v1/status/snapshots/"+snapID, adminToken, nil)
		var kept statusView
		r.json(t, &kept)
		if kept.Kind != "snapshot" || kept.Posture != "healthy" || kept.InputsDigest != morning.InputsDigest ||
			kept.Snapshot == nil || kept.Snapshot.Note != "start of the day" || kept.Snapshot.Cause != "manual" {
			t.Errorf("morning snapshot: %s", r.body)
		}
		// Every step of the record is in the audit trail with its actor.
		page, err := w.e.admin.ListEvents(w.e.ctx, client.ListOptions{Action: "aeso.reconciliation.*", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var states []string
		for _, ev := range page.Events {
			states = append(states, fmt.Sprint(ev.Presentation.SafeDetails["state"])+"/"+ev.ActorServiceAccountID)
		}
		if got := strings.Join(states, ","); got != "resolved/admin,accepted/admin,blocked/admin,retrying/admin,repairing/admin,detected/admin" {
			t.Errorf("audited steps: %s", got)
		}
	})
}
