// Package auth holds access tokens: their scopes, how they are minted and
// checked, and the audit events their creation and revocation leave.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"regexp"
	"strings"
	"time"
)

// Scopes a token may carry. ScopeAdmin implies every other scope.
const (
	ScopeAuditWrite    = "audit:write"
	ScopeAuditRead     = "audit:read"
	ScopeEvidenceWrite = "evidence:write"
	ScopeEvidenceRead  = "evidence:read"
	ScopeStatusWrite   = "status:write"
	ScopeStatusRead    = "status:read"
	ScopeGatesWrite    = "gates:write"
	// ScopeGatesOverride waives gate rules and withdraws subjects from the
	// posture. It is apart from gates:write, the scope a pipeline holds to
	// evaluate, so a pipeline cannot undo the block it was given.
	ScopeGatesOverride = "gates:override"
	ScopeAdmin         = "admin"
)

// AllScopes lists every scope, in the order the docs give them.
var AllScopes = []string{
	ScopeAuditWrite, ScopeAuditRead, ScopeEvidenceWrite, ScopeEvidenceRead,
	ScopeStatusWrite, ScopeStatusRead, ScopeGatesWrite, ScopeGatesOverride, ScopeAdmin,
}

// Prefix starts every token, so secret scanners and redaction recognise it.
const Prefix = "aeso_"

var principalPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$`)

// Token is a stored access token. Only the SHA-256 of its secret is kept.
type Token struct {
	ID        string
	Principal string
	Name      string
	Scopes    []string
	Hash      string
	CreatedAt time.Time
	CreatedBy string
	ExpiresAt *time.Time
	RevokedAt *time.Time
	RevokedBy string
}

// Active reports whether the token may authenticate at now.
func (t *Token) Active(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt))
}

// Principal is the authenticated caller of a request.
type Principal struct {
	Name    string
	TokenID string
	Scopes  []string
}

// Has reports whether p may use scope.
func (p *Principal) Has(scope string) bool {
	for _, s := range p.Scopes {
		if s == scope || s == ScopeAdmin {
			return true
		}
	}
	return false
}

// Hash returns the hex SHA-256 of a token secret, the only form stored.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// NewSecret returns a fresh token secret: the prefix and 43 base62
// characters (256 bits of randomness).
func NewSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	n := new(big.Int).SetBytes(b[:])
	var sb strings.Builder
	sb.WriteString(Prefix)
	base := big.NewInt(62)
	mod := new(big.Int)
	for i := 0; i < 43; i++ {
		n.DivMod(n, base, mod)
		sb.WriteByte(base62[mod.Int64()])
	}
	return sb.String(), nil
}

// WellFormed reports whether s has the shape of a token, so a caller that
// pastes something else gets a clear error instead of a silent 401.
func WellFormed(s string) bool {
	if !strings.HasPrefix(s, Prefix) || len(s) < len(Prefix)+20 || len(s) > 256 {
		return false
	}
	for _, c := range s[len(Prefix):] {
		if !strings.ContainsRune(base62+"_-", c) {
			return false
		}
	}
	return true
}
