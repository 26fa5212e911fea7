package auditlog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gowebpki/jcs"
)

// An RFC 8785 (JCS) writer for the leaf. jcs.Transform re-parses a whole
// document and costs tens of microseconds per event, which the ingest path
// cannot afford; the leaf's own members are known and already in order, so
// only metadata needs parsing. Tests check this writer against
// jcs.Transform.

const hexDigits = "0123456789abcdef"

// appendString writes s as a JCS string: only '"', '\' and control
// characters are escaped, the short forms where JSON has them.
func appendString(b []byte, s string) ([]byte, error) {
	if !utf8.ValidString(s) {
		return nil, errors.New("text is not valid UTF-8")
	}
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"'), nil
}

// appendJSON writes raw JSON (one value) canonically.
func appendJSON(b []byte, raw []byte) ([]byte, error) {
	if !utf8.Valid(raw) {
		return nil, errors.New("text is not valid UTF-8")
	}
	if isCanonical(raw) {
		return append(b, raw...), nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("text after the JSON value")
	}
	return appendValue(b, v, 0)
}

// maxDepth bounds nesting, as jcs.Transform does; metadata is far shallower.
const maxDepth = 64

func appendValue(b []byte, v any, depth int) ([]byte, error) {
	if depth > maxDepth {
		return nil, errors.New("JSON nests too deep")
	}
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case string:
		return appendString(b, x)
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			// Neither the number nor strconv's error (which quotes it) is
			// named: this error reaches the log, the value came from a client.
			return nil, errors.New("a number has no IEEE 754 double form")
		}
		s, err := jcs.NumberToJSON(f)
		if err != nil {
			return nil, err
		}
		return append(b, s...), nil
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendValue(b, e, depth+1); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, compareUTF16)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendString(b, k); err != nil {
				return nil, err
			}
			b = append(b, ':')
			if b, err = appendValue(b, x[k], depth+1); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	}
	return nil, fmt.Errorf("unexpected JSON value %T", v)
}

// compareUTF16 orders strings by their UTF-16 code units, as JCS sorts
// members. Byte order agrees unless a character above U+D7FF is involved.
func compareUTF16(a, b string) int {
	if ascii(a) && ascii(b) {
		return bytes.Compare([]byte(a), []byte(b))
	}
	return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b)))
}

// compareKeys is compareUTF16 for raw keys without escapes.
func compareKeys(a, b []byte) int {
	if asciiBytes(a) && asciiBytes(b) {
		return bytes.Compare(a, b)
	}
	return compareUTF16(string(a), string(b))
}

func asciiBytes(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// isCanonical reports whether raw, valid UTF-8, is already JCS canonical,
// so a leaf can copy it: metadata is stored sorted and compact, and this
// check is several times cheaper than decoding it. It may say false for a
// canonical document (a key with escapes); the caller then canonicalises.
func isCanonical(raw []byte) bool {
	s := scanner{b: raw}
	return s.value(0) && s.i == len(raw)
}

type scanner struct {
	b []byte
	i int
}

func (s *scanner) value(depth int) bool {
	if s.i >= len(s.b) || depth > maxDepth {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '{':
		return s.object(depth)
	case c == '[':
		s.i++
		if s.i < len(s.b) && s.b[s.i] == ']' {
			s.i++
			return true
		}
		for {
			if !s.value(depth + 1) {
				return false
			}
			if s.i >= len(s.b) {
				return false
			}
			if s.b[s.i] == ']' {
				s.i++
				return true
			}
			if s.b[s.i] != ',' {
				return false
			}
			s.i++
		}
	case c == '"':
		_, ok := s.str()
		return ok
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
				s.i += len(lit)
				return true
			}
		}
		return false
	}
}

func (s *scanner) object(depth int) bool {
	s.i++
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return true
	}
	var prev []byte
	for n := 0; ; n++ {
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return false
		}
		key, ok := s.str()
		// A key with escapes is compared decoded, which this check leaves
		// to the slow path.
		if !ok || bytes.IndexByte(key, '\\') >= 0 || n > 0 && compareKeys(prev, key) >= 0 {
			return false
		}
		prev = key
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return false
		}
		s.i++
		if !s.value(depth+1) || s.i >= len(s.b) {
			return false
		}
		switch s.b[s.i] {
		case '}':
			s.i++
			return true
		case ',':
			s.i++
		default:
			return false
		}
	}
}

// str scans a string whose escapes are exactly JCS's, returning its raw
// content.
func (s *scanner) str() ([]byte, bool) {
	start := s.i + 1
	for i := start; i < len(s.b); i++ {
		switch c := s.b[i]; {
		case c == '"':
			s.i = i + 1
			return s.b[start:i], true
		case c < 0x20:
			return nil, false
		case c == '\\':
			if i+1 >= len(s.b) {
				return nil, false
			}
			switch s.b[i+1] {
			case '"', '\\', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				// Only a control character without a short form.
				if i+5 >= len(s.b) || s.b[i+2] != '0' || s.b[i+3] != '0' || (s.b[i+4] != '0' && s.b[i+4] != '1') {
					return nil, false
				}
				h := s.b[i+5]
				if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f') {
					return nil, false
				}
				if s.b[i+4] == '0' && (h == '8' || h == '9' || h == 'a' || h == 'c' || h == 'd') {
					return nil, false // \b \t \n \f \r
				}
				i += 5
			default:
				return nil, false
			}
		}
	}
	return nil, false
}

// number accepts a number literal only in its ECMAScript form.
func (s *scanner) number() bool {
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		if !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
			break
		}
		s.i++
	}
	lit := s.b[start:s.i]
	digits := lit
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	// Integers of up to 15 digits print as themselves; the rest are
	// checked by formatting them.
	if len(digits) > 0 && len(digits) <= 15 && (digits[0] != '0' || len(digits) == 1) && !bytes.ContainsFunc(digits, func(r rune) bool { return r < '0' || r > '9' }) {
		return string(lit) != "-0"
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil {
		return false
	}
	canon, err := jcs.NumberToJSON(f)
	return err == nil && canon == string(lit)
}
