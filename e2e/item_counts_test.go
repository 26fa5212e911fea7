package e2e

import (
	"errors"
	"net/http"
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
