package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"

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
	unknown := strings.HasPrefix(err.Error(), "json: unknown field ")
	var path string
	var goType reflect.Type
	if !unknown {
		path, goType = failedPath(data, dst)
	}
	switch {
	case unknown:
		name := safeFieldName(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`))
		field := prefix + name
		if path := unknownFieldPath(data, dst, prefix); path != "" && path != field {
			// A member of a nested object: say where it stands.
			v.Add(path, "unknown_field", "is not a field of the object it is in (part of %s)", expect)
			break
		}
		v.Add(field, "unknown_field", "is not a field of %s", expect)
	case errors.As(err, &pe) || (path != "" && goType == timeType):
		// encoding/json does not say which field held the bad time.
		if path == "" {
			path = "body"
		}
		v.Add(prefix+path, "format", "must be a time in RFC 3339 (e.g. 2026-01-02T15:04:05Z)")
	case errors.As(err, &te) && te.Field != "":
		if path == "" {
			path = te.Field // without the index or key jsonv2 gives
		}
		switch number := strings.TrimPrefix(te.Value, "number "); {
		case number != te.Value && isInteger(te.Type.Kind()) && !strings.ContainsAny(number, ".eE"):
			// A whole number too large (or negative) for the field.
			v.Add(prefix+path, "range", "is out of range for this field")
		case number != te.Value && isInteger(te.Type.Kind()):
			v.Add(prefix+path, "type", "must be a whole number")
		default:
			v.Add(prefix+path, "type", "must be a JSON %s", jsonKind(te.Type.Kind().String()))
		}
	case path != "":
		v.Add(prefix+path, "type", "is not a value of the type this field takes")
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

// failedPath returns where the value that failed to decode into dst's type
// stands in data, as a field path with indexes and keys
// ("findings[1].rule_id", "labels.team"), and the Go type it failed to
// become; "" when it cannot tell.
// encoding/json names a field by its struct path alone (findings.rule_id)
// and a bad time not at all, so the body is decoded again, into a fresh
// value, by a decoder that reports the JSON pointer of its failure. A key
// that is no plain name is not echoed (see safeFieldName).
func failedPath(data []byte, dst any) (string, reflect.Type) {
	t := reflect.TypeOf(dst)
	if t == nil || t.Kind() != reflect.Pointer {
		return "", nil
	}
	var se *jsonv2.SemanticError
	if err := jsonv2.Unmarshal(data, reflect.New(t.Elem()).Interface()); !errors.As(err, &se) || se.JSONPointer == "" {
		return "", nil
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return "", nil
	}
	var b strings.Builder
	for tok := range se.JSONPointer.Tokens() {
		switch cur := doc.(type) {
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(cur) {
				return "", nil
			}
			b.WriteString("[" + tok + "]")
			doc = cur[i]
		case map[string]any:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(safeFieldName(tok))
			doc = cur[tok]
		default:
			return "", nil
		}
	}
	return b.String(), se.GoType
}

var timeType = reflect.TypeFor[time.Time]()

func isInteger(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}
