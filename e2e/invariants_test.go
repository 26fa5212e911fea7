package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/app"
	"github.com/aeso-dev/aeso/internal/testdb"
)

const invariantsYAML = `invariants:
  - {id: INV-BILLING-001, title: Invoices balance, owner: billing, severity: high, critical: true, required: true, max_age: 1h}
  - {id: INV-AUTH-002, title: Login works, owner: identity, severity: medium, critical: false, required: true, max_age: 24h}
`

type invariantState struct {
	Environment string `json:"environment"`
	State       string `json:"state"`
}

type invariantView struct {
	ID        string           `json:"id"`
	Title     string           `json:"title"`
	RetiredAt *time.Time       `json:"retired_at"`
	States    []invariantState `json:"states"`
}

func (e *env) invariant(t *testing.T, id, query string) invariantView {
	t.Helper()
	r := e.do("GET", "/v1/invariants/"+id+query, adminToken, nil)
	if r.status != 200 {
		t.Fatalf("GET %s: %d %s", id, r.status, r.body)
	}
	var v invariantView
	r.json(t, &v)
	return v
}

func states(v invariantView) string {
	var out []string
	for _, s := range v.States {
		out = append(out, s.Environment+"="+s.State)
	}
	return strings.Join(out, ",")
}

func TestInvariantStatesFollowTheirResults(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		clk := &clock{}
		e := start(t, tg, withConfigFile(writeConfig(t, invariantsYAML)), withClock(clk))
		report := func(id, status, env string) {
			t.Helper()
			r := e.do("POST", "/v1/invariants/"+id+"/results", adminToken,
				fmt.Sprintf(`{"status":%q,"environment":%q,"correlation_id":"run-1","details":{"checked":12,"token":"s3cr3t-x"}}`, status, env))
			if r.status != 201 {
				t.Fatalf("report %s %s: %d %s", id, status, r.status, r.body)
			}
			if strings.Contains(string(r.body), "s3cr3t") {
				t.Errorf("a secret in details was stored: %s", r.body)
			}
		}
		if got := states(e.invariant(t, "INV-BILLING-001", "?environment=production")); got != "production=unproven" {
			t.Errorf("never reported: %s", got)
		}
		report("INV-BILLING-001", "pass", "production")
		report("INV-AUTH-002", "pass", "staging")
		// Environments any invariant reported in apply to all of them.
		if got := states(e.invariant(t, "INV-BILLING-001", "")); got != "production=passing,staging=unproven" {
			t.Errorf("after one pass: %s", got)
		}
		report("INV-BILLING-001", "fail", "production")
		if got := states(e.invariant(t, "INV-BILLING-001", "?environment=production")); got != "production=failing" {
			t.Errorf("after a failure: %s", got)
		}
		report("INV-BILLING-001", "error", "production")
		if got := states(e.invariant(t, "INV-BILLING-001", "?environment=production")); got != "production=failing" {
			t.Errorf("after an error: %s", got)
		}
		report("INV-BILLING-001", "pass", "production")
		clk.advance(61 * time.Minute) // max_age is 1h: stale by the clock, no new write
		if got := states(e.invariant(t, "INV-BILLING-001", "?environment=production")); got != "production=stale" {
			t.Errorf("an hour after the last pass: %s", got)
		}
		if got := states(e.invariant(t, "INV-AUTH-002", "?environment=staging")); got != "staging=passing" {
			t.Errorf("a 24h invariant after an hour: %s", got)
		}

		// History, newest first, with paging.
		r := e.do("GET", "/v1/invariants/INV-BILLING-001/results?limit=2", adminToken, nil)
		var page struct {
			Results []struct {
				Status, Source string
			} `json:"results"`
			NextCursor *string `json:"next_cursor"`
		}
		r.json(t, &page)
		if len(page.Results) != 2 || page.Results[0].Status != "pass" || page.Results[1].Status != "error" ||
			page.NextCursor == nil || page.Results[0].Source != "admin" {
			t.Errorf("history page: %+v", page)
		}

		for name, tc := range map[string]struct {
			id, body string
			status   int
			code     string
		}{
			"an unknown invariant":  {"INV-NOPE-001", `{"status":"pass","environment":"production"}`, 404, "unknown_invariant"},
			"an unknown status":     {"INV-AUTH-002", `{"status":"ok","environment":"production"}`, 400, "validation_failed"},
			"no environment":        {"INV-AUTH-002", `{"status":"pass"}`, 400, "validation_failed"},
			"an evidence id":        {"INV-AUTH-002", `{"status":"pass","environment":"prod","bundle_id":"nope"}`, 400, "validation_failed"},
			"evidence never stored": {"INV-AUTH-002", `{"status":"pass","environment":"prod","bundle_id":"0190a1b2-0000-7000-8000-000000000000"}`, 400, "validation_failed"},
			"a result from 2099":    {"INV-AUTH-002", `{"status":"pass","environment":"prod","observed_at":"2099-01-01T00:00:00Z"}`, 400, "validation_failed"},
			"a field of no meaning": {"INV-AUTH-002", `{"status":"pass","environment":"prod","verdict":"x"}`, 400, "validation_failed"},
		} {
			r := e.doInvalid("POST", "/v1/invariants/"+tc.id+"/results", adminToken, tc.body)
			if p := r.problem(t); r.status != tc.status || p.Code != tc.code {
				t.Errorf("%s: %d %+v", name, r.status, p)
			}
		}
	})
}

func TestInvariantIDsAreStable(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg, withConfigFile(writeConfig(t, invariantsYAML)))
		if r := e.do("POST", "/v1/invariants/INV-AUTH-002/results", adminToken, `{"status":"pass","environment":"prod"}`); r.status != 201 {
			t.Fatalf("report: %d %s", r.status, r.body)
		}
		e.stop()

		// Reusing an ID for another meaning stops the start.
		renamed := strings.Replace(invariantsYAML, "title: Login works", "title: Signup works", 1)
		cfg := defaultsFor(tg)
		cfg.ConfigPath = writeConfig(t, renamed)
		if m, err := app.Start(context.Background(), cfg); err == nil {
			m.Shutdown(context.Background())
			t.Fatal("a new title for INV-AUTH-002 was accepted")
		} else if !strings.Contains(err.Error(), "INV-AUTH-002") || !strings.Contains(err.Error(), "new ID") {
			t.Errorf("start error %v; want it to name the ID and ask for a new one", err)
		}

		// Retiring an ID keeps its history and refuses new results.
		retired := strings.Split(invariantsYAML, "\n")
		e2 := start(t, tg, withConfigFile(writeConfig(t, retired[0]+"\n"+retired[1]+"\n")))
		v := e2.invariant(t, "INV-AUTH-002", "")
		if v.RetiredAt == nil || v.Title != "Login works" {
			t.Errorf("a retired invariant reads as %+v", v)
		}
		if r := e2.do("GET", "/v1/invariants/INV-AUTH-002/results", adminToken, nil); r.status != 200 || !strings.Contains(string(r.body), `"status":"pass"`) {
			t.Errorf("history of a retired invariant: %d %s", r.status, r.body)
		}
		if r := e2.do("POST", "/v1/invariants/INV-AUTH-002/results", adminToken, `{"status":"pass","environment":"prod"}`); r.status != 409 || r.problem(t).Code != "invariant_retired" {
			t.Errorf("a result for a retired invariant: %d %s", r.status, r.body)
		}
		page, err := e2.admin.ListEvents(e2.ctx, clientList("aeso.invariant.*"))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ev := range page.Events {
			got = append(got, ev.Action+" "+ev.TargetID)
		}
		want := "aeso.invariant.retire INV-AUTH-002,aeso.invariant.define INV-AUTH-002,aeso.invariant.define INV-BILLING-001"
		if strings.Join(got, ",") != want {
			t.Errorf("definition changes in the audit trail:\n%s\nwant\n%s", strings.Join(got, ","), want)
		}
	})
}

func clientList(action string) client.ListOptions { return client.ListOptions{Action: action} }

func TestAnInvariantResultItemIsRecordedBothWays(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg, withConfigFile(writeConfig(t, invariantsYAML)))
		b := newBundle(t, e, "billing", "v7")
		it, err := e.admin.AddItem(e.ctx, b.ID, client.ItemRequest{
			Type: "invariant_result", Name: "invoices balance", Result: "pass",
			Metadata: []byte(`{"invariant_id":"INV-BILLING-001","environment":"production"}`),
		})
		if err != nil {
			t.Fatal(err)
		}
		r := e.do("GET", "/v1/invariants/INV-BILLING-001/results", adminToken, nil)
		var page struct {
			Results []struct {
				Status, Environment string
				BundleID            string `json:"bundle_id"`
				ItemID              string `json:"item_id"`
			} `json:"results"`
		}
		r.json(t, &page)
		if len(page.Results) != 1 || page.Results[0].BundleID != b.ID || page.Results[0].ItemID != it.ID ||
			page.Results[0].Status != "pass" || page.Results[0].Environment != "production" {
			t.Errorf("the invariant side of the item: %+v", page.Results)
		}
		// The result counts once its bundle is sealed.
		if got := states(e.invariant(t, "INV-BILLING-001", "?environment=production")); got != "production=unproven" {
			t.Errorf("state after the item, its bundle open: %s", got)
		}
		// A bad link writes neither record.
		for name, md := range map[string]string{
			"an unknown invariant": `{"invariant_id":"INV-NOPE-001","environment":"production"}`,
			"no environment":       `{"invariant_id":"INV-BILLING-001"}`,
		} {
			_, err := e.admin.AddItem(e.ctx, b.ID, client.ItemRequest{Type: "invariant_result", Name: "x", Result: "pass", Metadata: []byte(md)})
			if err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
		got, err := e.admin.GetBundle(e.ctx, b.ID, 0)
		if err != nil || len(got.Items) != 1 {
			t.Errorf("refused links left %d items (%v)", len(got.Items), err)
		}
		if _, err := e.admin.SealBundle(e.ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		if got := states(e.invariant(t, "INV-BILLING-001", "?environment=production")); got != "production=passing" {
			t.Errorf("state after the item, its bundle sealed: %s", got)
		}
	})
}
