package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/reconcile"
)

var _ reconcile.Store = (*DB)(nil)

const recordColumns = `id, component, invariant_id, kind, severity, owner, correlation_id, evidence, redacted_paths,
	state, next_action, next_action_owner, accepted_until, created_at, created_by, updated_at, resolved_at`

func recordNotFound() error {
	return aeso.Reasonf(aeso.ENOTFOUND, "reconciliation_not_found", "no reconciliation record has this id")
}

// CreateReconciliation implements reconcile.Store.
func (db *DB) CreateReconciliation(ctx context.Context, r *reconcile.Record, first *reconcile.Transition, ev *audit.Event) (err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	evidence, err := json.Marshal(r.Evidence)
	if err != nil {
		return err
	}
	paths, err := json.Marshal(nonNil(r.RedactedPaths))
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO platform_reconciliation_records (`+recordColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
			r.ID, r.Component, r.InvariantID, r.Kind, r.Severity, r.Owner, r.CorrelationID, string(evidence), string(paths),
			r.State, r.NextAction, r.NextActionOwner, nullTime{r.AcceptedUntil, db.dialect}, db.dialect.timeArg(r.CreatedAt),
			r.CreatedBy, db.dialect.timeArg(r.UpdatedAt), nullTime{r.ResolvedAt, db.dialect})
		if err != nil {
			return fmt.Errorf("insert reconciliation: %w", err)
		}
		if err := db.insertTransition(ctx, tx, first); err != nil {
			return err
		}
		return db.appendInTx(ctx, tx, ev)
	})
}

func (db *DB) insertTransition(ctx context.Context, tx *sql.Tx, t *reconcile.Transition) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO platform_reconciliation_transitions (id, record_id, from_state,
		to_state, actor, reason, next_action, next_action_owner, accepted_until, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		t.ID, t.RecordID, t.From, t.To, t.Actor, t.Reason, t.NextAction, t.NextActionOwner,
		nullTime{t.AcceptedUntil, db.dialect}, db.dialect.timeArg(t.At))
	if err != nil {
		return fmt.Errorf("insert transition: %w", err)
	}
	return nil
}

// TransitionReconciliation implements reconcile.Store.
func (db *DB) TransitionReconciliation(ctx context.Context, id string, step func(*reconcile.Record) (*reconcile.Transition, *audit.Event, error)) (_ *reconcile.Record, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	id, ok := canonicalID(id)
	if !ok {
		return nil, recordNotFound()
	}
	var r *reconcile.Record
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = scanRecord(tx.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM platform_reconciliation_records WHERE id = $1`+db.dialect.forUpdate(), id))
		if err == sql.ErrNoRows {
			return recordNotFound()
		} else if err != nil {
			return err
		}
		t, ev, err := step(r)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE platform_reconciliation_records SET state = $1, next_action = $2,
			next_action_owner = $3, accepted_until = $4, updated_at = $5, resolved_at = $6 WHERE id = $7`,
			r.State, r.NextAction, r.NextActionOwner, nullTime{r.AcceptedUntil, db.dialect},
			db.dialect.timeArg(r.UpdatedAt), nullTime{r.ResolvedAt, db.dialect}, r.ID)
		if err != nil {
			return fmt.Errorf("update reconciliation: %w", err)
		}
		if err := db.insertTransition(ctx, tx, t); err != nil {
			return err
		}
		return db.appendInTx(ctx, tx, ev)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// GetReconciliation implements reconcile.Store.
func (db *DB) GetReconciliation(ctx context.Context, id string) (_ *reconcile.Record, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	id, ok := canonicalID(id)
	if !ok {
		return nil, recordNotFound()
	}
	r, err := scanRecord(db.read.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM platform_reconciliation_records WHERE id = $1`, id))
	if err == sql.ErrNoRows {
		return nil, recordNotFound()
	}
	return r, err
}

// ReconciliationTimeline implements reconcile.Store.
func (db *DB) ReconciliationTimeline(ctx context.Context, id string) (_ []*reconcile.Transition, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	id, _ = canonicalID(id)
	rows, err := db.read.QueryContext(ctx, `SELECT id, record_id, from_state, to_state, actor, reason, next_action,
		next_action_owner, accepted_until, at FROM platform_reconciliation_transitions WHERE record_id = $1 ORDER BY at, id`, id)
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	defer rows.Close()
	out := []*reconcile.Transition{}
	for rows.Next() {
		var t reconcile.Transition
		var until, at dbTime
		if err := rows.Scan(&t.ID, &t.RecordID, &t.From, &t.To, &t.Actor, &t.Reason, &t.NextAction,
			&t.NextActionOwner, &until, &at); err != nil {
			return nil, err
		}
		t.AcceptedUntil, t.At = until.ptr(), at.Time
		out = append(out, &t)
	}
	return out, rows.Err()
}

// ListReconciliations implements reconcile.Store.
func (db *DB) ListReconciliations(ctx context.Context, f reconcile.Filter) (_ []*reconcile.Record, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	b := db.build()
	b.eq("component", f.Component)
	b.eq("invariant_id", f.InvariantID)
	b.eq("owner", f.Owner)
	b.eq("severity", f.Severity)
	if f.Open {
		b.where("state <> 'resolved'")
	}
	q := b.query(`SELECT ` + recordColumns + ` FROM platform_reconciliation_records` + newestFirst(b, "id", f.Before, f.Limit))
	rows, err := db.read.QueryContext(ctx, q.sql, q.args...)
	if err != nil {
		return nil, fmt.Errorf("list reconciliations: %w", err)
	}
	defer rows.Close()
	out := []*reconcile.Record{}
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func scanRecord(row scanner) (*reconcile.Record, error) {
	var r reconcile.Record
	var evidence, paths string
	var until, created, updated, resolved dbTime
	if err := row.Scan(&r.ID, &r.Component, &r.InvariantID, &r.Kind, &r.Severity, &r.Owner, &r.CorrelationID,
		&evidence, &paths, &r.State, &r.NextAction, &r.NextActionOwner, &until, &created, &r.CreatedBy,
		&updated, &resolved); err != nil {
		return nil, err
	}
	r.AcceptedUntil, r.CreatedAt, r.UpdatedAt, r.ResolvedAt = until.ptr(), created.Time, updated.Time, resolved.ptr()
	if err := json.Unmarshal([]byte(evidence), &r.Evidence); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(paths), &r.RedactedPaths); err != nil {
		return nil, err
	}
	return &r, nil
}
