package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/gate"
	"github.com/aeso-dev/aeso/internal/reconcile"
	"github.com/aeso-dev/aeso/internal/status"
)

var _ status.Store = (*DB)(nil)

// LatestGateResults implements status.Store. Per gate and subject name it
// returns the newest result that counts, so a pass for api@v2 replaces
// the block of api@v1 but not that of web@v1, together with the withdrawn
// results newer than it. Only a subject's latest result can be withdrawn,
// and then the subject counts for nothing: not its older results, and not
// by hiding the result of another version of the name.
func (db *DB) LatestGateResults(ctx context.Context, gates []string) (_ []*gate.Result, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	out := []*gate.Result{}
	cols := qualified("s", gateResultColumns)
	for _, g := range gates {
		// live counts, in order newest first within a name, the results
		// not withdrawn so far: 0 before the one that counts, 1 from it.
		results, err := db.queryGateResults(ctx, `SELECT `+gateResultColumns+` FROM (SELECT `+cols+`, w.id AS withdrawal,
			SUM(CASE WHEN w.id IS NULL THEN 1 ELSE 0 END) OVER (PARTITION BY `+db.dialect.subjectName("s.subject")+`
				ORDER BY s.evaluated_at DESC, s.id DESC ROWS UNBOUNDED PRECEDING) AS live
			FROM (SELECT r.*, ROW_NUMBER() OVER (PARTITION BY subject ORDER BY evaluated_at DESC, id DESC) AS rn
				FROM platform_release_gate_results r WHERE gate = `+db.dialect.placeholder(1)+`) s
			LEFT JOIN platform_gate_withdrawals w ON w.result_id = s.id
			WHERE s.rn = 1) latest
			WHERE live = 0 OR (live = 1 AND withdrawal IS NULL) ORDER BY subject, evaluated_at DESC, id DESC`, g)
		if err != nil {
			return nil, err
		}
		out = append(out, results...)
	}
	return out, nil
}

// qualified prefixes each column of a list with a table alias.
func qualified(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// LatestGuardReports implements status.Store. Per guard and subject name
// it returns the newest report that counts, together with the newer
// reports of subjects withdrawn from the posture, each with its
// withdrawal. A subject is withdrawn when its latest result is withdrawn
// on every posture gate that evaluated it.
func (db *DB) LatestGuardReports(ctx context.Context, gates []string) (_ []status.GuardInput, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	var in strings.Builder
	args := make([]any, len(gates))
	for i, g := range gates {
		args[i] = g
	}
	if len(gates) == 0 {
		in.WriteString("(NULL)")
	} else {
		db.writePlaceholders(&in, 0, len(gates))
	}
	rows, err := db.read.QueryContext(ctx, `WITH latest AS (
			SELECT gate, subject, id, ROW_NUMBER() OVER (PARTITION BY gate, subject ORDER BY evaluated_at DESC, id DESC) AS rn
			FROM platform_release_gate_results WHERE gate IN `+in.String()+`
		), withdrawn AS (
			SELECT l.subject, MAX(CAST(w.result_id AS TEXT)) AS result_id FROM latest l
			LEFT JOIN platform_gate_withdrawals w ON w.result_id = l.id
			WHERE l.rn = 1 GROUP BY l.subject HAVING COUNT(w.id) = COUNT(*)
		)
		SELECT `+guardColumns+`, withdrawn_result FROM (SELECT `+qualified("s", guardColumns)+`, wd.result_id AS withdrawn_result,
			SUM(CASE WHEN wd.result_id IS NULL THEN 1 ELSE 0 END) OVER (PARTITION BY s.guard, `+db.dialect.subjectName("s.subject")+`
				ORDER BY s.observed_at DESC, s.id DESC ROWS UNBOUNDED PRECEDING) AS live
			FROM (SELECT r.*, ROW_NUMBER() OVER (PARTITION BY guard, subject ORDER BY observed_at DESC, id DESC) AS rn
				FROM platform_guard_report_summaries r) s
			LEFT JOIN withdrawn wd ON wd.subject = s.subject
			WHERE s.rn = 1) latest
		WHERE live = 0 OR (live = 1 AND withdrawn_result IS NULL) ORDER BY guard, subject`, args...)
	if err != nil {
		return nil, fmt.Errorf("latest guard reports: %w", err)
	}
	defer rows.Close()
	out := []status.GuardInput{}
	var withdrawnResults []string
	byResult := map[string][]int{}
	for rows.Next() {
		var result sql.NullString
		r, err := scanGuardReport(rows, &result)
		if err != nil {
			return nil, err
		}
		if result.Valid {
			withdrawnResults = append(withdrawnResults, result.String)
			byResult[result.String] = append(byResult[result.String], len(out))
		}
		out = append(out, status.GuardInput{Report: r})
	}
	if err := rows.Err(); err != nil {
		return nil, err
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

// StandingBundle implements status.Store.
func (db *DB) StandingBundle(ctx context.Context, kind, stage string) (_ *evidence.Bundle, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	ph := db.dialect.placeholder
	q := `SELECT ` + bundleColumns + `, ` + promotedColumn + ` FROM platform_evidence_bundles
		WHERE kind = ` + ph(1) + ` AND state = 'sealed' AND superseded_by IS NULL`
	args := []any{kind}
	if stage != "" {
		args = append(args, stage)
		q += " AND id IN (SELECT bundle_id FROM platform_evidence_promotions WHERE stage = " + ph(2) + ")"
	}
	rows, err := db.read.QueryContext(ctx, q+" ORDER BY sealed_at DESC, id DESC LIMIT 1", args...)
	if err != nil {
		return nil, fmt.Errorf("standing bundle: %w", err)
	}
	bundles, err := scanBundles(rows, true)
	if err != nil || len(bundles) == 0 {
		return nil, err
	}
	return bundles[0], nil
}

// OpenReconciliations implements status.Store: blocked records first, then
// by severity, so a cut list keeps the ones that weigh most.
func (db *DB) OpenReconciliations(ctx context.Context, limit int) (_ []*reconcile.Record, _ map[string]int, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	rows, err := db.read.QueryContext(ctx, `SELECT `+recordColumns+` FROM platform_reconciliation_records
		WHERE state <> 'resolved'
		ORDER BY CASE state WHEN 'blocked' THEN 0 ELSE 1 END,
			CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, id DESC
		LIMIT `+db.dialect.placeholder(1), limit)
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
	crows, err := db.read.QueryContext(ctx, `SELECT severity, COUNT(*) FROM platform_reconciliation_records
		WHERE state <> 'resolved' GROUP BY severity`)
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
