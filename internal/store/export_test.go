package store

import (
	"context"
	"fmt"
	"time"
)

// MigrateTo applies the migrations up to version only, so a test can write
// a database as an older aeso left it and then migrate it.
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return fmt.Errorf("migrate to %d: %w", version, err)
	}
	return nil
}

// QueuedEvents is how many single events wait for the committer.
func (db *DB) QueuedEvents() int { return len(db.group.queue) }

// TakenEvents is how many single events the committer has taken so far.
func (db *DB) TakenEvents() int64 { return db.group.taken.Load() }

// GroupsAlone is how many groups were written as a statement of their own
// (PostgreSQL), and how many of those attempts found the seq counter moved
// on by another writer and went through a transaction instead.
func (db *DB) GroupsAlone() (written, stale int64) {
	return db.group.alone.Load(), db.group.stale.Load()
}

// CachedStatements is how many statements the writer keeps prepared.
func (db *DB) CachedStatements() int {
	db.stmts.mu.Lock()
	defer db.stmts.mu.Unlock()
	return len(db.stmts.stmts)
}

// CachedReads is how many statements the readers keep prepared.
func (db *DB) CachedReads() int {
	db.read.mu.Lock()
	defer db.read.mu.Unlock()
	return len(db.read.stmts)
}

// ReadQuery is one statement of the posture or of a "latest" read.
type ReadQuery struct {
	Name string
	SQL  string
	Args []any
}

// PostureReads lists the statements GET /v1/status, the latest gate
// result, the latest guard report and the invariant state run, with the
// arguments given, so a test can EXPLAIN exactly what the store runs.
func (db *DB) PostureReads(gate, subject, guard, kind, stage string, resultIDs []string, now time.Time) []ReadQuery {
	var out []ReadQuery
	add := func(name string, q query) { out = append(out, ReadQuery{name, q.sql, q.args}) }
	ph := db.dialect.placeholder
	add("gate projection", projectionQuery(gateLatest, "gate = "+ph(1), gate))
	add("gate projection of the posture gates", db.postureGatesQuery([]string{gate}))
	add("gate results by id", db.byIDQuery("platform_release_gate_results", gateResultColumns, resultIDs))
	add("withdrawals of results", db.withdrawalsOfQuery(resultIDs))
	add("guard projection", projectionQuery(guardLatest, ""))
	add("guard projection of a subject", projectionQuery(guardLatest, "subject = "+ph(1), subject))
	add("guard reports by id", db.byIDQuery("platform_guard_report_summaries", guardColumns, resultIDs))
	add("invariant projection", projectionQuery(invariantLatest, ""))
	add("invariant results by id", db.byIDQuery("platform_product_invariant_results", resultColumns, resultIDs))
	add("latest gate result", db.latestGateResultQuery(gate, subject))
	add("latest guard report", db.latestGuardReportQuery(guard, subject))
	add("standing bundle", db.standingBundleQuery(kind, ""))
	add("standing bundle of a stage", db.standingBundleQuery(kind, stage))
	add("open reconciliations", db.openReconciliationsQuery(101, time.Now()))
	add("open reconciliation counts", query{openCountsQuery, nil})
	add("active waivers", db.activeWaiversQuery(gate, now))
	add("latest component reports", query{latestComponentReportsQuery, nil})
	return out
}
