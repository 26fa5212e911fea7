package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/gate"
)

const withdrawalColumns = `id, gate, subject, result_id, verdict, reason, withdrawn_by, withdrawn_at`

// AddGateWithdrawal implements gate.Store. It checks, under the audit
// sequence lock that serialises every audited write, that the result is
// still the subject's latest and not yet withdrawn, so two operators
// racing store one withdrawal and a withdrawal never lands on a result
// that a newer evaluation has already replaced.
func (db *DB) AddGateWithdrawal(ctx context.Context, w *gate.Withdrawal, ev *audit.Event) (err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		start, err := db.lockSeq(ctx, tx)
		if err != nil {
			return err
		}
		var latest string
		err = tx.QueryRowContext(ctx, `SELECT id FROM platform_release_gate_results WHERE gate = $1
			AND subject = $2 ORDER BY evaluated_at DESC, id DESC LIMIT 1`, w.Gate, w.Subject).Scan(&latest)
		if err != nil {
			return fmt.Errorf("latest gate result: %w", err)
		}
		if latest != w.ResultID {
			return aeso.Reasonf(aeso.ECONFLICT, "result_superseded",
				"the subject was evaluated again while it was being withdrawn; its new result counts, withdraw again if it should not")
		}
		var existing string
		err = tx.QueryRowContext(ctx, `SELECT id FROM platform_gate_withdrawals WHERE result_id = $1`, w.ResultID).Scan(&existing)
		switch {
		case err == nil:
			return aeso.Reasonf(aeso.ECONFLICT, "already_withdrawn",
				"the subject's latest result is already withdrawn (withdrawal %s); a new evaluation makes it count again", existing)
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("gate withdrawal: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO platform_gate_withdrawals (`+withdrawalColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, w.ID, w.Gate, w.Subject, w.ResultID, w.Verdict, w.Reason,
			w.WithdrawnBy, db.dialect.timeArg(w.WithdrawnAt)); err != nil {
			return fmt.Errorf("insert gate withdrawal: %w", err)
		}
		return db.writeAfter(ctx, tx, start, []*audit.Event{ev})
	})
}

// GateWithdrawals implements gate.Store.
func (db *DB) GateWithdrawals(ctx context.Context, g, subject string) (_ []*gate.Withdrawal, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	b := db.build()
	b.where("gate = ?", g)
	b.eq("subject", subject)
	q := b.query(`SELECT ` + withdrawalColumns + ` FROM platform_gate_withdrawals` + b.clause() + ` ORDER BY withdrawn_at DESC, id DESC`)
	return db.queryWithdrawals(ctx, q.sql, q.args...)
}

// GateWithdrawalPage implements gate.WithdrawalStore: at most limit of the
// gate's withdrawals older than the one with id before ("" for the
// newest), for a subject when set, newest first.
func (db *DB) GateWithdrawalPage(ctx context.Context, g, subject, before string, limit int) (_ []*gate.Withdrawal, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	b := db.build()
	b.where("gate = ?", g)
	b.eq("subject", subject)
	q := b.query(`SELECT ` + withdrawalColumns + ` FROM platform_gate_withdrawals` + newestFirst(b, "id", before, limit))
	return db.queryWithdrawals(ctx, q.sql, q.args...)
}

// WithdrawalsOf implements gate.StandingStore: the withdrawals of the results
// named, at most one each.
func (db *DB) WithdrawalsOf(ctx context.Context, resultIDs []string) (_ []*gate.Withdrawal, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	if len(resultIDs) == 0 {
		return []*gate.Withdrawal{}, nil
	}
	q := db.withdrawalsOfQuery(resultIDs)
	return db.queryWithdrawals(ctx, q.sql, q.args...)
}

// withdrawalsOfQuery is WithdrawalsOf's statement.
func (db *DB) withdrawalsOfQuery(resultIDs []string) query {
	b := db.build()
	b.in("result_id", resultIDs, false)
	return b.query(`SELECT ` + withdrawalColumns + ` FROM platform_gate_withdrawals` + b.clause() + ` ORDER BY id`)
}

func (db *DB) queryWithdrawals(ctx context.Context, q string, args ...any) ([]*gate.Withdrawal, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("gate withdrawals: %w", err)
	}
	defer rows.Close()
	out := []*gate.Withdrawal{}
	for rows.Next() {
		var w gate.Withdrawal
		var at dbTime
		if err := rows.Scan(&w.ID, &w.Gate, &w.Subject, &w.ResultID, &w.Verdict, &w.Reason, &w.WithdrawnBy, &at); err != nil {
			return nil, err
		}
		w.WithdrawnAt = at.Time
		out = append(out, &w)
	}
	return out, rows.Err()
}
