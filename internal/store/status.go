package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/gate"
	"github.com/aeso-dev/aeso/internal/guard"
	"github.com/aeso-dev/aeso/internal/status"
)

var _ status.Store = (*DB)(nil)

// LatestGateResults implements status.Store: one indexed lookup per gate,
// however long the history.
func (db *DB) LatestGateResults(ctx context.Context, gates []string) ([]*gate.Result, error) {
	out := []*gate.Result{}
	for _, g := range gates {
		results, err := db.queryGateResults(ctx, `SELECT `+gateResultColumns+` FROM platform_release_gate_results
			WHERE gate = `+db.dialect.placeholder(1)+` ORDER BY evaluated_at DESC, id DESC LIMIT 1`, g)
		if err != nil {
			return nil, err
		}
		out = append(out, results...)
	}
	return out, nil
}

// LatestGuardReports implements status.Store.
func (db *DB) LatestGuardReports(ctx context.Context) ([]*guard.Report, error) {
	return db.queryGuardReports(ctx, `SELECT `+guardColumns+` FROM (SELECT r.*, ROW_NUMBER() OVER (
		PARTITION BY guard ORDER BY observed_at DESC, id DESC) AS rn
		FROM platform_guard_report_summaries r) latest WHERE rn = 1 ORDER BY guard`)
}

const snapshotColumns = `id, taken_at, taken_by, cause, note, posture, inputs_digest, body`

func snapshotNotFound() error {
	return aeso.Reasonf(aeso.ENOTFOUND, "snapshot_not_found", "no readiness snapshot has this id")
}

// AddSnapshot implements status.Store. The check for a recent scheduled
// snapshot runs under the audit sequence lock, so two replicas on one
// schedule store one snapshot.
func (db *DB) AddSnapshot(ctx context.Context, s *status.Snapshot, ev *audit.Event, minGap time.Duration) (bool, error) {
	stored := false
	err := db.inTx(ctx, func(tx *sql.Tx) error {
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
func (db *DB) GetSnapshot(ctx context.Context, id string) (*status.Snapshot, error) {
	id, ok := canonicalID(id)
	if !ok {
		return nil, snapshotNotFound()
	}
	snaps, err := db.querySnapshots(ctx, `SELECT `+snapshotColumns+` FROM platform_readiness_snapshots WHERE id = `+db.dialect.placeholder(1), id)
	if err != nil {
		return nil, err
	}
	if len(snaps) == 0 {
		return nil, snapshotNotFound()
	}
	return snaps[0], nil
}

// Snapshots implements status.Store.
func (db *DB) Snapshots(ctx context.Context, beforeID string, limit int) ([]*status.Snapshot, error) {
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
