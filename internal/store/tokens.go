package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/auth"
	"github.com/google/uuid"
)

var _ auth.Store = (*DB)(nil)

const selectTokens = `SELECT id, principal, name, scopes, token_hash, created_at, created_by,
	expires_at, revoked_at, revoked_by FROM api_tokens`

// CreateToken implements auth.Store.
func (db *DB) CreateToken(ctx context.Context, t *auth.Token, ev *audit.Event) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, principal, name, scopes, token_hash,
			created_at, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			t.ID, t.Principal, t.Name, strings.Join(t.Scopes, " "), t.Hash,
			db.dialect.timeArg(t.CreatedAt), t.CreatedBy, nullTime{t.ExpiresAt, db.dialect})
		if err != nil {
			return fmt.Errorf("insert token: %w", err)
		}
		return db.appendInTx(ctx, tx, ev)
	})
}

// RevokeToken implements auth.Store.
func (db *DB) RevokeToken(ctx context.Context, id, by string, at time.Time, ev *audit.Event) (*auth.Token, error) {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1, revoked_by = $2
			WHERE id = $3 AND revoked_at IS NULL`, db.dialect.timeArg(at), by, id)
		if err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			// Revoked concurrently: nothing to record twice.
			return nil
		}
		return db.appendInTx(ctx, tx, ev)
	})
	if err != nil {
		return nil, err
	}
	return db.GetToken(ctx, id)
}

// ListTokens implements auth.Store.
func (db *DB) ListTokens(ctx context.Context) ([]*auth.Token, error) {
	rows, err := db.read.QueryContext(ctx, selectTokens+` ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []*auth.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// GetToken implements auth.Store.
func (db *DB) GetToken(ctx context.Context, id string) (*auth.Token, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, aeso.Reasonf(aeso.ENOTFOUND, "token_not_found", "no token has id %q", id)
	}
	t, err := scanToken(db.read.QueryRowContext(ctx, selectTokens+` WHERE id = $1`, u.String()))
	return t, errNoRows(err, "token_not_found", "no token has id %q", id)
}

// TokenByHash implements auth.Store.
func (db *DB) TokenByHash(ctx context.Context, hash string) (*auth.Token, error) {
	t, err := scanToken(db.read.QueryRowContext(ctx, selectTokens+` WHERE token_hash = $1`, hash))
	return t, errNoRows(err, "token_not_found", "no such token")
}

// CountTokens implements auth.Store.
func (db *DB) CountTokens(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_tokens`).Scan(&n)
	return n, err
}

type scanner interface{ Scan(...any) error }

func scanToken(row scanner) (*auth.Token, error) {
	var t auth.Token
	var scopes string
	var created, expires, revoked dbTime
	if err := row.Scan(&t.ID, &t.Principal, &t.Name, &scopes, &t.Hash, &created, &t.CreatedBy,
		&expires, &revoked, &t.RevokedBy); err != nil {
		return nil, err
	}
	t.Scopes = strings.Fields(scopes)
	t.CreatedAt = created.Time
	t.ExpiresAt, t.RevokedAt = expires.ptr(), revoked.ptr()
	return &t, nil
}
