package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/redact"
)

// decodeObject strictly decodes a JSON object body into dst. Errors name the
// field and the expected type but never echo a value: a body may carry a
// credential in the wrong place.
func decodeObject(body []byte, dst any, expect string) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			return aeso.Reasonf(aeso.EINVALID, "malformed_json", "unexpected data after the JSON object")
		}
		return nil
	}
	var v aeso.Validation
	var te *json.UnmarshalTypeError
	var pe *time.ParseError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return aeso.Reasonf(aeso.EINVALID, "malformed_json", "the body must be a JSON object with %s", expect)
		}
		v.Add(field, "type", "must be a JSON %s", jsonKind(te.Type.Kind().String()))
	case errors.As(err, &pe):
		// encoding/json does not say which field held the bad time.
		v.Add("body", "format", "a time is not RFC 3339 (e.g. 2026-01-02T15:04:05Z)")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		v.Add(safeFieldName(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)),
			"unknown_field", "is not a field here; expected %s", expect)
	default:
		return malformed(err)
	}
	return v.Err()
}

// safeFieldName returns a field name fit to echo back, or a stand-in when
// the name itself looks like a secret.
func safeFieldName(name string) string {
	if redact.ValueLooksSecret(name) {
		return redact.Placeholder
	}
	return name
}
