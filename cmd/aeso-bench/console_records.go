package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// consoleRecordDefs adds to the console bench's definitions a release gate
// over release evidence and the first component, and an invariant.
const consoleRecordDefs = `invariants:
  - {id: INV-BENCH-001, title: Ledger balances, owner: billing, severity: high, required: true, max_age: 24h}
gates:
  - name: release
    affects_posture: true
    rules:
      - {evidence: {kind: release}}
      - {components: [svc-0]}
`

// consoleBundles is how many release bundles the console bench seals; one
// in ten holds a failing item.
const consoleBundles = 200

// consoleRecords are the rows the record pages of the console bench open.
type consoleRecords struct {
	bundles   []string
	snapshots []string
}

// seedConsoleRecords seals bundles, evaluates the release gate for each
// subject, records invariant results, opens reconciliation records and
// takes snapshots, through the API.
func seedConsoleRecords(ctx context.Context, hc *http.Client, base, token string) (*consoleRecords, error) {
	rec := &consoleRecords{}
	post := func(path, body string) (string, error) {
		// A snapshot answers the posture it kept, its id under "snapshot".
		var out struct {
			ID       string
			Snapshot *struct{ ID string }
		}
		err := send(ctx, hc, "POST", base+path, token, body, &out)
		if out.Snapshot != nil {
			return out.Snapshot.ID, err
		}
		return out.ID, err
	}
	for i := 0; i < consoleBundles; i++ {
		id, err := post("/v1/evidence/bundles", fmt.Sprintf(`{"kind":"release","subject":{"name":"svc-%d","ref":"v%d"},"title":"release %d"}`, i%8, i, i))
		if err != nil {
			return nil, err
		}
		result, failed := "pass", 0
		if i%10 == 0 {
			result, failed = "fail", 3
		}
		if _, err := post("/v1/evidence/bundles/"+id+"/items", fmt.Sprintf(
			`{"type":"test_report","name":"unit tests","result":%q,"counts":{"total":40,"passed":%d,"failed":%d}}`, result, 40-failed, failed)); err != nil {
			return nil, err
		}
		if err := send(ctx, hc, "POST", base+"/v1/evidence/bundles/"+id+"/seal", token, "", nil); err != nil {
			return nil, err
		}
		rec.bundles = append(rec.bundles, id)
		if _, err := post("/v1/gates/release/evaluate", fmt.Sprintf(`{"subject":"svc-%d@v%d"}`, i%8, i)); err != nil {
			return nil, err
		}
	}
	for i, status := range []string{"pass", "pass", "fail", "pass"} {
		if _, err := post("/v1/invariants/INV-BENCH-001/results", fmt.Sprintf(`{"status":%q,"environment":"env-%d","observed_at":%q}`,
			status, i%2, time.Now().UTC().Format(time.RFC3339Nano))); err != nil {
			return nil, err
		}
	}
	for i, sev := range []string{"low", "medium", "high", "critical", "medium", "low"} {
		if _, err := post("/v1/reconciliations", fmt.Sprintf(`{"component":"svc-%d","kind":"drift","severity":%q,"owner":"platform","evidence":{"summary":"replica %d drifted"}}`,
			i, sev, i)); err != nil {
			return nil, err
		}
	}
	for i := 0; i < 20; i++ {
		id, err := post("/v1/status/snapshots", `{}`)
		if err != nil {
			return nil, err
		}
		rec.snapshots = append(rec.snapshots, id)
	}
	return rec, nil
}

// recordPages lists the measured pages of evidence, gates, invariants,
// snapshots, components and reconciliations, each beside the API call
// that reads the same rows.
func recordPages(rec *consoleRecords) []consolePage {
	fixed := func(name, page, api string) consolePage {
		return consolePage{name, func(*rand.Rand, int64) (string, string) { return page, api }}
	}
	pick := func(ids []string, page, api string) func(*rand.Rand, int64) (string, string) {
		return func(r *rand.Rand, _ int64) (string, string) {
			id := ids[r.IntN(len(ids))]
			return strings.ReplaceAll(page, "{id}", id), strings.ReplaceAll(api, "{id}", id)
		}
	}
	return []consolePage{
		fixed("evidence /ui/evidence", "/ui/evidence", "/v1/evidence/bundles?limit=50"),
		{"bundle /ui/evidence/{id}", pick(rec.bundles, "/ui/evidence/{id}", "/v1/evidence/bundles/{id}")},
		// No API call reads each gate's latest result per subject; the
		// gate list is timed beside a page of the gate's results.
		fixed("gates /ui/gates", "/ui/gates", "/v1/gates/release/results?limit=50"),
		fixed("gate /ui/gates/release", "/ui/gates/release", "/v1/gates/release/results?limit=25"),
		fixed("invariants /ui/invariants", "/ui/invariants", "/v1/invariants"),
		// The snapshot page puts the snapshot beside the posture now,
		// which it computes as GET /v1/status does.
		{"snapshot /ui/snapshots/{id}", pick(rec.snapshots, "/ui/snapshots/{id}", "/v1/status")},
		fixed("component /ui/components/.", "/ui/components/svc-0", "/v1/components/svc-0/history?limit=50"),
		fixed("reconciliations, open", "/ui/reconciliations", "/v1/reconciliations?open=true&limit=200"),
	}
}
