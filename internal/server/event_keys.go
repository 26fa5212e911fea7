package server

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/wire"
)

// checkEventKeys finds what encoding/json accepts quietly: a field named
// with other capitals ("Action"), which would fill the field. body must be
// valid JSON; batch says it is {"events": […]}.
func checkEventKeys(body []byte, batch bool) []aeso.FieldError {
	s := &keyScanner{b: body, fields: jsonFields(reflect.TypeFor[wire.EventInput]())}
	if batch {
		s.envelope()
	} else {
		s.event("")
	}
	return s.errs
}

// keyScanner walks valid JSON byte by byte, looking only at keys.
type keyScanner struct {
	b      []byte
	i      int
	fields fieldSet // the exact names an event may carry
	errs   []aeso.FieldError
}

func (s *keyScanner) ws() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

// str reads a string at s.i and returns its value.
func (s *keyScanner) str() string {
	start := s.i
	escaped := false
	for s.i++; s.i < len(s.b) && s.b[s.i] != '"'; s.i++ {
		if s.b[s.i] == '\\' {
			s.i++
			escaped = true
		}
	}
	s.i++
	raw := s.b[start:s.i]
	if !escaped {
		return string(raw[1 : len(raw)-1])
	}
	var v string
	_ = json.Unmarshal(raw, &v) // valid JSON, so it decodes
	return v
}

// skip passes over one value.
func (s *keyScanner) skip() {
	s.ws()
	if s.i >= len(s.b) {
		return
	}
	switch s.b[s.i] {
	case '"':
		s.str()
	case '{', '[':
		depth := 0
		for ; s.i < len(s.b); s.i++ {
			switch s.b[s.i] {
			case '"':
				s.str()
				s.i--
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					s.i++
					return
				}
			}
		}
	default:
		for s.i < len(s.b) && !strings.ContainsRune(",}] \t\r\n", rune(s.b[s.i])) {
			s.i++
		}
	}
}

// members calls fn for each key of the object at s.i; fn reads the value.
func (s *keyScanner) members(fn func(key string)) {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		s.skip()
		return
	}
	s.i++
	for {
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] == '}' {
			s.i++
			return
		}
		if s.b[s.i] == ',' {
			s.i++
			continue
		}
		key := s.str()
		s.ws()
		s.i++ // ':'
		fn(key)
	}
}

func (s *keyScanner) envelope() {
	s.members(func(key string) {
		if key != "events" {
			s.skip() // other keys are reported by the decoder
			return
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != '[' {
			s.skip()
			return
		}
		s.i++
		for n := 0; ; n++ {
			s.ws()
			if s.i >= len(s.b) || s.b[s.i] == ']' {
				s.i++
				return
			}
			if s.b[s.i] == ',' {
				s.i++
			}
			s.event("events[" + strconv.Itoa(n) + "].")
		}
	})
}

// event checks one event's keys. A key given twice never gets here: the
// body was refused before decoding (duplicate_key).
func (s *keyScanner) event(prefix string) {
	s.members(func(key string) {
		if _, ok := s.fields.exact[key]; !ok {
			s.errs = append(s.errs, aeso.FieldError{Field: prefix + safeFieldName(key), Code: "unknown_field",
				Message: "is not a field of an audit event (names are lowercase, e.g. " + strings.ToLower(safeFieldName(key)) + ")"})
		}
		s.skip()
	})
}
