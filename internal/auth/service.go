package auth

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
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
	CountTokens(ctx context.Context) (int, error)
}

// Service mints, checks and revokes tokens.
type Service struct {
	Store Store
	Audit *audit.Service
	Now   func() time.Time
	NewID func() string
}

// CreateRequest describes a token to mint.
type CreateRequest struct {
	Principal string     `json:"principal"`
	Name      string     `json:"name,omitempty"`
	Scopes    []string   `json:"scopes"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

var errUnauthorized = aeso.Reasonf(aeso.EUNAUTHORIZED, "unauthorized", "a valid bearer token is required")

// Authenticate resolves a bearer secret to its principal.
func (s *Service) Authenticate(ctx context.Context, secret string) (*Principal, error) {
	if !WellFormed(secret) {
		return nil, errUnauthorized
	}
	t, err := s.Store.TokenByHash(ctx, Hash(secret))
	if aeso.ErrorCode(err) == aeso.ENOTFOUND {
		return nil, errUnauthorized
	} else if err != nil {
		return nil, err
	}
	if !t.Active(s.Now()) {
		return nil, errUnauthorized
	}
	return &Principal{Name: t.Principal, TokenID: t.ID, Scopes: t.Scopes}, nil
}

func (s *Service) validate(req *CreateRequest) error {
	var v aeso.Validation
	req.Principal = strings.TrimSpace(req.Principal)
	req.Name = strings.TrimSpace(req.Name)
	if req.Principal == "" {
		v.Add("principal", "required", "is required (the identity recorded as the source of what this token sends)")
	} else if !principalPattern.MatchString(req.Principal) {
		v.Add("principal", "pattern", "must be 1 to 128 letters, digits, '.', '_', '@', '+' or '-'")
	}
	if len(req.Name) > 128 {
		v.Add("name", "too_long", "must be at most 128 characters")
	}
	if len(req.Scopes) == 0 {
		v.Add("scopes", "required", "must list at least one of %s", strings.Join(AllScopes, ", "))
	}
	seen := map[string]bool{}
	var scopes []string
	for i, sc := range req.Scopes {
		if !contains(AllScopes, sc) {
			v.Add(fmt.Sprintf("scopes[%d]", i), "enum", "must be one of %s", strings.Join(AllScopes, ", "))
		} else if !seen[sc] {
			scopes = append(scopes, sc)
			seen[sc] = true
		}
	}
	sort.Strings(scopes)
	req.Scopes = scopes
	if req.ExpiresAt != nil && !req.ExpiresAt.After(s.Now()) {
		v.Add("expires_at", "past", "must lie in the future")
	}
	return v.Err()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
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
	now := s.Now().UTC().Truncate(time.Microsecond)
	t := &Token{
		ID: s.NewID(), Principal: req.Principal, Name: req.Name, Scopes: req.Scopes,
		Hash: Hash(secret), CreatedAt: now, CreatedBy: actorName, ExpiresAt: req.ExpiresAt,
	}
	ev, err := s.Audit.Prepare(o, tokenEvent(audit.ActionTokenCreate, actorName, t, now))
	if err != nil {
		return nil, err
	}
	if err := s.Store.CreateToken(ctx, t, ev); err != nil {
		return nil, err
	}
	return t, nil
}

func tokenEvent(action, actor string, t *Token, now time.Time) audit.Input {
	md := fmt.Sprintf(`{"principal":%q,"name":%q,"scopes":%q}`, t.Principal, t.Name, strings.Join(t.Scopes, ","))
	return audit.Input{
		ActorServiceAccountID: actor,
		ActorRole:             ScopeAdmin,
		Action:                action,
		TargetType:            "token",
		TargetID:              t.ID,
		TargetDisplayName:     tokenLabel(t),
		Result:                audit.ResultSuccess,
		OccurredAt:            now.Format(time.RFC3339Nano),
		Metadata:              []byte(md),
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
		return t, nil
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	ev, err := s.Audit.Prepare(o, tokenEvent(audit.ActionTokenRevoke, actor.Name, t, now))
	if err != nil {
		return nil, err
	}
	return s.Store.RevokeToken(ctx, id, actor.Name, now, ev)
}

// BootstrapPrincipal is the principal of the admin token made at first start.
const BootstrapPrincipal = "admin"

// Bootstrap makes sure an admin can get in. With fixed set (AESO_ADMIN_TOKEN)
// it makes sure that secret is a valid admin token; otherwise, when no token
// exists at all, it mints one. It returns the new secret, or "" when nothing
// was created.
func (s *Service) Bootstrap(ctx context.Context, fixed string) (string, error) {
	req := CreateRequest{Principal: BootstrapPrincipal, Name: "bootstrap admin", Scopes: []string{ScopeAdmin}}
	o := audit.Origin{Source: "aeso"}
	if fixed != "" {
		if !WellFormed(fixed) {
			return "", errors.New("AESO_ADMIN_TOKEN must start with aeso_ followed by at least 20 letters, digits, '_' or '-'")
		}
		_, err := s.Store.TokenByHash(ctx, Hash(fixed))
		if err == nil {
			return "", nil
		} else if aeso.ErrorCode(err) != aeso.ENOTFOUND {
			return "", err
		}
		_, err = s.insert(ctx, "aeso", o, req, fixed)
		return "", err
	}
	n, err := s.Store.CountTokens(ctx)
	if err != nil || n > 0 {
		return "", err
	}
	secret, err := NewSecret()
	if err != nil {
		return "", err
	}
	if _, err := s.insert(ctx, "aeso", o, req, secret); err != nil {
		return "", err
	}
	return secret, nil
}
