package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/gate"
)

var _ gate.Store = (*DB)(nil)

const gateResultColumns = `id, gate, subject, verdict, warnings, reasons, inputs_digest, ruleset_version,
	evaluator, evaluated_at, correlation_id`

// AddGateResult implements gate.Store.
func (db *DB) AddGateResult(ctx context.Context, r *gate.Result, ev *audit.Event) (err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	warnings, err := json.Marshal(r.Warnings)
	if err != nil {
		return err
	}
	reasons, err := json.Marshal(r.Reasons)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO platform_release_gate_results (`+gateResultColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			r.ID, r.Gate, r.Subject, r.Verdict, string(warnings), string(reasons), r.InputsDigest,
			r.RulesetVersion, r.Evaluator, db.dialect.timeArg(r.EvaluatedAt), r.CorrelationID)
		if err != nil {
			return fmt.Errorf("insert gate result: %w", err)
		}
		if err := db.advance(ctx, tx, gateLatest, r.Gate, r.Subject, r.ID, r.EvaluatedAt); err != nil {
			return err
		}
		return db.appendInTx(ctx, tx, ev)
	})
}

// LatestGateResult implements gate.Store.
func (db *DB) LatestGateResult(ctx context.Context, g, subject string) (_ *gate.Result, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	q := db.latestGateResultQuery(g, subject)
	results, err := db.queryGateResults(ctx, q.sql, q.args...)
	if err != nil {
		return nil, err
	}
	if len(results) == 0 {
		return nil, aeso.Reasonf(aeso.ENOTFOUND, "no_gate_result", "gate %s was never evaluated for this subject", g)
	}
	return results[0], nil
}

// GateResults implements gate.Store.
func (db *DB) GateResults(ctx context.Context, g, subject, beforeID string, limit int) (_ []*gate.Result, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	q, args := db.pageQuery(`SELECT `+gateResultColumns+` FROM platform_release_gate_results`,
		[]filter{{"gate", g}, {"subject", subject}}, beforeID, limit)
	return db.queryGateResults(ctx, q, args...)
}

func (db *DB) queryGateResults(ctx context.Context, q string, args ...any) ([]*gate.Result, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("gate results: %w", err)
	}
	defer rows.Close()
	out := []*gate.Result{}
	for rows.Next() {
		var r gate.Result
		var warnings, reasons string
		var at dbTime
		if err := rows.Scan(&r.ID, &r.Gate, &r.Subject, &r.Verdict, &warnings, &reasons, &r.InputsDigest,
			&r.RulesetVersion, &r.Evaluator, &at, &r.CorrelationID); err != nil {
			return nil, err
		}
		r.EvaluatedAt = at.Time
		if err := json.Unmarshal([]byte(warnings), &r.Warnings); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(reasons), &r.Reasons); err != nil {
			return nil, err
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}

// AddGateWaiver implements gate.Store.
func (db *DB) AddGateWaiver(ctx context.Context, w *gate.Waiver, ev *audit.Event) (err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO platform_gate_waivers (id, gate, rule, subject, reason,
			created_by, created_at, expires_at, rule_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			w.ID, w.Gate, w.Rule, w.Subject, w.Reason, w.CreatedBy, db.dialect.timeArg(w.CreatedAt), db.dialect.timeArg(w.ExpiresAt), w.RuleVersion)
		if err != nil {
			return fmt.Errorf("insert waiver: %w", err)
		}
		return db.appendInTx(ctx, tx, ev)
	})
}

const waiverColumns = `id, gate, rule, subject, reason, created_by, created_at, expires_at, rule_version`

// GateWaivers implements gate.Store.
func (db *DB) GateWaivers(ctx context.Context, g, subject string) (_ []*gate.Waiver, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	b := db.build()
	b.where("gate = ?", g)
	b.eq("subject", subject)
	q := b.query(`SELECT ` + waiverColumns + ` FROM platform_gate_waivers` + b.clause() + ` ORDER BY created_at DESC, id DESC`)
	return db.queryWaivers(ctx, q.sql, q.args...)
}

// GateWaiverPage implements gate.Store: at most limit of the gate's
// waivers older than the one with id before ("" for the newest), for a
// subject when set, newest first.
func (db *DB) GateWaiverPage(ctx context.Context, g, subject, before string, limit int) (_ []*gate.Waiver, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	b := db.build()
	b.where("gate = ?", g)
	b.eq("subject", subject)
	q := b.query(`SELECT ` + waiverColumns + ` FROM platform_gate_waivers` + newestFirst(b, "id", before, limit))
	return db.queryWaivers(ctx, q.sql, q.args...)
}

// ActiveGateWaivers implements gate.StandingStore: the waivers of the gates
// named that have not expired at now.
func (db *DB) ActiveGateWaivers(ctx context.Context, gates []string, now time.Time) (_ []*gate.Waiver, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	out := []*gate.Waiver{}
	for _, g := range gates {
		q := db.activeWaiversQuery(g, now)
		ws, err := db.queryWaivers(ctx, q.sql, q.args...)
		if err != nil {
			return nil, err
		}
		out = append(out, ws...)
	}
	return out, nil
}

func (db *DB) queryWaivers(ctx context.Context, q string, args ...any) ([]*gate.Waiver, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("gate waivers: %w", err)
	}
	defer rows.Close()
	out := []*gate.Waiver{}
	for rows.Next() {
		var w gate.Waiver
		var created, expires dbTime
		if err := rows.Scan(&w.ID, &w.Gate, &w.Rule, &w.Subject, &w.Reason, &w.CreatedBy, &created, &expires, &w.RuleVersion); err != nil {
			return nil, err
		}
		w.CreatedAt, w.ExpiresAt = created.Time, expires.Time
		out = append(out, &w)
	}
	return out, rows.Err()
}
