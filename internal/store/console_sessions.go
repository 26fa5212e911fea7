package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/console"
)

var _ console.SessionStore = (*DB)(nil)

// CreateConsoleSession implements console.SessionStore.
func (db *DB) CreateConsoleSession(ctx context.Context, s *console.Session, secretHash string, ev *audit.Event) (err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		// The seq lock first, as every token change takes it.
		if err := db.appendInTx(ctx, tx, ev); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO console_sessions (id, secret_hash, token_id, principal,
			created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			s.ID, secretHash, s.TokenID, s.Principal, db.dialect.timeArg(s.CreatedAt),
			db.dialect.timeArg(s.LastSeenAt), db.dialect.timeArg(s.ExpiresAt))
		if err != nil {
			return fmt.Errorf("insert console session: %w", err)
		}
		// Sessions that ended or passed their absolute expiry can never be
		// used again; each sign-in clears them, so the table holds about
		// the sessions that may still be in use.
		_, err = tx.ExecContext(ctx, `DELETE FROM console_sessions WHERE ended_at IS NOT NULL OR expires_at < $1`,
			db.dialect.timeArg(s.CreatedAt))
		if err != nil {
			return fmt.Errorf("clear old console sessions: %w", err)
		}
		return nil
	})
}

// ConsoleSession implements console.SessionStore. The token's hash comes
// from its row, so the session is checked against the token as it is now.
func (db *DB) ConsoleSession(ctx context.Context, secretHash string) (_ *console.Session, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	var s console.Session
	var created, seen, expires, ended dbTime
	err = db.read.QueryRowContext(ctx, `SELECT s.id, s.token_id, t.token_hash, s.principal,
		s.created_at, s.last_seen_at, s.expires_at, s.ended_at
		FROM console_sessions s JOIN api_tokens t ON t.id = s.token_id
		WHERE s.secret_hash = $1`, secretHash).Scan(&s.ID, &s.TokenID, &s.TokenHash, &s.Principal,
		&created, &seen, &expires, &ended)
	if err != nil {
		return nil, errNoRows(err, "session_not_found", "no such console session")
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.EndedAt = created.Time, seen.Time, expires.Time, ended.ptr()
	return &s, nil
}

// TouchConsoleSession implements console.SessionStore.
func (db *DB) TouchConsoleSession(ctx context.Context, id string, at time.Time) (err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	_, err = db.write.ExecContext(ctx, `UPDATE console_sessions SET last_seen_at = $1
		WHERE id = $2 AND ended_at IS NULL`, db.dialect.timeArg(at), id)
	if err != nil {
		return fmt.Errorf("touch console session: %w", err)
	}
	return nil
}

// EndConsoleSession implements console.SessionStore.
func (db *DB) EndConsoleSession(ctx context.Context, id string, at time.Time, ev *audit.Event) (ended bool, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE console_sessions SET ended_at = $1
			WHERE id = $2 AND ended_at IS NULL`, db.dialect.timeArg(at), id)
		if err != nil {
			return fmt.Errorf("end console session: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		ended = true
		return db.appendInTx(ctx, tx, ev)
	})
	return ended, err
}
