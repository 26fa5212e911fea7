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
	"github.com/aeso-dev/aeso/internal/auth"
	"github.com/google/uuid"
)

var _ auth.Store = (*DB)(nil)

const selectTokens = `SELECT id, principal, name, scopes, token_hash, created_at, created_by,
	expires_at, revoked_at, revoked_by FROM api_tokens`

// CreateToken implements auth.Store.
func (db *DB) CreateToken(ctx context.Context, t *auth.Token, ev *audit.Event) (err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.insertToken(ctx, tx, t); err != nil {
			return err
		}
		return db.appendInTx(ctx, tx, ev)
	})
}

func (db *DB) insertToken(ctx context.Context, tx *sql.Tx, t *auth.Token) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, principal, name, scopes, token_hash,
		created_at, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		t.ID, t.Principal, t.Name, strings.Join(t.Scopes, " "), t.Hash,
		db.dialect.timeArg(t.CreatedAt), t.CreatedBy, nullTime{t.ExpiresAt, db.dialect})
	if err != nil {
		return fmt.Errorf("insert token: %w", err)
	}
	return nil
}

// RevokeToken implements auth.Store. Token changes take the audit seq lock
// first (they write an event anyway), so the check that another admin token
// remains cannot race with a concurrent revocation.
func (db *DB) RevokeToken(ctx context.Context, id, by string, at time.Time, ev *audit.Event) (_ *auth.Token, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		last, err := db.lockSeq(ctx, tx)
		if err != nil {
			return err
		}
		var others int
		err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_tokens WHERE id <> $1
			AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)
			AND (' ' || scopes || ' ') LIKE '% admin %'`, id, db.dialect.timeArg(at)).Scan(&others)
		if err != nil {
			return fmt.Errorf("count admin tokens: %w", err)
		}
		var scopes string
		if err := tx.QueryRowContext(ctx, `SELECT scopes FROM api_tokens WHERE id = $1`, id).Scan(&scopes); err != nil {
			return errNoRows(err, "token_not_found", "no token has this id")
		}
		if others == 0 && strings.Contains(" "+scopes+" ", " admin ") {
			return aeso.Reasonf(aeso.ECONFLICT, "last_admin_token",
				"this is the last active admin token; create another admin token before revoking it")
		}
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
		return db.writeAfter(ctx, tx, last, []*audit.Event{ev})
	})
	if err != nil {
		return nil, err
	}
	return db.GetToken(ctx, id)
}

// BootstrapToken implements auth.Store: under the audit seq lock, so that
// replicas starting together create at most one bootstrap token.
func (db *DB) BootstrapToken(ctx context.Context, t *auth.Token, ev *audit.Event, onlyIfNone bool) (_ *auth.Token, _ bool, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	var existing *auth.Token
	created := false
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		last, err := db.lockSeq(ctx, tx)
		if err != nil {
			return err
		}
		if onlyIfNone {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_tokens`).Scan(&n); err != nil || n > 0 {
				return err
			}
		} else {
			existing, err = scanToken(tx.QueryRowContext(ctx, selectTokens+` WHERE token_hash = $1`, t.Hash))
			if err == nil {
				return nil
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			existing = nil
		}
		if err := db.insertToken(ctx, tx, t); err != nil {
			return err
		}
		created = true
		return db.writeAfter(ctx, tx, last, []*audit.Event{ev})
	})
	return existing, created, err
}

// ListTokens implements auth.Store.
func (db *DB) ListTokens(ctx context.Context) (_ []*auth.Token, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
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
func (db *DB) GetToken(ctx context.Context, id string) (_ *auth.Token, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, aeso.Reasonf(aeso.ENOTFOUND, "token_not_found", "no token has this id")
	}
	t, err := scanToken(db.read.QueryRowContext(ctx, selectTokens+` WHERE id = $1`, u.String()))
	return t, errNoRows(err, "token_not_found", "no token has this id")
}

// TokenByHash implements auth.Store.
func (db *DB) TokenByHash(ctx context.Context, hash string) (_ *auth.Token, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	t, err := scanToken(db.read.QueryRowContext(ctx, selectTokens+` WHERE token_hash = $1`, hash))
	return t, errNoRows(err, "token_not_found", "no such token")
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
