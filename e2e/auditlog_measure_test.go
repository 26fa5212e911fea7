package e2e

import (
	"strings"
	"testing"

	"github.com/aeso-dev/aeso/internal/app"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// A server started with the benchmark's switch stores events but is no
// verifiable log: it refuses every read of the tree instead of signing one
// that does not cover its events.
func TestAServerWithoutTheTreeServesNoCheckpoint(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg, func(c *app.Config) { c.WithoutTreeForMeasurement = true })
		emitBatch(t, e.admin, 3)
		for _, path := range []string{
			"/v1/audit/checkpoint",
			"/v1/audit/tlog/checkpoint",
			"/v1/audit/proof/inclusion?seq=1&tree_size=1",
			"/v1/audit/proof/consistency?from=1&to=2",
			"/v1/audit/tlog/tile/0/000.p/1",
		} {
			r := e.do("GET", path, adminToken, nil)
			if p := r.problem(t); r.status != 503 || p.Code != "unavailable" || !strings.Contains(p.Detail, "without the audit tree") {
				t.Errorf("GET %s = %d %s; want 503 unavailable, without the audit tree (%s)", path, r.status, p.Code, r.body)
			}
		}
	})
}
