package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/report"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// refuseResults makes the database refuse every new invariant result, so
// the second half of an invariant_result item's write fails after the
// item's own insert has run.
var refuseResults = map[string][]string{
	"sqlite": {`CREATE TRIGGER test_refuse_results BEFORE INSERT ON platform_product_invariant_results
		BEGIN SELECT RAISE(ABORT, 'invariant results refused by the test'); END`},
	"postgres": {
		`CREATE FUNCTION test_refuse_results() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'invariant results refused by the test'; END $$`,
		`CREATE TRIGGER test_refuse_results BEFORE INSERT ON platform_product_invariant_results
		FOR EACH ROW EXECUTE FUNCTION test_refuse_results()`,
	},
}

func TestAnInvariantResultItemIsStoredWholeOrNotAtAll(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg, withConfigFile(writeConfig(t, invariantsYAML)))
		b := newBundle(t, e, "billing", "v8")
		for _, q := range refuseResults[tg.Dialect] {
			if err := e.main.DB.Exec(e.ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		req := map[string]any{
			"type": "invariant_result", "name": "invoices balance", "result": "fail", "correlation_id": "deploy-9",
			"metadata": map[string]string{"invariant_id": "INV-BILLING-001", "environment": "production"},
		}
		path := "/v1/evidence/bundles/" + b.ID + "/items"
		items := func() int {
			t.Helper()
			got, err := e.admin.GetBundle(e.ctx, b.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			return len(got.Items)
		}
		type result struct {
			ItemID string `json:"item_id"`
			Status string `json:"status"`
		}
		results := func() []result {
			t.Helper()
			var page struct {
				Results []result `json:"results"`
			}
			e.do("GET", "/v1/invariants/INV-BILLING-001/results", adminToken, nil).json(t, &page)
			return page.Results
		}

		r := e.do("POST", path, adminToken, req)
		if r.status < 500 {
			t.Fatalf("with the result refused the item answered %d %s; want a server error", r.status, r.body)
		}
		if n, res := items(), results(); n != 0 || len(res) != 0 {
			t.Fatalf("a failed write left %d items and %d invariant results; want neither", n, len(res))
		}

		if err := e.main.DB.Exec(e.ctx, `DROP TRIGGER test_refuse_results`+map[string]string{
			"sqlite": "", "postgres": " ON platform_product_invariant_results"}[tg.Dialect]); err != nil {
			t.Fatal(err)
		}
		r = e.do("POST", path, adminToken, req)
		if r.status != http.StatusCreated {
			t.Fatalf("the retry answered %d %s", r.status, r.body)
		}
		var it struct {
			ID string `json:"id"`
		}
		r.json(t, &it)
		if n, res := items(), results(); n != 1 || len(res) != 1 || res[0].ItemID != it.ID || res[0].Status != "fail" {
			t.Errorf("after the retry: %d items, results %+v; want the one item %s and its one result", n, res, it.ID)
		}
	})
}

// An uploaded report has no metadata to name an invariant, so it cannot be
// an invariant_result item: such an item would not be an invariant result.
func TestAReportCannotBeAnInvariantResultItem(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg, withConfigFile(writeConfig(t, invariantsYAML)))
		b := newBundle(t, e, "billing", "v9")
		data := reportFile(t, "node-junit-top.xml")
		_, err := e.admin.AddReport(e.ctx, b.ID, client.ReportOptions{Format: report.FormatJUnit, Type: "invariant_result"},
			bytes.NewReader(data), int64(len(data)))
		var ce *client.Error
		if !errors.As(err, &ce) || ce.Status != http.StatusBadRequest || len(ce.Errors) != 1 || ce.Errors[0].Field != "type" {
			t.Fatalf("upload as invariant_result: %v; want 400 naming the field type", err)
		}
		got, err := e.admin.GetBundle(e.ctx, b.ID, 0)
		if err != nil || len(got.Items) != 0 {
			t.Errorf("the refused upload left %d items (%v)", len(got.Items), err)
		}
	})
}

// An invariant result carried by an evidence item is proof only as long
// as the item is: once the item expires the invariant is stale, in the
// posture and in a gate, though its max_age would still let it pass.
func TestAnInvariantResultExpiresWithItsItem(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		w := newWorld(t, tg)
		w.healthy()
		var b struct{ ID string }
		if err := json.Unmarshal(w.post("/v1/evidence/bundles", `{"kind":"uat","subject":{"name":"billing","ref":"v8"},"title":"uat"}`, 201), &b); err != nil {
			t.Fatal(err)
		}
		expires := w.now().Add(30 * time.Minute)
		var it struct{ ID string }
		if err := json.Unmarshal(w.post("/v1/evidence/bundles/"+b.ID+"/items", fmt.Sprintf(`{"type":"invariant_result","name":"search answers","result":"pass",
			"expires_at":%q,"metadata":{"invariant_id":"INV-SEARCH-001","environment":"production"}}`, expires.Format(time.RFC3339Nano)), 201), &it); err != nil {
			t.Fatal(err)
		}
		w.post("/v1/evidence/bundles/"+b.ID+"/seal", ``, 200)
		var page struct {
			Results []struct {
				ID        string     `json:"id"`
				ItemID    string     `json:"item_id"`
				ExpiresAt *time.Time `json:"expires_at"`
			} `json:"results"`
		}
		w.e.do("GET", "/v1/invariants/INV-SEARCH-001/results", adminToken, nil).json(t, &page)
		if len(page.Results) != 1 || page.Results[0].ItemID != it.ID || page.Results[0].ExpiresAt == nil || !page.Results[0].ExpiresAt.Equal(expires) {
			t.Fatalf("the result: %+v, want the item's expiry %s", page.Results, expires)
		}
		if got := outcomes(w.e.evaluateGate(t, "canary", "search@v1")); got != "pass: invariants-any=pass" {
			t.Errorf("while the item holds: %s", got)
		}
		// 29 minutes on, within max_age (1h) and the item's half hour:
		// passing.
		w.advance(29 * time.Minute)
		if st := summary(w.status()); strings.Contains(st, "INV-SEARCH-001") {
			t.Errorf("before the item expires:\n%s", st)
		}
		// Past the item's expiry, well within max_age: stale, as the item
		// says.
		w.advance(time.Minute + time.Second)
		want := "degraded invariant invariant_result: INV-SEARCH-001 (Search answers) last passed in production at T, as evidence item " + it.ID + " that expired at T"
		if st := summary(w.status()); !strings.Contains(st, want) {
			t.Errorf("after the item expired:\n%s\nwant a line\n%s", st, want)
		}
		if got := outcomes(w.e.evaluateGate(t, "canary", "search@v1")); got != "block: invariants-any=block" {
			t.Errorf("after the item expired: %s", got)
		}
		br := w.e.browser()
		br.mustSignIn(adminToken)
		wants(t, "the result page", br.get("/ui/invariant-results/"+page.Results[0].ID), 200, "Proof until", "stale from then on")
	})
}

// A result carried by a bundle counts once the bundle is sealed and no
// longer once a correction supersedes it: the invariant is judged by the
// newest result that counts, so an open bundle's pass does not lift a
// failure, and a superseded pass leaves the failure before it standing.
func TestAnInvariantResultCountsOnlyWhileItsBundleStands(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		w := newWorld(t, tg)
		w.healthy()
		w.result("INV-BILLING-001", "fail", "production")
		failing := "blocked invariant invariant_result: INV-BILLING-001 (Invoices balance) is failing in production"
		type result struct {
			ID                 string     `json:"id"`
			BundleState        string     `json:"bundle_state"`
			BundleSupersededBy string     `json:"bundle_superseded_by"`
			BundleSupersededAt *time.Time `json:"bundle_superseded_at"`
		}
		state := func(id string) (string, result) {
			t.Helper()
			var inv struct {
				States []struct {
					State  string
					Latest *result
				}
			}
			w.e.do("GET", "/v1/invariants/"+id+"?environment=production", adminToken, nil).json(t, &inv)
			if len(inv.States) != 1 {
				t.Fatalf("%s: states %+v", id, inv.States)
			}
			var latest result
			if inv.States[0].Latest != nil {
				latest = *inv.States[0].Latest
			}
			return inv.States[0].State, latest
		}
		newest := func(id string) result {
			t.Helper()
			var page struct{ Results []result }
			w.e.do("GET", "/v1/invariants/"+id+"/results", adminToken, nil).json(t, &page)
			if len(page.Results) == 0 {
				t.Fatalf("%s has no results", id)
			}
			return page.Results[0]
		}
		items := func(bundle string) {
			t.Helper()
			for _, inv := range []string{"INV-BILLING-001", "INV-SEARCH-001"} {
				w.post("/v1/evidence/bundles/"+bundle+"/items", `{"type":"invariant_result","name":"`+inv+`","result":"pass",
					"metadata":{"invariant_id":"`+inv+`","environment":"production"}}`, 201)
			}
		}
		var b struct{ ID string }
		if err := json.Unmarshal(w.post("/v1/evidence/bundles", `{"kind":"uat","subject":{"name":"billing","ref":"v8"},"title":"uat"}`, 201), &b); err != nil {
			t.Fatal(err)
		}
		items(b.ID)

		// Open: the passes do not count yet.
		if st := summary(w.status()); !strings.Contains(st, failing) {
			t.Errorf("while the bundle is open:\n%s\nwant the failure standing", st)
		}
		if s, _ := state("INV-SEARCH-001"); s != "unproven" {
			t.Errorf("INV-SEARCH-001 while the bundle is open: %s, want unproven", s)
		}
		if r := newest("INV-SEARCH-001"); r.BundleState != "open" {
			t.Errorf("the newest result while its bundle is open: %+v", r)
		}
		if got := outcomes(w.e.evaluateGate(t, "canary", "search@v1")); got != "block: invariants-any=block" {
			t.Errorf("while the bundle is open: %s", got)
		}
		br := w.e.browser()
		br.mustSignIn(adminToken)
		wants(t, "an open bundle's result", br.get("/ui/invariant-results/"+newest("INV-SEARCH-001").ID), 200, "not yet: its bundle is not sealed")

		// Sealed: they count.
		w.post("/v1/evidence/bundles/"+b.ID+"/seal", ``, 200)
		if st := summary(w.status()); strings.Contains(st, "INV-BILLING-001") || strings.Contains(st, "INV-SEARCH-001") {
			t.Errorf("once sealed:\n%s", st)
		}
		if s, _ := state("INV-SEARCH-001"); s != "passing" {
			t.Errorf("INV-SEARCH-001 once sealed: %s", s)
		}
		if got := outcomes(w.e.evaluateGate(t, "canary", "search@v1")); got != "pass: invariants-any=pass" {
			t.Errorf("once sealed: %s", got)
		}

		// Superseded: they count no longer, and the failure before stands.
		w.advance(time.Minute, "INV-BILLING-001")
		var corr struct{ ID string }
		if err := json.Unmarshal(w.post("/v1/evidence/bundles/"+b.ID+"/supersede", `{"reason":"ran against staging"}`, 201), &corr); err != nil {
			t.Fatal(err)
		}
		if st := summary(w.status()); !strings.Contains(st, failing) {
			t.Errorf("once superseded:\n%s\nwant the failure before standing again", st)
		}
		if s, latest := state("INV-BILLING-001"); s != "failing" || latest.BundleState != "" {
			t.Errorf("INV-BILLING-001 once superseded: %s %+v, want failing by the result sent directly", s, latest)
		}
		if s, _ := state("INV-SEARCH-001"); s != "unproven" {
			t.Errorf("INV-SEARCH-001 once superseded: %s, want unproven", s)
		}
		r := newest("INV-SEARCH-001")
		if r.BundleSupersededBy != corr.ID || r.BundleSupersededAt == nil || !r.BundleSupersededAt.Equal(w.now()) {
			t.Errorf("the newest result once its bundle is superseded: %+v, want the correction %s at %s", r, corr.ID, w.now())
		}
		if got := outcomes(w.e.evaluateGate(t, "canary", "search@v1")); got != "block: invariants-any=block" {
			t.Errorf("once superseded: %s", got)
		}
		wants(t, "a superseded bundle's result", br.get("/ui/invariant-results/"+r.ID), 200, "no longer: its bundle was corrected by", corr.ID)

		// The correction's own results count once it is sealed.
		items(corr.ID)
		if s, _ := state("INV-SEARCH-001"); s != "unproven" {
			t.Errorf("INV-SEARCH-001 while the correction is open: %s", s)
		}
		w.post("/v1/evidence/bundles/"+corr.ID+"/seal", ``, 200)
		if st := summary(w.status()); strings.Contains(st, "INV-BILLING-001") || strings.Contains(st, "INV-SEARCH-001") {
			t.Errorf("once the correction is sealed:\n%s", st)
		}

		// A failure counts at once, whatever becomes of its bundle: an
		// open bundle's failure blocks, and superseding the bundle does
		// not lift it.
		w.advance(time.Minute, "INV-BILLING-001")
		var bad struct{ ID string }
		if err := json.Unmarshal(w.post("/v1/evidence/bundles", `{"kind":"uat","subject":{"name":"billing","ref":"v9"},"title":"uat"}`, 201), &bad); err != nil {
			t.Fatal(err)
		}
		w.post("/v1/evidence/bundles/"+bad.ID+"/items", `{"type":"invariant_result","name":"invoices","result":"fail",
			"metadata":{"invariant_id":"INV-BILLING-001","environment":"production"}}`, 201)
		if st := summary(w.status()); !strings.Contains(st, failing) {
			t.Errorf("a failure in an open bundle:\n%s\nwant it counted at once", st)
		}
		w.post("/v1/evidence/bundles/"+bad.ID+"/seal", ``, 200)
		w.post("/v1/evidence/bundles/"+bad.ID+"/supersede", `{"reason":"typo in the title"}`, 201)
		if st := summary(w.status()); !strings.Contains(st, failing) {
			t.Errorf("a failure whose bundle was superseded:\n%s\nwant it standing", st)
		}
		// A pass sent directly that names an item of an open bundle proves
		// through that bundle, as the item's own result does.
		var open struct{ ID string }
		if err := json.Unmarshal(w.post("/v1/evidence/bundles", `{"kind":"uat","subject":{"name":"billing","ref":"v10"},"title":"uat"}`, 201), &open); err != nil {
			t.Fatal(err)
		}
		var it struct{ ID string }
		if err := json.Unmarshal(w.post("/v1/evidence/bundles/"+open.ID+"/items", `{"type":"check","name":"invoices","result":"pass"}`, 201), &it); err != nil {
			t.Fatal(err)
		}
		w.advance(time.Minute, "INV-BILLING-001")
		w.post("/v1/invariants/INV-BILLING-001/results", `{"status":"pass","environment":"production","item_id":"`+it.ID+`"}`, 201)
		if r := newest("INV-BILLING-001"); r.BundleState != "open" {
			t.Errorf("a direct result naming an item of an open bundle: %+v, want its bundle read", r)
		}
		if st := summary(w.status()); !strings.Contains(st, failing) {
			t.Errorf("a pass naming an item of an open bundle:\n%s\nwant the failure standing", st)
		}
	})
}

// evaluateGate evaluates gate for subject and returns the result.
func (e *env) evaluateGate(t *testing.T, gate, subject string) gateResult {
	t.Helper()
	r := e.do("POST", "/v1/gates/"+gate+"/evaluate", adminToken, map[string]string{"subject": subject})
	if r.status != 201 {
		t.Fatalf("evaluate %s: %d %s", gate, r.status, r.body)
	}
	var res gateResult
	r.json(t, &res)
	return res
}
