package e2e

import (
	"bytes"
	"errors"
	"net/http"
	"testing"

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
