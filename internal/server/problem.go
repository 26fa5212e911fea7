package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/redact"
	"github.com/aeso-dev/aeso/wire"
)

var statusOf = map[string]int{
	aeso.EINVALID:      http.StatusBadRequest,
	aeso.ENOTFOUND:     http.StatusNotFound,
	aeso.ECONFLICT:     http.StatusConflict,
	aeso.EUNAUTHORIZED: http.StatusUnauthorized,
	aeso.EFORBIDDEN:    http.StatusForbidden,
	aeso.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	aeso.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	aeso.EUNAVAILABLE:  http.StatusServiceUnavailable,
	aeso.EINTERNAL:     http.StatusInternalServerError,
}

// writeError maps a domain error to its status and problem+json. Internal
// errors are logged with the request id and answered without their text,
// which may hold driver details.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *aeso.Error
	if !errors.As(err, &e) {
		s.Logger.ErrorContext(r.Context(), "request failed", "request_id", requestInfoFrom(r.Context()).RequestID, "err", err)
		s.problem(w, r, http.StatusInternalServerError, "internal", "an internal error occurred; the request id identifies it in the server log", nil)
		return
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if e.Code == aeso.EUNAVAILABLE {
		// The detail is fixed; the cause (driver text, credentials removed)
		// is for the operator.
		s.Logger.WarnContext(r.Context(), "database unavailable", "request_id", requestInfoFrom(r.Context()).RequestID, "err", err)
	}
	s.problem(w, r, status, aeso.ErrorReason(e), e.Message, e.Fields)
}

func (s *Server) problem(w http.ResponseWriter, r *http.Request, status int, code, detail string, fields []aeso.FieldError) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="aeso"`)
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", strconv.Itoa(s.retryAfterSeconds()))
	}
	// A detail or field message never repeats a secret the request held
	// (a token pasted into a path names no row): the code and the field
	// still say what is wrong.
	if redact.ValueLooksSecret(detail) {
		detail = "the request was refused; its detail would repeat a value that looks like a secret"
	}
	for i, f := range fields {
		if redact.ValueLooksSecret(f.Message) {
			fields[i].Message = "is refused; the message would repeat a value that looks like a secret"
		}
	}
	p := wire.Problem{
		Type:      "about:blank",
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    detail,
		Code:      code,
		Errors:    each(fields, func(f aeso.FieldError) wire.FieldError { return wire.FieldError(f) }),
		RequestID: requestInfoFrom(r.Context()).RequestID,
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p) // the client may be gone; nothing to do
}

// retryAfterSeconds is RetryAfter rounded up to whole seconds, at least
// one: sooner, a retry mostly queues behind requests still waiting out the
// database deadline.
func (s *Server) retryAfterSeconds() int {
	return max(1, int((s.RetryAfter+time.Second-1)/time.Second))
}

func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request, methods []string) {
	allow := strings.Join(methods, ", ")
	w.Header().Set("Allow", allow)
	s.problem(w, r, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not allowed here; use "+allow, nil)
}

// writeJSON encodes v before sending the status, so a value that cannot be
// encoded becomes a logged 500 rather than a success with an empty body.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("encode answer: %w", err))
		return
	}
	s.writeEncoded(w, status, body)
}

// writeEncoded answers with a JSON body already encoded.
func (s *Server) writeEncoded(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	// A known length spares a large answer chunked encoding.
	w.Header().Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	// Two writes rather than append: body may be shared between requests.
	_, _ = w.Write(body) // the client may be gone; nothing to do
	_, _ = w.Write([]byte{'\n'})
}
