package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/invariant"
	"github.com/aeso-dev/aeso/internal/report"
	"github.com/aeso-dev/aeso/internal/testdb"
	"github.com/google/uuid"
)

// TestEvidenceRoundTripKeepsTheDigest proves what a seal relies on: what
// the store gives back encodes to the same canonical bytes as what it was
// given, on either database. It compares the DigestV1 encoding, which
// keeps numbers exactly as written (a bundle sealed before DigestV2 may
// hold 12345678901234567890): same bytes there mean the same document, so
// the same bytes in every encoding.
func TestEvidenceRoundTripKeepsTheDigest(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		db := open(t, tg)
		ctx := context.Background()
		b := &evidence.Bundle{
			ID: uuid.Must(uuid.NewV7()).String(), Kind: "security", Subject: evidence.Subject{Name: "api", Ref: "3f9c2e1"},
			Title: "Scan <api> & \"deps\" — é", Labels: map[string]string{"team": "core", "tier": "1"},
			CorrelationID: "c-1", Owner: "sec", State: evidence.StateOpen, CreatedAt: t0, CreatedBy: "ci",
		}
		if err := db.CreateBundle(ctx, b); err != nil {
			t.Fatal(err)
		}
		expires := t0.Add(48 * time.Hour)
		var want []*evidence.Item
		for i, it := range []*evidence.Item{
			{Type: "scan", Name: "deps", Result: "warn", Counts: report.Counts{Total: 3, Warnings: 2},
				Summary: "line one\nline two", Links: []evidence.Link{{URL: "https://a.example/x?y=1&z=<2>", SHA256: "0a1b", Size: 42}},
				Source: evidence.Source{URL: "https://ci.example/j/1", Runner: "r1"}, ObservedAt: t0, ExpiresAt: &expires,
				Metadata: json.RawMessage(`{"n":1.50,"big":12345678901234567890,"e":1e3,"s":"\u2028"}`), RedactedPaths: []string{"token"},
				Report: &report.Summary{Format: "sarif", Tool: "Staticcheck 2026.2.2", Result: "warn", Counts: report.Counts{Total: 3, Warnings: 2},
					DurationMS: 7, Failures: []report.Failure{{Name: "SA1019", Location: "a.go:5", Message: "deprecated"}}, SHA256: "ab", Size: 99}},
			{Type: "check", Name: "plain", Result: "pass", ObservedAt: t0.Add(time.Second)},
		} {
			it.ID, it.BundleID, it.Position, it.CreatedAt, it.CreatedBy = uuid.Must(uuid.NewV7()).String(), b.ID, i+1, t0, "ci"
			stored, err := db.AddItem(ctx, b.ID, func(*evidence.Bundle, int) (*evidence.Item, *invariant.Result, error) { return it, nil, nil })
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, stored)
		}
		before, _, err := evidence.SealAs(evidence.DigestV1, b, want)
		if err != nil {
			t.Fatal(err)
		}
		gotBundle, err := db.GetBundle(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		gotItems, err := db.BundleItems(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		after, _, err := evidence.SealAs(evidence.DigestV1, gotBundle, gotItems)
		if err != nil {
			t.Fatal(err)
		}
		if before != after {
			_, a, _ := evidence.SealAs(evidence.DigestV1, b, want)
			_, c, _ := evidence.SealAs(evidence.DigestV1, gotBundle, gotItems)
			t.Errorf("the digest changed through the store:\n%s\n%s", a, c)
		}
	})
}
