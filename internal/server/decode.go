package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/redact"
)

// decodeObject strictly decodes a JSON object into dst. Errors name the
// field (after prefix, e.g. "events[3].") and the expected type but never
// echo a value: a body may carry a credential in the wrong place. expect
// describes the object for messages ("an audit event").
func decodeObject(data []byte, dst any, prefix, expect string) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			return aeso.Reasonf(aeso.EINVALID, "malformed_json", "unexpected data after the JSON object")
		}
		return checkExactNames(data, dst, prefix, expect)
	}
	var v aeso.Validation
	var te *json.UnmarshalTypeError
	var pe *time.ParseError
	switch {
	case errors.As(err, &te) && te.Field != "":
		v.Add(prefix+te.Field, "type", "must be a JSON %s", jsonKind(te.Type.Kind().String()))
	case errors.As(err, &pe):
		// encoding/json does not say which field held the bad time.
		v.Add(prefix+"body", "format", "a time is not RFC 3339 (e.g. 2026-01-02T15:04:05Z)")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := safeFieldName(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`))
		field := prefix + name
		if path := unknownFieldPath(data, dst, prefix); path != "" && path != field {
			// A member of a nested object: say where it stands.
			v.Add(path, "unknown_field", "is not a field of the object it is in (part of %s)", expect)
			break
		}
		v.Add(field, "unknown_field", "is not a field of %s", expect)
	case prefix != "":
		// One element of a batch: name it rather than fail the whole body.
		v.Add(strings.TrimSuffix(prefix, "."), "malformed_json", "must be %s (a JSON object)", expect)
	default:
		return aeso.Reasonf(aeso.EINVALID, "malformed_json", "the body must be %s (a JSON object)", expect)
	}
	return v.Err()
}

// plainName is a name fit to repeat in an answer: what a field or
// parameter name looks like. Anything else may be a value sent in the wrong
// place (?password%3Dhunter2 is a parameter named "password=hunter2").
var plainName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// safeFieldName returns a field or parameter name fit to echo back, or a
// stand-in when the name is not plain or looks like a secret.
func safeFieldName(name string) string {
	if !plainName.MatchString(name) || redact.ValueLooksSecret(name) {
		return redact.Placeholder
	}
	return name
}

// limitParam reads the optional limit query parameter: def when absent, a
// validation error outside 1..max.
func limitParam(q url.Values, def, max int) (int, error) {
	v := q.Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, &aeso.Error{Code: aeso.EINVALID, Reason: "validation_failed", Message: "request is invalid",
			Fields: []aeso.FieldError{{Field: "limit", Code: "range", Message: "must be an integer from 1 to " + strconv.Itoa(max)}}}
	}
	return n, nil
}
