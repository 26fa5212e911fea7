package server

import (
	"net/http"
	"time"

	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/auth"
)

// TokenJSON is a token's read model; the secret is never part of it.
type TokenJSON struct {
	ID        string     `json:"id"`
	Principal string     `json:"principal"`
	Name      string     `json:"name,omitempty"`
	Scopes    []string   `json:"scopes"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	RevokedBy string     `json:"revoked_by,omitempty"`
	Active    bool       `json:"active"`
}

// CreatedTokenJSON is the answer to a token creation: the only time the
// secret is shown.
type CreatedTokenJSON struct {
	TokenJSON
	Token string `json:"token"`
}

func (s *Server) tokenJSON(t *auth.Token) TokenJSON {
	return TokenJSON{
		ID: t.ID, Principal: t.Principal, Name: t.Name, Scopes: t.Scopes,
		CreatedAt: t.CreatedAt, CreatedBy: t.CreatedBy, ExpiresAt: t.ExpiresAt,
		RevokedAt: t.RevokedAt, RevokedBy: t.RevokedBy, Active: t.Active(s.Now()),
	}
}

func (s *Server) origin(r *http.Request) (*auth.Principal, audit.Origin) {
	ri := requestInfoFrom(r.Context())
	return ri.Principal, audit.Origin{Source: ri.Principal.Name, RequestID: ri.RequestID, TraceID: ri.TraceID}
}

func (s *Server) handleCreateToken(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r, s.MaxBody)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req auth.CreateRequest
	if err := decodeObject(body, &req, "", "a token request (principal, scopes, and optionally name and expires_at)"); err != nil {
		s.writeError(w, r, err)
		return
	}
	actor, o := s.origin(r)
	secret, t, err := s.Auth.Create(r.Context(), actor, o, req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, CreatedTokenJSON{TokenJSON: s.tokenJSON(t), Token: secret})
}

func (s *Server) handleListTokens(w http.ResponseWriter, r *http.Request) {
	tokens, err := s.Auth.List(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]TokenJSON, len(tokens))
	for i, t := range tokens {
		out[i] = s.tokenJSON(t)
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"tokens": out})
}

func (s *Server) handleRevokeToken(w http.ResponseWriter, r *http.Request) {
	actor, o := s.origin(r)
	t, err := s.Auth.Revoke(r.Context(), actor, o, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, s.tokenJSON(t))
}
