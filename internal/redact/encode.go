package redact

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// segment is one step of a path: an object key, or an array index when
// index >= 0. Paths are kept as segments and rendered only when needed, so
// walking a large object does not build a string per value.
type segment struct {
	key   string
	index int
}

// formatPath renders segments as `a.b`, `a.list[2]` or `headers["x y"]`.
// Keys that are not identifier-like are quoted as JSON strings, which keeps
// every path unambiguous: no key can forge a dot or a bracket.
func formatPath(path []segment) string {
	var b strings.Builder
	for _, s := range path {
		switch {
		case s.index >= 0:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
		case ValueLooksSecret(s.key):
			// Paths reach responses and errors; a secret used as a key
			// must not ride along.
			b.WriteString(`["` + Placeholder + `"]`)
		case isIdentifier(s.key):
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.key)
		default:
			b.WriteByte('[')
			b.Write(appendQuoted(nil, s.key))
			b.WriteByte(']')
		}
	}
	return b.String()
}

// isIdentifier reports whether key matches [A-Za-z_][A-Za-z0-9_-]*.
func isIdentifier(key string) bool {
	if key == "" {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && (c == '-' || '0' <= c && c <= '9'):
		default:
			return false
		}
	}
	return true
}

// appendQuoted appends s as encoding/json writes it with HTML escaping off,
// so canonical bytes match what any Go consumer of the same value produces.
func appendQuoted(dst []byte, s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	// Encoding a string into a bytes.Buffer cannot fail: strings have no
	// unsupported values and the buffer's Write never returns an error.
	_ = enc.Encode(s)
	return append(dst, bytes.TrimSuffix(b.Bytes(), []byte("\n"))...)
}

// encoder writes a parsed tree as canonical JSON. With redact set it also
// replaces secrets and records their paths; without it, it measures the
// input as sent.
type encoder struct {
	buf     bytes.Buffer
	scratch bytes.Buffer
	quoter  *json.Encoder // writes to scratch; reused so each string costs no allocation
	redact  bool
	path    []segment
	paths   []string
	// secretKeyAt is the path of the first object holding a key that
	// looks like a secret value.
	secretKeyAt *string
}

func newEncoder(redact bool) *encoder {
	e := &encoder{redact: redact}
	e.quoter = json.NewEncoder(&e.scratch)
	e.quoter.SetEscapeHTML(false)
	return e
}

func (e *encoder) value(v any) {
	switch t := v.(type) {
	case map[string]any:
		e.object(t)
	case []any:
		e.buf.WriteByte('[')
		for i, el := range t {
			if i > 0 {
				e.buf.WriteByte(',')
			}
			e.path = append(e.path, segment{index: i})
			e.value(el)
			e.path = e.path[:len(e.path)-1]
		}
		e.buf.WriteByte(']')
	case string:
		if e.redact && ValueLooksSecret(t) {
			// A URL keeps its host and path; anything else, or a URL
			// still secret once its credentials are out, goes whole.
			if u, ok := redactURL(t); ok && !ValueLooksSecret(u) {
				e.paths = append(e.paths, formatPath(e.path))
				e.str(u)
				return
			}
			e.replace()
			return
		}
		e.str(t)
	case json.Number:
		if e.redact && numberLooksLikeCard(string(t)) {
			e.replace()
			return
		}
		e.buf.WriteString(string(t))
	case bool:
		e.buf.WriteString(strconv.FormatBool(t))
	case nil:
		e.buf.WriteString("null")
	}
}

func (e *encoder) object(obj map[string]any) {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	// Go compares strings bytewise, which is the canonical order.
	slices.Sort(keys)
	e.buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			e.buf.WriteByte(',')
		}
		if e.redact && e.secretKeyAt == nil && ValueLooksSecret(k) {
			at := formatPath(e.path)
			e.secretKeyAt = &at
		}
		e.str(k)
		e.buf.WriteByte(':')
		e.path = append(e.path, segment{key: k, index: -1})
		// A secret-looking key hides its whole value, whatever its type:
		// an object under "credentials" is no safer than a string.
		if e.redact && KeyLooksSecret(k) {
			e.replace()
		} else {
			e.value(obj[k])
		}
		e.path = e.path[:len(e.path)-1]
	}
	e.buf.WriteByte('}')
}

func (e *encoder) str(s string) {
	if plainASCII(s) {
		// Printable ASCII without quote or backslash encodes as itself;
		// this skips the encoder for nearly every key and value.
		e.buf.WriteByte('"')
		e.buf.WriteString(s)
		e.buf.WriteByte('"')
		return
	}
	e.scratch.Reset()
	// Cannot fail, for the reasons given in appendQuoted.
	_ = e.quoter.Encode(s)
	e.buf.Write(bytes.TrimSuffix(e.scratch.Bytes(), []byte("\n")))
}

// replace writes the placeholder for the value at the current path.
func (e *encoder) replace() {
	e.paths = append(e.paths, formatPath(e.path))
	e.str(Placeholder)
}

// plainASCII reports whether s needs no escaping in JSON.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
