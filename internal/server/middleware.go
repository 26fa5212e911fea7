package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/auth"
	"github.com/aeso-dev/aeso/internal/redact"
)

type ctxKey struct{}

// requestInfo is what middleware learns about a request.
type requestInfo struct {
	RequestID string
	TraceID   string
	Principal *auth.Principal

	// body is a JSON body already read and checked by checkInput;
	// bodyRead says it was, since an empty body is nil.
	body     []byte
	bodyRead bool
}

func requestInfoFrom(ctx context.Context) *requestInfo {
	if ri, ok := ctx.Value(ctxKey{}).(*requestInfo); ok {
		return ri
	}
	return &requestInfo{}
}

var (
	// requestIDPattern admits the ids proxies and tracers make (UUIDs, ULIDs,
	// "svc:42.7") and nothing that reads as an assignment, a path or
	// base64: '=', '/' and '+' are how a credential pasted by mistake looks.
	requestIDPattern   = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)
	traceparentPattern = regexp.MustCompile(`^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$`)
)

// requestContext assigns the request id (echoing a sane X-Request-Id),
// parses a W3C traceparent, and bounds the body.
func (s *Server) requestContext(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ri := &requestInfo{RequestID: r.Header.Get("X-Request-Id")}
		// The id is stored and logged, so a credential pasted into it by
		// mistake is replaced like any malformed id.
		if !requestIDPattern.MatchString(ri.RequestID) || redact.ValueLooksSecret(ri.RequestID) {
			ri.RequestID = s.NewReqID()
		}
		if m := traceparentPattern.FindStringSubmatch(strings.TrimSpace(r.Header.Get("Traceparent"))); m != nil &&
			m[1] != strings.Repeat("0", 32) && m[2] != strings.Repeat("0", 16) {
			ri.TraceID = m[1]
		}
		w.Header().Set("X-Request-Id", ri.RequestID)
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, s.MaxBody)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, ri)))
	})
}

// authorize checks the bearer token and the route's scope.
func (s *Server) authorize(rt Route, next http.HandlerFunc) http.Handler {
	if rt.Scope == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		scheme, secret, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			closeUnread(w, r)
			s.problem(w, r, http.StatusUnauthorized, "unauthorized", "send a token as Authorization: Bearer aeso_…", nil)
			return
		}
		p, err := s.Auth.Authenticate(r.Context(), strings.TrimSpace(secret))
		if err != nil {
			closeUnread(w, r)
			s.writeError(w, r, err)
			return
		}
		requestInfoFrom(r.Context()).Principal = p
		if rt.Scope != ScopeAnyToken && !p.Has(rt.Scope) {
			closeUnread(w, r)
			s.problem(w, r, http.StatusForbidden, "forbidden", "this token lacks the scope "+rt.Scope, nil)
			return
		}
		next(w, r)
	})
}

// closeUnread ends the connection after a refusal answered before the
// request's body was read. Otherwise net/http reads up to 256 KiB of the
// unread body before it sends the answer, so a client without a token
// that trickles its body a byte at a time held the connection (and got
// no 401) until the read timeout, two minutes later.
func closeUnread(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength != 0 {
		w.Header().Set("Connection", "close")
	}
}

// statusWriter remembers the status for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument logs one line per request and feeds the HTTP metrics. The route
// label is the matched pattern, never the raw path, so its values are bounded.
func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		s.Metrics.inFlight.Inc()
		defer s.Metrics.inFlight.Dec()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		route := r.Pattern
		if route == "" || route == "/" {
			route = "unmatched"
		}
		d := time.Since(start)
		s.Metrics.observeRequest(r.Method, route, sw.status, d)
		ri := requestInfoFrom(r.Context())
		principal := ""
		if ri.Principal != nil {
			principal = ri.Principal.Name
		}
		s.Logger.InfoContext(r.Context(), "request",
			"method", r.Method, "route", route, "status", sw.status,
			"duration_ms", strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 2, 64),
			"request_id", ri.RequestID, "principal", principal)
	})
}

// recoverer turns a panic into a logged 500 rather than a dropped connection.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Logger.ErrorContext(r.Context(), "panic", "value", v, "stack", string(debug.Stack()))
				s.problem(w, r, http.StatusInternalServerError, "internal", "an internal error occurred", nil)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// readBody reads the whole (already bounded) body; a body over the limit is
// a too_large error, and nothing has been written yet.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if ri := requestInfoFrom(r.Context()); ri.bodyRead {
		return ri.body, nil
	}
	b, err := io.ReadAll(r.Body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, aeso.Reasonf(aeso.ETOOLARGE, "payload_too_large", "the request body exceeds the limit of %d bytes", limit)
	}
	if err != nil {
		return nil, aeso.Reasonf(aeso.EINVALID, "unreadable_body", "the request body could not be read")
	}
	return b, nil
}

// RequestID returns the id the middleware gave the request in ctx, so a
// handler mounted beside the API (the console) records the same id.
func RequestID(ctx context.Context) string { return requestInfoFrom(ctx).RequestID }

// TraceID returns the trace id parsed from the request's traceparent.
func TraceID(ctx context.Context) string { return requestInfoFrom(ctx).TraceID }

// SetPrincipal names the caller of the request in ctx for its log line,
// when a handler mounted beside the API authenticated it its own way.
func SetPrincipal(ctx context.Context, p *auth.Principal) {
	if ri, ok := ctx.Value(ctxKey{}).(*requestInfo); ok {
		ri.Principal = p
	}
}
