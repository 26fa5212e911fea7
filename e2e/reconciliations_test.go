package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/testdb"
)

type recordView struct {
	ID                   string   `json:"id"`
	State                string   `json:"state"`
	Open                 bool     `json:"open"`
	AllowedNext          []string `json:"allowed_next"`
	RedactedPaths        []string `json:"redacted_paths"`
	TimeToResolveSeconds *float64 `json:"time_to_resolve_seconds"`
	Evidence             struct {
		Pairs []struct{ Field, Observed, Expected string } `json:"pairs"`
	} `json:"evidence"`
	Timeline []struct {
		From, To, Actor, NextAction string
	} `json:"timeline"`
}

func TestAReconciliationRecordWalksToResolution(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		clk := &clock{}
		e := start(t, tg, withConfigFile(writeConfig(t, componentsYAML)), withClock(clk))
		r := e.do("POST", "/v1/reconciliations", adminToken, `{"component":"api","kind":"drift","severity":"high","owner":"platform",
			"correlation_id":"recon-7","evidence":{"summary":"replica count drifted",
			"links":[{"url":"https://grafana.example/d/1","sha256":"`+strings.Repeat("ab", 32)+`","size":10}],
			"pairs":[{"field":"replicas","observed":"2","expected":"3"},{"field":"db_password","observed":"hunter22","expected":"x"},
			         {"field":"image","observed":"ghp_CanaryGitHubToken0123456789abcdefABCD","expected":"v1"}]}}`)
		if r.status != 201 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		var rec recordView
		r.json(t, &rec)
		if rec.State != "detected" || !rec.Open || len(rec.Timeline) != 1 ||
			strings.Join(rec.RedactedPaths, ",") != "evidence.pairs[1].observed,evidence.pairs[1].expected,evidence.pairs[2].observed" {
			t.Errorf("new record %+v", rec)
		}
		if strings.Contains(string(r.body), "hunter22") || strings.Contains(string(r.body), "ghp_Canary") {
			t.Error("a secret in an observed value was kept")
		}
		move := func(body string) (int, recordView) {
			t.Helper()
			r := e.do("POST", "/v1/reconciliations/"+rec.ID+"/transitions", adminToken, body)
			var v recordView
			if r.status == 200 {
				r.json(t, &v)
			}
			return r.status, v
		}
		// detected → repairing → retrying → blocked (needs a next action) → accepted → resolved
		if s, _ := move(`{"state":"repaired"}`); s != 409 {
			t.Errorf("detected → repaired: %d, want 409", s)
		}
		r = e.do("POST", "/v1/reconciliations/"+rec.ID+"/transitions", adminToken, `{"state":"repaired"}`)
		if p := r.problem(t); p.Code != "invalid_transition" || !strings.Contains(p.Detail, "accepted, blocked, repairing, resolved") {
			t.Errorf("the 409 should list the allowed states: %+v", p)
		}
		for _, body := range []string{`{"state":"repairing"}`, `{"state":"retrying","reason":"first attempt timed out"}`} {
			if s, _ := move(body); s != 200 {
				t.Fatalf("%s: %d", body, s)
			}
		}
		if s, _ := move(`{"state":"blocked"}`); s != 400 {
			t.Errorf("blocked without a next action: %d", s)
		}
		if s, v := move(`{"state":"blocked","next_action":"raise quota","next_action_owner":"infra"}`); s != 200 || v.State != "blocked" {
			t.Errorf("blocked: %d %+v", s, v)
		}
		if s, _ := move(`{"state":"accepted","reason":"quota request filed"}`); s != 400 {
			t.Errorf("accepted without an expiry: %d", s)
		}
		until := clk.now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
		if s, _ := move(`{"state":"accepted","reason":"quota request filed","accepted_until":"` + until + `"}`); s != 200 {
			t.Errorf("accepted: %d", s)
		}
		clk.advance(3 * time.Hour)
		s, v := move(`{"state":"resolved","reason":"quota raised"}`)
		if s != 200 || v.Open || v.TimeToResolveSeconds == nil || *v.TimeToResolveSeconds < 3*3600 || len(v.AllowedNext) != 0 {
			t.Errorf("resolved: %d %+v", s, v)
		}
		var steps []string
		for _, st := range v.Timeline {
			steps = append(steps, st.To)
		}
		if strings.Join(steps, ">") != "detected>repairing>retrying>blocked>accepted>resolved" {
			t.Errorf("timeline %v", steps)
		}
		if s, _ := move(`{"state":"repairing"}`); s != 409 {
			t.Errorf("moving a resolved record: %d", s)
		}
		page, err := e.admin.ListEvents(e.ctx, client.ListOptions{Action: "aeso.reconciliation.*", TargetID: rec.ID})
		if err != nil || len(page.Events) != 6 {
			t.Errorf("audit trail of the record: %d events (%v), want 6", len(page.Events), err)
		}
		// Open records by component and severity.
		r = e.do("GET", "/v1/reconciliations?open=true&component=api", adminToken, nil)
		var list struct{ Records []recordView }
		r.json(t, &list)
		if len(list.Records) != 0 {
			t.Errorf("a resolved record is listed as open: %+v", list)
		}
		// A bare ?open would read as false and list every record.
		for _, q := range []string{"open", "open=", "open=1"} {
			r := e.doInvalid("GET", "/v1/reconciliations?"+q, adminToken, nil)
			if p := r.problem(t); r.status != 400 || len(p.Errors) != 1 || p.Errors[0].Field != "open" {
				t.Errorf("?%s: %d %+v", q, r.status, p.Errors)
			}
		}
		for name, body := range map[string]string{
			"an unknown component": `{"component":"nope","kind":"drift","severity":"low","owner":"o","evidence":{"summary":"s"}}`,
			"no subject":           `{"kind":"drift","severity":"low","owner":"o","evidence":{"summary":"s"}}`,
			"an unknown severity":  `{"component":"api","kind":"drift","severity":"urgent","owner":"o","evidence":{"summary":"s"}}`,
			"no summary":           `{"component":"api","kind":"drift","severity":"low","owner":"o","evidence":{}}`,
		} {
			if r := e.doInvalid("POST", "/v1/reconciliations", adminToken, body); r.status != 400 {
				t.Errorf("%s: %d", name, r.status)
			}
		}
	})
}
