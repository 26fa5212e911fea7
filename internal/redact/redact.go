// Package redact decides which JSON values are secret and produces bounded,
// canonical, redacted JSON objects.
//
// Every place that stores caller-supplied JSON (audit event metadata now,
// evidence metadata later) goes through Object, so the rules live in one
// place. A secret that reaches the database lives on in every backup, so the
// decision is made once, at ingest, and errs towards redacting: a harmless
// value hidden by mistake costs a little context, a leaked credential costs
// an incident.
package redact

import (
	"fmt"
	"slices"
)

// Placeholder replaces every secret value.
const Placeholder = "[REDACTED]"

// Problem codes, stable so callers can map them to API error codes.
const (
	CodeInvalidJSON  = "invalid_json"
	CodeDuplicateKey = "duplicate_key"
	CodeNotObject    = "not_object"
	CodeTooLarge     = "too_large"
	CodeTooManyKeys  = "too_many_keys"
	CodeTooDeep      = "too_deep"
	CodeSecretKey    = "secret_key"
)

// Limits bound a JSON object. A field that is zero or negative is not
// enforced, except that nesting is always capped at 10000 levels (the limit
// encoding/json itself applies) so hostile input cannot exhaust the stack.
type Limits struct {
	MaxBytes int // canonical encoding of the input (before redaction) in bytes
	MaxKeys  int // keys per object (every nested object too)
	MaxDepth int // nesting depth: the top object is depth 1; each nested object OR array adds 1
}

// The audit contract's limits on metadata: 16 KiB, 64 keys, depth 4.
const (
	MetadataMaxBytes = 16 << 10
	MetadataMaxKeys  = 64
	MetadataMaxDepth = 4
)

// MetadataLimits returns the audit contract's limits on metadata. It is a
// function of constants, not a variable, so no package can loosen what
// another enforces; a caller that needs other limits passes its own.
func MetadataLimits() Limits {
	return Limits{MaxBytes: MetadataMaxBytes, MaxKeys: MetadataMaxKeys, MaxDepth: MetadataMaxDepth}
}

// Problem is a violated rule; Path is relative to the object ("" for the
// whole object, "a.b", "a.list[2]", `headers["x api key"]`). Messages never
// contain a value from the input, because any value may be a secret; they
// may name keys through Path.
//
// Object returns a *Problem rather than an error so callers can read Path
// and Code without a type assertion; compare it with nil before storing it in
// an error variable, or a nil *Problem becomes a non-nil error.
type Problem struct{ Path, Code, Message string }

// Error reads like "a.b: nesting exceeds the depth limit of 4".
func (p *Problem) Error() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// Result is the canonical redacted object and the paths whose values were
// replaced (sorted bytewise, same path syntax as Problem.Path, never nil).
//
// Limits apply to the input, so JSON can be slightly larger than MaxBytes
// when short secrets (a numeric PIN, say) were replaced by Placeholder.
type Result struct {
	JSON  []byte
	Paths []string
}

// Object validates raw (must be a JSON object; empty input or JSON null means
// {}), enforces lim, replaces secrets, and returns canonical JSON: keys sorted
// bytewise, no insignificant whitespace, numbers exactly as written, strings
// escaped as encoding/json does without HTML escaping.
//
// Syntax, duplicate keys, depth and key counts are checked in one pass, so the
// first violation in document order is the one reported; size is checked
// after the whole input parsed. Callers should still cap the raw request body:
// whitespace does not count towards MaxBytes but must be read.
func Object(raw []byte, lim Limits) (Result, *Problem) {
	root, prob := parse(raw, lim)
	if prob != nil {
		return Result{}, prob
	}

	red := newEncoder(true)
	red.value(root)
	if red.secretKeyAt != nil {
		// A key cannot be replaced without losing the object's shape, and
		// must not be stored: the event is refused, the key never echoed.
		return Result{}, &Problem{Path: *red.secretKeyAt, Code: CodeSecretKey,
			Message: "an object key looks like a secret (a token, key or card number); secrets belong in values under a secret-looking key, or nowhere"}
	}
	// Size is measured on the canonical input, not on raw, so that
	// whitespace or key order cannot decide whether an object fits, and
	// before redaction, so that the limit bounds what the caller sent.
	// Without redactions the two encodings are the same bytes.
	size := red.buf.Len()
	if len(red.paths) > 0 {
		plain := newEncoder(false)
		plain.value(root)
		size = plain.buf.Len()
	}
	if lim.MaxBytes > 0 && size > lim.MaxBytes {
		return Result{}, &Problem{
			Code:    CodeTooLarge,
			Message: fmt.Sprintf("canonical encoding is %d bytes; the limit is %d", size, lim.MaxBytes),
		}
	}
	paths := red.paths
	if paths == nil {
		paths = []string{}
	}
	slices.Sort(paths)
	return Result{JSON: red.buf.Bytes(), Paths: paths}, nil
}
