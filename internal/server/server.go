// Package server is aeso's HTTP surface: routes, middleware, handlers and
// the mapping of domain errors to problem+json.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/auditlog"
	"github.com/aeso-dev/aeso/internal/auth"
	"github.com/aeso-dev/aeso/internal/component"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/gate"
	"github.com/aeso-dev/aeso/internal/guard"
	"github.com/aeso-dev/aeso/internal/invariant"
	"github.com/aeso-dev/aeso/internal/reconcile"
	"github.com/aeso-dev/aeso/internal/status"
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
	Audit           *audit.Service
	Auth            *auth.Service
	Evidence        *evidence.Service
	Invariants      *invariant.Service
	Guards          *guard.Service
	Gates           *gate.Service
	Components      *component.Service
	Reconciliations *reconcile.Service
	Status          *status.Service
	Log             *auditlog.Log
	Ready           Readiness
	Logger          *slog.Logger
	Metrics         *Metrics
	MaxBody         int64
	Version         string
	NewReqID        func() string
	Now             func() time.Time
	// RetryAfter is what a 503 tells clients to wait before retrying.
	RetryAfter time.Duration
	// Console, when set, serves the operator console under /ui/, inside
	// the same request id, log, metrics and recovery middleware as the API.
	Console http.Handler

	spec []byte
	// actionsBody is the encoded answer of GET /v1/audit/actions.
	actionsOnce sync.Once
	actionsBody []byte
	actionsErr  error
	// reportSlots bounds how many uploaded reports are parsed at once: a
	// 10 MiB JUnit file costs about half a gigabyte while it is parsed.
	reportSlots chan struct{}
}

// MaxParallelReports is how many uploads are parsed at the same time;
// further uploads wait for a slot.
const MaxParallelReports = 2

// Handler returns the root handler with every route and middleware.
func (s *Server) Handler() (http.Handler, error) {
	spec, err := OpenAPIJSON()
	if err != nil {
		return nil, err
	}
	s.spec = spec
	s.reportSlots = make(chan struct{}, MaxParallelReports)
	if s.MaxBody == 0 {
		s.MaxBody = DefaultMaxBody
	}
	if s.Metrics == nil {
		s.Metrics = NewMetrics(prometheus.NewRegistry())
	}
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.Method+" "+rt.Path, s.authorize(rt, s.checkInput(rt, rt.handler)))
	}
	if s.Console != nil {
		mux.Handle("/ui/", s.Console)
		mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/ui/", http.StatusSeeOther)
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if allowed := allowedMethods(mux, r); len(allowed) > 0 {
			s.methodNotAllowed(w, r, allowed)
			return
		}
		s.problem(w, r, http.StatusNotFound, "not_found", "no such route; GET /openapi.json lists them", nil)
	})
	return s.recoverer(s.requestContext(s.instrument(s.cleanPaths(mux)))), nil
}

// allowedMethods lists the methods some route accepts for r's path, so an
// unmatched request can be told 405 with Allow rather than 404.
func allowedMethods(mux *http.ServeMux, r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" {
			out = append(out, m)
		}
	}
	return out
}

// cleanPaths answers a path that is not in its clean form (//v1/…, /./,
// /v1/../) with the API's 404 problem. http.ServeMux would redirect it to
// the clean path with an HTML body, which no client of this API reads and
// which a proxy's path rules may not have seen.
func (s *Server) cleanPaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if p == "" || p[0] != '/' || (p != "/" && path.Clean(p) != strings.TrimSuffix(p, "/")) || strings.Contains(p, "//") {
			s.problem(w, r, http.StatusNotFound, "not_found", "no such route: the path is not in its clean form (no //, /./ or /../); GET /openapi.json lists the routes", nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}
