package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/redact"
)

// Store is what token management needs from storage. Creating and revoking
// a token writes its audit event in the same transaction, so no token can
// exist without the record of who made it.
type Store interface {
	CreateToken(ctx context.Context, t *Token, ev *audit.Event) error
	RevokeToken(ctx context.Context, id, by string, at time.Time, ev *audit.Event) (*Token, error)
	ListTokens(ctx context.Context) ([]*Token, error)
	GetToken(ctx context.Context, id string) (*Token, error)
	TokenByHash(ctx context.Context, hash string) (*Token, error)
	// BootstrapToken creates t atomically when no token exists at all
	// (onlyIfNone) or when no token has t's hash; it returns the token that
	// already had the hash, and whether t was created.
	BootstrapToken(ctx context.Context, t *Token, ev *audit.Event, onlyIfNone bool) (existing *Token, created bool, err error)
}

// Service mints, checks and revokes tokens.
type Service struct {
	Store Store
	Audit *audit.Service
	Now   func() time.Time
	NewID func() string
	// MaxCachedTokens bounds the cache of verified tokens; zero means
	// DefaultMaxCachedTokens.
	MaxCachedTokens int

	cache tokenCache
}

// CreateRequest describes a token to mint.
type CreateRequest struct {
	Principal string
	Name      string
	Scopes    []string
	ExpiresAt *time.Time
}

// Bounds of a token request.
const (
	MaxNameLen       = 100
	MaxLifetimeYears = 100
)

var errUnauthorized = aeso.Reasonf(aeso.EUNAUTHORIZED, "unauthorized", "a valid bearer token is required")

// Authenticate resolves a bearer secret to its principal. A token verified
// less than MaxCacheAge ago is answered from memory (keyed by its hash);
// its expiry is still checked at every use.
func (s *Service) Authenticate(ctx context.Context, secret string) (*Principal, error) {
	if !WellFormed(secret) {
		return nil, errUnauthorized
	}
	return s.AuthenticateHash(ctx, Hash(secret))
}

// AuthenticateHash resolves a token known by its hash, as a console session
// keeps it, with the same cache and checks as Authenticate: a revocation
// through another replica takes effect within MaxCacheAge.
func (s *Service) AuthenticateHash(ctx context.Context, hash string) (*Principal, error) {
	now := s.Now()
	switch p, state := s.cache.lookup(hash, now); state {
	case cacheHit:
		return p, nil
	case cacheExpired:
		return nil, errUnauthorized
	}
	gen := s.cache.generation()
	t, err := s.Store.TokenByHash(ctx, hash)
	if aeso.ErrorCode(err) == aeso.ENOTFOUND {
		return nil, errUnauthorized
	} else if err != nil {
		return nil, err
	}
	if !t.Active(now) {
		return nil, errUnauthorized
	}
	p := &Principal{Name: t.Principal, TokenID: t.ID, Scopes: t.Scopes}
	s.cache.store(hash, cachedToken{token: t, principal: p, checked: now}, gen, s.MaxCachedTokens)
	return p, nil
}

// CachedTokens is how many verified tokens are held in memory.
func (s *Service) CachedTokens() int { return s.cache.size() }

func (s *Service) validate(req *CreateRequest) error {
	var v aeso.Validation
	req.Principal = strings.TrimSpace(req.Principal)
	req.Name = strings.TrimSpace(req.Name)
	if req.Principal == "" {
		v.Add("principal", "required", "is required (the identity recorded as the source of what this token sends)")
	} else if !principalPattern.MatchString(req.Principal) {
		v.Add("principal", "pattern", "must be 1 to 128 letters, digits, '.', '_', '@', '+' or '-'")
	} else if redact.ValueLooksSecret(req.Principal) {
		// The principal is the source of every event the token sends.
		v.Add("principal", "secret_detected", "looks like a secret; name the service or person (e.g. billing-service)")
	} else if strings.EqualFold(req.Principal, SystemPrincipal) {
		v.Add("principal", "reserved", "%q is the source of what aeso records itself (its bootstrap token, scheduled snapshots); name the service or person", SystemPrincipal)
	}
	switch {
	case len(req.Name) > MaxNameLen:
		v.Add("name", "too_long", "must be at most %d bytes", MaxNameLen)
	case !utf8.ValidString(req.Name) || strings.IndexFunc(req.Name, unicode.IsControl) >= 0:
		v.Add("name", "invalid", "must be valid UTF-8 without control characters")
	case redact.ValueLooksSecret(req.Name):
		// Names are listed and audited; a credential pasted as the name
		// would outlive the token.
		v.Add("name", "secret_detected", "looks like a secret; name what the token is for (e.g. ci deploys)")
	}
	if len(req.Scopes) == 0 {
		v.Add("scopes", "required", "must list at least one of %s", strings.Join(AllScopes, ", "))
	}
	seen := map[string]bool{}
	var scopes []string
	for i, sc := range req.Scopes {
		if !slices.Contains(AllScopes, sc) {
			v.Add(fmt.Sprintf("scopes[%d]", i), "enum", "must be one of %s", strings.Join(AllScopes, ", "))
		} else if !seen[sc] {
			scopes = append(scopes, sc)
			seen[sc] = true
		}
	}
	sort.Strings(scopes)
	req.Scopes = scopes
	if req.ExpiresAt != nil {
		switch {
		case !req.ExpiresAt.After(s.Now()):
			v.Add("expires_at", "past", "must lie in the future")
		case req.ExpiresAt.After(s.Now().AddDate(MaxLifetimeYears, 0, 0)):
			v.Add("expires_at", "range", "must lie within %d years", MaxLifetimeYears)
		default:
			t := req.ExpiresAt.UTC().Truncate(time.Microsecond)
			req.ExpiresAt = &t
		}
	}
	return v.Err()
}

// Create mints a token for req on behalf of actor and returns its secret,
// which is shown once and never stored.
func (s *Service) Create(ctx context.Context, actor *Principal, o audit.Origin, req CreateRequest) (string, *Token, error) {
	if err := s.validate(&req); err != nil {
		return "", nil, err
	}
	secret, err := NewSecret()
	if err != nil {
		return "", nil, fmt.Errorf("generate token: %w", err)
	}
	t, err := s.insert(ctx, actor.Name, o, req, secret)
	return secret, t, err
}

func (s *Service) insert(ctx context.Context, actorName string, o audit.Origin, req CreateRequest, secret string) (*Token, error) {
	t, ev, err := s.prepare(actorName, o, req, secret)
	if err != nil {
		return nil, err
	}
	if err := s.Store.CreateToken(ctx, t, ev); err != nil {
		return nil, err
	}
	return t, nil
}

// prepare builds a token and the audit event of its creation.
func (s *Service) prepare(actorName string, o audit.Origin, req CreateRequest, secret string) (*Token, *audit.Event, error) {
	now := s.Now().UTC().Truncate(time.Microsecond)
	t := &Token{
		ID: s.NewID(), Principal: req.Principal, Name: req.Name, Scopes: req.Scopes,
		Hash: Hash(secret), CreatedAt: now, CreatedBy: actorName, ExpiresAt: req.ExpiresAt,
	}
	ev, err := s.Audit.Prepare(o, tokenEvent(audit.ActionTokenCreate, actorName, t, now))
	return t, ev, err
}

func tokenEvent(action, actor string, t *Token, now time.Time) audit.Input {
	md, _ := json.Marshal(map[string]string{ // cannot fail: strings only
		"principal": t.Principal, "name": t.Name, "scopes": strings.Join(t.Scopes, ","),
	})
	return audit.Input{
		ActorServiceAccountID: actor,
		ActorRole:             ScopeAdmin,
		Action:                action,
		TargetType:            "token",
		TargetID:              t.ID,
		TargetDisplayName:     tokenLabel(t),
		Result:                audit.ResultSuccess,
		OccurredAt:            now.Format(time.RFC3339Nano),
		Metadata:              md,
	}
}

func tokenLabel(t *Token) string {
	if t.Name != "" {
		return t.Name + " (" + t.Principal + ")"
	}
	return t.Principal
}

// List returns every token, newest first; secrets are not stored and so
// cannot be listed.
func (s *Service) List(ctx context.Context) ([]*Token, error) { return s.Store.ListTokens(ctx) }

// Revoke disables a token at once. Revoking an already revoked token
// returns it unchanged and writes no second event.
func (s *Service) Revoke(ctx context.Context, actor *Principal, o audit.Origin, id string) (*Token, error) {
	t, err := s.Store.GetToken(ctx, id)
	if err != nil {
		return nil, err
	}
	if t.RevokedAt != nil {
		// Revoked through another replica: stop trusting it here at once.
		s.cache.forget(t.Hash)
		return t, nil
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	ev, err := s.Audit.Prepare(o, tokenEvent(audit.ActionTokenRevoke, actor.Name, t, now))
	if err != nil {
		return nil, err
	}
	// Forgotten whatever the outcome: a commit that failed to answer may
	// still have revoked it.
	defer s.cache.forget(t.Hash)
	return s.Store.RevokeToken(ctx, id, actor.Name, now, ev)
}

// SystemPrincipal is the source of what aeso records on its own: no token
// may be made for it, so no client's events can pass for aeso's.
const SystemPrincipal = "aeso"

// BootstrapPrincipal is the principal of the admin token made at first start.
const BootstrapPrincipal = "admin"

// checkAdminToken refuses an AESO_ADMIN_TOKEN value that is not a token,
// or that is lowercase words: it reads like a name (aeso's metrics are
// named so), and redaction could not tell it from one.
func checkAdminToken(fixed string) error {
	if !WellFormed(fixed) || !strings.ContainsAny(fixed[len(Prefix):], "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-") {
		return errors.New("AESO_ADMIN_TOKEN must start with aeso_ followed by at least 20 letters, digits, '_' or '-', " +
			"with a digit, a capital letter or a '-' among them (a random value, not words)")
	}
	return nil
}

// Bootstrap makes sure an admin can get in. With fixed set (AESO_ADMIN_TOKEN)
// it makes sure that secret is a valid admin token; otherwise, when no token
// exists at all, it mints one. It returns the new secret, or "" when nothing
// was created.
func (s *Service) Bootstrap(ctx context.Context, fixed string) (string, error) {
	req := CreateRequest{Principal: BootstrapPrincipal, Name: "bootstrap admin", Scopes: []string{ScopeAdmin}}
	o := audit.Origin{Source: SystemPrincipal}
	secret, onlyIfNone := fixed, false
	if fixed == "" {
		var err error
		if secret, err = NewSecret(); err != nil {
			return "", err
		}
		onlyIfNone = true
	} else if err := checkAdminToken(fixed); err != nil {
		return "", err
	}
	t, ev, err := s.prepare(SystemPrincipal, o, req, secret)
	if err != nil {
		return "", err
	}
	existing, created, err := s.Store.BootstrapToken(ctx, t, ev, onlyIfNone)
	switch {
	case err != nil:
		return "", err
	case existing != nil && !existing.Active(s.Now()):
		return "", errors.New("AESO_ADMIN_TOKEN names a token that was revoked or has expired; set a new value to create a fresh admin token")
	case existing != nil && !(&Principal{Scopes: existing.Scopes}).Has(ScopeAdmin):
		return "", errors.New("AESO_ADMIN_TOKEN names a token without the admin scope; set a new value")
	case !created || fixed != "":
		return "", nil
	}
	return secret, nil
}
