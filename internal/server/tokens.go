package server

import (
	"net/http"

	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/auth"
	"github.com/aeso-dev/aeso/wire"
)

func (s *Server) tokenJSON(t *auth.Token) wire.Token {
	return wire.Token{
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
	var req wire.TokenRequest
	if err := decodeObject(body, &req, "", "a token request (principal, scopes, and optionally name and expires_at)"); err != nil {
		s.writeError(w, r, err)
		return
	}
	actor, o := s.origin(r)
	secret, t, err := s.Auth.Create(r.Context(), actor, o, auth.CreateRequest(req))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, wire.CreatedToken{Token: s.tokenJSON(t), Secret: secret})
}

func (s *Server) handleListTokens(w http.ResponseWriter, r *http.Request) {
	tokens, err := s.Auth.List(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]wire.Token, len(tokens))
	for i, t := range tokens {
		out[i] = s.tokenJSON(t)
	}
	s.writeJSON(w, r, http.StatusOK, wire.TokenList{Tokens: out})
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
