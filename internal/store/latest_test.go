package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/guard"
	"github.com/aeso-dev/aeso/internal/invariant"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// Reports arrive out of order: the latest is the newest observation, ties
// broken by the greater id, whatever order they were written in.
func TestTheLatestRowIsTheNewestWhateverTheOrderOfArrival(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		ctx := context.Background()
		db := open(t, tg)
		if err := db.SaveInvariantDefinitions(ctx, []*invariant.Stored{{
			Def: invariant.Def{ID: "INV-ORDER-001", Title: "Order", Owner: "team", Severity: "high"}, FirstSeen: t0,
		}}, nil, t0, nil); err != nil {
			t.Fatal(err)
		}
		// Written in this order; times and ids say which is newest.
		arrivals := []struct {
			id string
			at time.Time
		}{
			{"01900000-0000-7000-8000-000000000002", t0.Add(2 * time.Minute)}, // newest
			{"01900000-0000-7000-8000-000000000003", t0.Add(time.Minute)},     // older, though a greater id
			{"01900000-0000-7000-8000-000000000001", t0.Add(2 * time.Minute)}, // same time, smaller id
		}
		for _, a := range arrivals {
			if err := db.AddInvariantResult(ctx, &invariant.Result{ID: a.id, InvariantID: "INV-ORDER-001", Status: "pass",
				Environment: "production", ObservedAt: a.at, RecordedAt: a.at, Source: "ci"}); err != nil {
				t.Fatal(err)
			}
			if err := db.AddGuardReport(ctx, &guard.Report{ID: a.id, Guard: "scan", Subject: "api@v1", Mode: "warn",
				Findings: []guard.Finding{}, ObservedAt: a.at, RecordedAt: a.at, Source: "ci"}); err != nil {
				t.Fatal(err)
			}
		}
		want := arrivals[0].id
		results, err := db.LatestInvariantResults(ctx)
		if err != nil || len(results) != 1 || results[0].ID != want {
			t.Errorf("latest invariant results %v %v, want only %s", results, err, want)
		}
		reports, err := db.LatestGuardReportsForSubject(ctx, "api@v1")
		if err != nil || len(reports) != 1 || reports[0].ID != want {
			t.Errorf("latest guard reports %v %v, want only %s", reports, err, want)
		}
		// A newer one replaces it; the tie goes to the greater id.
		tie := "01900000-0000-7000-8000-000000000009"
		if err := db.AddInvariantResult(ctx, &invariant.Result{ID: tie, InvariantID: "INV-ORDER-001", Status: "fail",
			Environment: "production", ObservedAt: arrivals[0].at, RecordedAt: arrivals[0].at, Source: "ci"}); err != nil {
			t.Fatal(err)
		}
		if results, err := db.LatestInvariantResults(ctx); err != nil || len(results) != 1 || results[0].ID != tie {
			t.Errorf("after a tie with a greater id: %v %v, want %s", results, err, tie)
		}
	})
}
