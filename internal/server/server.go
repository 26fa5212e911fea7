// Package server is aeso's HTTP surface: routes, middleware, handlers and
// the mapping of domain errors to problem+json.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/auth"
	"github.com/prometheus/client_golang/prometheus"
)

// DefaultMaxBody is the request body limit unless configured otherwise.
const DefaultMaxBody = 16 << 20

// Readiness reports whether the service can serve: the database answers and
// its schema is current.
type Readiness interface {
	Ready(ctx context.Context) error
}

// Server holds the dependencies of the HTTP handlers.
type Server struct {
	Audit    *audit.Service
	Auth     *auth.Service
	Ready    Readiness
	Logger   *slog.Logger
	Metrics  *Metrics
	MaxBody  int64
	Version  string
	NewReqID func() string
	Now      func() time.Time

	spec []byte
}

// Handler returns the root handler with every route and middleware.
func (s *Server) Handler() (http.Handler, error) {
	spec, err := OpenAPIJSON()
	if err != nil {
		return nil, err
	}
	s.spec = spec
	if s.MaxBody == 0 {
		s.MaxBody = DefaultMaxBody
	}
	if s.Metrics == nil {
		s.Metrics = NewMetrics(prometheus.NewRegistry())
	}
	mux := http.NewServeMux()
	allowed := map[string][]string{}
	for _, rt := range s.routes() {
		rt := rt
		mux.Handle(rt.Method+" "+rt.Path, s.authorize(rt, rt.handler))
		allowed[rt.Path] = append(allowed[rt.Path], rt.Method)
	}
	for path, methods := range allowed {
		mux.Handle(path, s.methodNotAllowed(methods))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.problem(w, r, http.StatusNotFound, "not_found", "no such route; GET /openapi.json lists them", nil)
	})
	return s.recoverer(s.requestContext(s.instrument(mux))), nil
}
