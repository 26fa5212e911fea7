package e2e

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// A manual item's counts are evidence too: counts that do not add up, or a
// pass with failures, are refused and nothing is stored.
func TestManualItemCountsMustAddUpAndAgreeWithTheResult(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		b := newBundle(t, e, "billing", "v1")
		tests := []struct {
			name, result string
			counts       client.Counts
			field, code  string // "" when accepted
		}{
			{"a total that is not the sum of the tests", "fail", client.Counts{Total: 1, Failed: 9}, "counts", "inconsistent"},
			{"a pass with failures", "pass", client.Counts{Total: 10, Passed: 9, Failed: 1}, "result", "contradicts_counts"},
			{"a pass with errors", "pass", client.Counts{Total: 2, Passed: 1, Errored: 1}, "result", "contradicts_counts"},
			{"counts that add up", "fail", client.Counts{Total: 4, Passed: 1, Failed: 1, Skipped: 1, Errored: 1}, "", ""},
			{"a bare total", "pass", client.Counts{Total: 3}, "", ""},
		}
		stored := 0
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req := check(tt.name, tt.result)
				req.Counts = tt.counts
				_, err := e.admin.AddItem(e.ctx, b.ID, req)
				if tt.field == "" {
					if err != nil {
						t.Fatalf("AddItem: %v", err)
					}
					stored++
					return
				}
				var ce *client.Error
				if !errors.As(err, &ce) || ce.Status != http.StatusBadRequest || len(ce.Errors) != 1 ||
					ce.Errors[0].Field != tt.field || ce.Errors[0].Code != tt.code {
					t.Fatalf("AddItem = %v; want 400 with %s on %s", err, tt.code, tt.field)
				}
			})
		}
		got, err := e.admin.GetBundle(e.ctx, b.ID, 0)
		if err != nil || len(got.Items) != stored {
			t.Errorf("%d items stored (%v), want the %d accepted", len(got.Items), err, stored)
		}
	})
}

// Counts are checked when the item is added by the rule the seal needs:
// an item the seal cannot write exactly, accepted, left its bundle
// unsealable for good, and counts whose sum wrapped passed as consistent.
func TestItemCountsBeyondTwoToTheFiftyThreeAreRefusedWhenAdded(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		b := newBundle(t, e, "billing", "v2")
		path := "/v1/evidence/bundles/" + b.ID + "/items"
		for _, tc := range []struct {
			name, counts string
			fields       []string // every field refused, each with code range
		}{
			{"a total past 2^53", `{"total":9007199254740993}`, []string{"counts.total"}},
			{"counts whose sum wraps", `{"total":1,"passed":4611686018427387904,"skipped":4611686018427387904}`, []string{"counts.passed", "counts.skipped"}},
			{"a SARIF-only count past 2^53", `{"total":0,"duplicates":9223372036854775807}`, []string{"counts.duplicates"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.doInvalid("POST", path, adminToken, `{"type":"check","name":"n","result":"pass","counts":`+tc.counts+`}`)
				requireFieldErrors(t, r, "range", tc.fields)
			})
		}
		// 2^53 is exact: accepted, and the bundle seals with it.
		if r := e.do("POST", path, adminToken, `{"type":"check","name":"n","result":"pass","counts":{"total":9007199254740992,"passed":9007199254740992}}`); r.status != 201 {
			t.Fatalf("counts of 2^53: %d %s", r.status, r.body)
		}
		sealed, err := e.admin.SealBundle(e.ctx, b.ID)
		if err != nil {
			t.Fatalf("SealBundle: %v", err)
		}
		got, err := e.admin.GetBundle(e.ctx, sealed.ID, 0)
		if err != nil || len(got.Items) != 1 || got.Items[0].Counts.Total != 1<<53 {
			t.Errorf("sealed bundle %+v (%v), want the one item of 2^53 tests", got, err)
		}
	})
}

// requireFieldErrors fails unless r is a 400 validation_failed whose errors
// are on exactly fields, in order, each with code.
func requireFieldErrors(t *testing.T, r *response, code string, fields []string) {
	t.Helper()
	p := r.problem(t)
	var got []string
	for _, f := range p.Errors {
		if f.Code != code {
			t.Errorf("field %s: code %s, want %s", f.Field, f.Code, code)
		}
		got = append(got, f.Field)
	}
	if r.status != 400 || p.Code != "validation_failed" || strings.Join(got, " ") != strings.Join(fields, " ") {
		t.Fatalf("%d %s %v, want 400 validation_failed on %v", r.status, p.Code, got, fields)
	}
}
