package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/gate"
	"github.com/aeso-dev/aeso/internal/reconcile"
	"github.com/aeso-dev/aeso/internal/status"
)

var _ status.Store = (*DB)(nil)

// LatestGateResults implements gate.Store. Per gate and subject name it
// returns the newest result that counts, so a pass for api@v2 replaces
// the block of api@v1 but not that of web@v1, together with the withdrawn
// results newer than it. Only a subject's latest result can be withdrawn,
// and then the subject counts for nothing: not its older results, and not
// by hiding the result of another version of the name.
func (db *DB) LatestGateResults(ctx context.Context, gates []string) (_ []*gate.Result, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	out := []*gate.Result{}
	for _, g := range gates {
		results, err := db.countingGateResults(ctx, g)
		if err != nil {
			return nil, err
		}
		out = append(out, results...)
	}
	return out, nil
}

// LatestGuardReports implements gate.StandingStore. Per guard and subject name
// it returns the newest report that counts, together with the newer
// reports of subjects withdrawn from the posture, each with its
// withdrawal. A subject is withdrawn when its latest result is withdrawn
// on every posture gate that evaluated it.
func (db *DB) LatestGuardReports(ctx context.Context, gates []string) (_ []gate.CountedGuardReport, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	reports, results, err := db.countingGuardReports(ctx, gates)
	if err != nil {
		return nil, err
	}
	out := []gate.CountedGuardReport{}
	var withdrawnResults []string
	byResult := map[string][]int{}
	for i, r := range reports {
		if result := results[i]; result.Valid {
			withdrawnResults = append(withdrawnResults, result.String)
			byResult[result.String] = append(byResult[result.String], len(out))
		}
		out = append(out, gate.CountedGuardReport{Report: r})
	}
	ws, err := db.WithdrawalsOf(ctx, withdrawnResults)
	if err != nil {
		return nil, err
	}
	for _, w := range ws {
		for _, i := range byResult[w.ResultID] {
			out[i].Withdrawal = w
		}
	}
	return out, nil
}

// StandingBundle implements evidence.Store.
func (db *DB) StandingBundle(ctx context.Context, kind, stage string) (_ *evidence.Bundle, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	q := db.standingBundleQuery(kind, stage)
	rows, err := db.read.QueryContext(ctx, q.sql, q.args...)
	if err != nil {
		return nil, fmt.Errorf("standing bundle: %w", err)
	}
	bundles, err := scanBundles(rows, true)
	if err != nil || len(bundles) == 0 {
		return nil, err
	}
	return bundles[0], nil
}

// OpenReconciliations implements reconcile.Store: blocked records first,
// then by severity, so a cut list keeps the ones that weigh most.
func (db *DB) OpenReconciliations(ctx context.Context, limit int, now time.Time) (_ []*reconcile.Record, _ map[string]int, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	q := db.openReconciliationsQuery(limit, now)
	rows, err := db.read.QueryContext(ctx, q.sql, q.args...)
	if err != nil {
		return nil, nil, fmt.Errorf("open reconciliations: %w", err)
	}
	defer rows.Close()
	records := []*reconcile.Record{}
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, nil, err
		}
		records = append(records, r)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	counts := map[string]int{}
	crows, err := db.read.QueryContext(ctx, openCountsQuery)
	if err != nil {
		return nil, nil, fmt.Errorf("count open reconciliations: %w", err)
	}
	defer crows.Close()
	for crows.Next() {
		var sev string
		var n int
		if err := crows.Scan(&sev, &n); err != nil {
			return nil, nil, err
		}
		counts[sev] = n
	}
	return records, counts, crows.Err()
}

const snapshotColumns = `id, taken_at, taken_by, cause, note, posture, inputs_digest, body`

func snapshotNotFound() error {
	return aeso.Reasonf(aeso.ENOTFOUND, "snapshot_not_found", "no readiness snapshot has this id")
}

// AddSnapshot implements status.Store. The check for a recent scheduled
// snapshot runs under the audit sequence lock, so two replicas on one
// schedule store one snapshot.
func (db *DB) AddSnapshot(ctx context.Context, s *status.Snapshot, ev *audit.Event, minGap time.Duration) (_ bool, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	stored := false
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		start, err := db.lockSeq(ctx, tx)
		if err != nil {
			return err
		}
		if minGap > 0 {
			var last dbTime
			err := tx.QueryRowContext(ctx, `SELECT taken_at FROM platform_readiness_snapshots
				WHERE cause = 'schedule' ORDER BY taken_at DESC LIMIT 1`).Scan(&last)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("last scheduled snapshot: %w", err)
			}
			if last.Valid && s.TakenAt.Sub(last.Time) < minGap {
				return nil
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO platform_readiness_snapshots (`+snapshotColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, s.ID, db.dialect.timeArg(s.TakenAt), s.TakenBy, s.Cause,
			s.Note, s.Posture, s.InputsDigest, string(s.Body)); err != nil {
			return fmt.Errorf("insert snapshot: %w", err)
		}
		stored = true
		return db.writeAfter(ctx, tx, start, []*audit.Event{ev})
	})
	return stored && err == nil, err
}

// GetSnapshot implements status.Store.
func (db *DB) GetSnapshot(ctx context.Context, id string) (_ *status.Snapshot, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	id, ok := canonicalID(id)
	if !ok {
		return nil, snapshotNotFound()
	}
	snaps, err := db.querySnapshots(ctx, `SELECT `+snapshotColumns+` FROM platform_readiness_snapshots WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(snaps) == 0 {
		return nil, snapshotNotFound()
	}
	return snaps[0], nil
}

// Snapshots implements status.Store.
func (db *DB) Snapshots(ctx context.Context, beforeID string, limit int) (_ []*status.Snapshot, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	q, args := db.pageQuery(`SELECT `+snapshotColumns+` FROM platform_readiness_snapshots`, nil, beforeID, limit)
	return db.querySnapshots(ctx, q, args...)
}

func (db *DB) querySnapshots(ctx context.Context, q string, args ...any) ([]*status.Snapshot, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("snapshots: %w", err)
	}
	defer rows.Close()
	out := []*status.Snapshot{}
	for rows.Next() {
		var s status.Snapshot
		var taken dbTime
		var body string
		if err := rows.Scan(&s.ID, &taken, &s.TakenBy, &s.Cause, &s.Note, &s.Posture, &s.InputsDigest, &body); err != nil {
			return nil, err
		}
		s.TakenAt, s.Body = taken.Time, []byte(body)
		out = append(out, &s)
	}
	return out, rows.Err()
}
