// Package console is aeso's operator console: server-rendered pages under
// /ui/ that read through the same services as the API and write nothing
// the API could not, except the console's own sessions. Templates and the
// stylesheet are embedded, so the binary serves it offline.
package console

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/auth"
	"github.com/aeso-dev/aeso/internal/component"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/gate"
	"github.com/aeso-dev/aeso/internal/guard"
	"github.com/aeso-dev/aeso/internal/invariant"
	"github.com/aeso-dev/aeso/internal/reconcile"
	"github.com/aeso-dev/aeso/internal/status"
	"github.com/aeso-dev/aeso/wire"
)

//go:embed templates/*.html static/*
var files embed.FS

// Settings are the console's knobs from the definitions file.
type Settings struct {
	// TraceURL and RequestURL turn an event's trace_id and request_id into
	// links to the operator's tracing and log tools; "{trace_id}" and
	// "{request_id}" are replaced by the URL-escaped value. Empty: no link.
	TraceURL   string
	RequestURL string
	// SessionIdle ends a session unused this long; SessionMax ends every
	// session this long after sign-in. Zero means the defaults.
	SessionIdle time.Duration
	SessionMax  time.Duration
}

// Console serves the operator console.
type Console struct {
	Audit           *audit.Service
	Auth            *auth.Service
	Status          *status.Service
	Components      *component.Service
	Reconciliations *reconcile.Service
	Evidence        *evidence.Service
	Invariants      *invariant.Service
	Guards          *guard.Service
	Gates           *gate.Service
	Sessions        SessionStore
	// ResolveRef reads what a ref names as the token p may
	// (server.Server.ResolveRef), for the pages of rows.
	ResolveRef func(ctx context.Context, p *auth.Principal, ref string) (*wire.Ref, error)
	Settings   Settings
	Logger     *slog.Logger
	Now        func() time.Time
	NewID      func() string

	pages   map[string]*template.Template
	cssPath string
	jsPath  string
	// iconPath is the favicon's: without one, browsers ask for
	// /favicon.ico and log its 404 as a console error.
	iconPath string
	static   fs.FS
}

// Handler returns the console's handler, to be mounted at /ui/ inside the
// server's middleware.
func (c *Console) Handler() (http.Handler, error) {
	if c.Settings.SessionIdle == 0 {
		c.Settings.SessionIdle = DefaultSessionIdle
	}
	if c.Settings.SessionMax == 0 {
		c.Settings.SessionMax = DefaultSessionMax
	}
	if err := c.parse(); err != nil {
		return nil, fmt.Errorf("console templates: %w", err)
	}
	mux := http.NewServeMux()
	for _, rt := range c.routes() {
		mux.Handle(rt.Method+" "+rt.Path, c.guard(rt))
	}
	mux.HandleFunc("GET /ui/static/{file}", c.handleStatic)
	mux.HandleFunc("/ui/", func(w http.ResponseWriter, r *http.Request) {
		// Unknown pages look the same signed in or not, so a path reveals
		// nothing about what exists.
		v, ok := c.visitor(w, r)
		if !ok {
			return
		}
		c.fail(w, r, v, http.StatusNotFound, "Not found", "There is no page at this address.")
	})
	return secureHeaders(mux), nil
}

// secureHeaders sets what every console answer carries: a policy that
// allows only the console's own stylesheet and script, no framing, and no
// caching (pages hold data; the static files set their own caching).
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "+
			"form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}
