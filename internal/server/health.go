package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/aeso-dev/aeso/wire"
)

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, r, http.StatusOK, wire.Health{Status: "ok", Version: s.Version})
}

// handleReadyz answers 503 while the database is unreachable or its schema
// is behind. The answer is public, so it says only which check failed; the
// driver's error, which can name hosts and users, goes to the log.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := s.Ready.Ready(ctx); err != nil {
		cause := errors.Unwrap(err)
		if cause == nil {
			cause = err
		}
		s.Logger.WarnContext(r.Context(), "not ready", "reason", err.Error(), "cause", cause.Error())
		s.problem(w, r, http.StatusServiceUnavailable, "not_ready", err.Error(), nil)
		return
	}
	s.writeJSON(w, r, http.StatusOK, wire.Ready{Status: "ready"})
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	s.Metrics.handler().ServeHTTP(w, r)
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(s.spec) // the client may be gone; nothing to do
}
