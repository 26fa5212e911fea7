package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/aeso-dev/aeso/internal/audit"
)

// Session is a signed-in console session. It acts as the token it was
// opened with (TokenID) and works only while that token does.
type Session struct {
	ID         string
	TokenID    string
	TokenHash  string // the token's hash, read from the token's row
	Principal  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute end
	EndedAt    *time.Time
}

// SessionStore keeps sessions; only the SHA-256 of a session's secret is
// stored. Opening and ending a session write their audit event in the same
// transaction, so no session exists without the record of who opened it.
type SessionStore interface {
	CreateConsoleSession(ctx context.Context, s *Session, secretHash string, ev *audit.Event) error
	// ConsoleSession returns the session whose secret has secretHash, ended
	// or not, or a not_found error.
	ConsoleSession(ctx context.Context, secretHash string) (*Session, error)
	// TouchConsoleSession moves last_seen_at forward, for the idle expiry.
	TouchConsoleSession(ctx context.Context, id string, at time.Time) error
	// EndConsoleSession ends a session that has not ended; ended says
	// whether this call ended it (and so stored ev).
	EndConsoleSession(ctx context.Context, id string, at time.Time, ev *audit.Event) (ended bool, err error)
}

// Session lifetimes unless the definitions file says otherwise.
const (
	DefaultSessionIdle = time.Hour
	DefaultSessionMax  = 12 * time.Hour
	// touchEvery bounds how often a session's last use is written: idle
	// expiry needs minutes of precision, not a write per page.
	touchEvery = time.Minute
)

// newSecret returns 256 random bits, URL-safe.
func newSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// hashSecret is the stored form of a session secret.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte("aeso-console-session:" + secret))
	return hex.EncodeToString(sum[:])
}

// csrfFor derives a session's CSRF token from its secret: forms carry it,
// the database cannot produce it (it keeps only hashSecret), and nothing
// needs storing.
func csrfFor(secret string) string {
	sum := sha256.Sum256([]byte("aeso-console-csrf:" + secret))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// alive reports why s cannot be used at now, or "" when it can.
func (s *Session) alive(now time.Time, idle time.Duration) string {
	switch {
	case s.EndedAt != nil:
		return "ended"
	case !now.Before(s.ExpiresAt):
		return "expired"
	case now.Sub(s.LastSeenAt) >= idle:
		return "idle"
	}
	return ""
}
