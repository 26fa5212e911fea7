// Package aeso holds the few types every part of the service shares: the
// domain error and its codes. Domain packages live under internal/.
package aeso

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes classify a failure; the HTTP layer maps each to a status.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	ETOOLARGE     = "too_large"
	EUNSUPPORTED  = "unsupported_media_type"
	EUNAVAILABLE  = "unavailable"
	EINTERNAL     = "internal"
)

// FieldError names one invalid field of a request, e.g. "events[3].action".
type FieldError struct {
	Field   string
	Code    string
	Message string
}

// Error is a failure the caller may see. Code is the class (see the E*
// constants); Reason is the stable, more specific code callers match on
// (e.g. "idempotency_conflict"); it defaults to Code.
type Error struct {
	Code    string
	Reason  string
	Message string
	Fields  []FieldError
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		parts = append(parts, f.Field+": "+f.Message)
	}
	return e.Message + ": " + strings.Join(parts, "; ")
}

// Errorf returns an *Error of the given code with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Reasonf returns an *Error with a specific stable reason code.
func Reasonf(code, reason, format string, args ...any) *Error {
	return &Error{Code: code, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, and
// EINTERNAL otherwise.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorReason returns the specific reason of err, falling back to its code.
func ErrorReason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		if e.Reason != "" {
			return e.Reason
		}
		return e.Code
	}
	return EINTERNAL
}

// Validation collects field errors so a request reports all of them at once.
type Validation struct {
	Fields []FieldError
}

// Add records one invalid field.
func (v *Validation) Add(field, code, format string, args ...any) {
	v.Fields = append(v.Fields, FieldError{Field: field, Code: code, Message: fmt.Sprintf(format, args...)})
}

// Err returns nil when nothing was recorded, and an EINVALID *Error otherwise.
func (v *Validation) Err() error {
	if len(v.Fields) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Reason: "validation_failed", Message: "request is invalid", Fields: v.Fields}
}
