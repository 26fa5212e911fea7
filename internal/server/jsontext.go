package server

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/aeso-dev/aeso"
)

// Codes of text no store can keep faithfully: PostgreSQL refuses a NUL in
// text while SQLite keeps it, and encoding/json turns invalid UTF-8 into
// U+FFFD without a word. Both are refused before anything is decoded, so
// both databases give the same answer.
const (
	reasonInvalidText  = "invalid_text"  // problem code: NUL or invalid UTF-8
	reasonDuplicateKey = "duplicate_key" // problem code: an object names a member twice
	codeNUL            = "nul_character"
	codeInvalidUTF8    = "invalid_utf8"
)

// checkJSONText refuses a body holding, at any depth, a NUL character (raw
// or escaped), invalid UTF-8 (raw bytes or an escaped lone surrogate) or an
// object that names a member twice. The field names where, never the value.
// Anything else wrong with the body (bad syntax, trailing data, an empty
// body) is left to the decoder, which names it in its own words.
//
// A valid body costs one pass of jsontext (RFC 7493: UTF-8, valid escapes,
// unique names) and a byte search for an escaped NUL; only a suspect body
// is walked token by token to find the field.
//
// It also refuses, in any string at any depth (metadata included), what
// would change how the text around it is shown rather than be shown (see
// aeso.UnsafeText; line feeds and tabs are kept): every write route's text
// is shown to operators, and a field no validator names is no exception.
// Fields shown on one line refuse line breaks too, in their own checks.
func checkJSONText(body []byte) error {
	if jsontext.Value(body).IsValid() && !bytes.Contains(body, []byte(`u0000`)) && !mayHoldUnsafeText(body) {
		return nil
	}
	dec := jsontext.NewDecoder(bytes.NewBuffer(body))
	for {
		var err error
		if dec.PeekKind() == '"' {
			var v jsontext.Value
			if v, err = dec.ReadValue(); err == nil && hasEscapedNUL(v) {
				return textError(codeNUL, stackField(dec, dec.StackPointer(), readName(dec)), readName(dec))
			}
			if err == nil {
				if u, uerr := jsontext.AppendUnquote(nil, v); uerr == nil && aeso.UnsafeText(string(u), true) {
					return unsafeTextError(stackField(dec, dec.StackPointer(), readName(dec)), readName(dec))
				}
			}
		} else {
			_, err = dec.ReadToken()
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return classify(dec, body, err)
		}
	}
}

// mayHoldUnsafeText is a quick look for anything aeso.UnsafeText refuses
// in multiline text, raw or escaped: control characters other than line
// feeds, carriage returns and tabs (C0 are escaped in valid JSON, DEL and
// C1 may be raw), U+2028 and U+2029, and the bidirectional embeddings,
// overrides and isolates (U+202A–U+202E, U+2066–U+2069). It may say yes
// for nothing (an escaped backslash before "u"); the walk decides.
func mayHoldUnsafeText(b []byte) bool {
	if bytes.IndexByte(b, 0x7f) >= 0 {
		return true
	}
	// Each lead byte is found with IndexByte (vectorised), then what
	// follows it is looked at: most bodies hold few or none.
	for _, lead := range []byte{0xc2, 0xe2, '\\'} {
		for rest := b; ; {
			i := bytes.IndexByte(rest, lead)
			if i < 0 || i+1 >= len(rest) {
				break
			}
			rest = rest[i+1:]
			switch lead {
			case 0xc2:
				if rest[0] >= 0x80 && rest[0] <= 0x9f {
					return true
				}
			case 0xe2:
				if len(rest) > 1 && (rest[0] == 0x80 && rest[1] >= 0xa8 && rest[1] <= 0xae ||
					rest[0] == 0x81 && rest[1] >= 0xa6 && rest[1] <= 0xa9) {
					return true
				}
			default:
				switch rest[0] {
				case 'b', 'f':
					return true
				case 'u':
					if len(rest) > 4 {
						n, err := strconv.ParseUint(string(rest[1:5]), 16, 16)
						if err == nil && aeso.UnsafeText(string(rune(n)), true) {
							return true
						}
					}
				}
				rest = rest[1:] // an escaped backslash escapes nothing after it
			}
		}
	}
	return false
}

// unsafeTextError refuses a string (or member name) holding what
// aeso.UnsafeText refuses, naming where, never the value.
func unsafeTextError(field string, inName bool) error {
	what := "a string"
	if inName {
		what = "a member name"
	}
	return &aeso.Error{Code: aeso.EINVALID, Reason: "validation_failed", Message: "request is invalid",
		Fields: []aeso.FieldError{{Field: field, Code: "control_character",
			Message: "holds " + what + " with control characters, bidirectional overrides or line separators, which would change how the text around it is shown"}}}
}

// readName says whether the string just read was a member name: an object
// whose count of tokens read is odd is waiting for that name's value.
func readName(dec *jsontext.Decoder) bool {
	k, n := dec.StackIndex(dec.StackDepth())
	return k == '{' && n%2 == 1
}

// classify turns a jsontext error into a refusal when it is about text or
// duplicate names, and into nil (the decoder will explain) otherwise.
func classify(dec *jsontext.Decoder, body []byte, err error) error {
	var se *jsontext.SyntacticError
	if !errors.As(err, &se) {
		return nil
	}
	ptr := se.JSONPointer
	switch {
	case se.Err == jsontext.ErrDuplicateName:
		return &aeso.Error{Code: aeso.EINVALID, Reason: reasonDuplicateKey, Message: "an object in the body names a member more than once; send each member once",
			Fields: []aeso.FieldError{{Field: stackField(dec, ptr, false), Code: reasonDuplicateKey, Message: "is given more than once"}}}
	case se.ByteOffset >= 0 && se.ByteOffset < int64(len(body)) && body[se.ByteOffset] == 0:
		return textError(codeNUL, stackField(dec, ptr, false), false)
	case invalidUTF8At(body, se.ByteOffset), loneSurrogateAt(body, se.ByteOffset):
		// An invalid name is reported before it is pushed on the stack, so
		// the pointer names the object holding it.
		inName := false
		if k, n := dec.StackIndex(dec.StackDepth()); k == '{' && n%2 == 0 {
			inName = true
		}
		return textError(codeInvalidUTF8, stackField(dec, ptr, false), inName)
	}
	return nil
}

// invalidUTF8At reports whether body holds, at off, a byte that starts no
// valid UTF-8 sequence (jsontext's own error for it is not exported).
func invalidUTF8At(body []byte, off int64) bool {
	if off < 0 || off >= int64(len(body)) {
		return false
	}
	r, size := utf8.DecodeRune(body[off:])
	return r == utf8.RuneError && size == 1
}

// loneSurrogateAt reports whether body holds, at off, a \u escape of a
// UTF-16 surrogate: jsontext refuses an unpaired one, which encoding/json
// would turn into U+FFFD.
func loneSurrogateAt(body []byte, off int64) bool {
	if off < 0 || off+6 > int64(len(body)) || body[off] != '\\' || body[off+1] != 'u' {
		return false
	}
	n, err := strconv.ParseUint(string(body[off+2:off+6]), 16, 16)
	return err == nil && n >= 0xD800 && n <= 0xDFFF
}

func textError(code, field string, inName bool) error {
	what := "a string"
	if inName {
		what = "a member name"
	}
	msg := "holds " + what + " with a NUL character (\\u0000), which cannot be stored"
	if code == codeInvalidUTF8 {
		msg = "holds " + what + " that is not valid UTF-8 (raw bytes or a lone surrogate escape such as \\ud800)"
	}
	return &aeso.Error{Code: aeso.EINVALID, Reason: reasonInvalidText,
		Message: "the body holds text that cannot be stored faithfully; send UTF-8 without NUL characters",
		Fields:  []aeso.FieldError{{Field: field, Code: code, Message: msg}}}
}

// hasEscapedNUL reports whether a raw JSON string holds \u0000 (and not an
// escaped backslash followed by "u0000").
func hasEscapedNUL(v []byte) bool {
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' {
			continue
		}
		i++
		if i < len(v) && v[i] == 'u' && i+4 < len(v) && string(v[i+1:i+5]) == "0000" {
			return true
		}
	}
	return false
}

// stackField renders a JSON pointer as a field path (events[0].metadata.note),
// using the decoder's stack to tell array indexes from member names. When
// skipLast is set the pointer's last token is a member name that cannot be
// shown, and the path stops at the object holding it. A name that is not
// plain is not repeated (see safeFieldName); the whole body is "body".
func stackField(dec *jsontext.Decoder, ptr jsontext.Pointer, skipLast bool) string {
	var toks []string
	for t := range ptr.Tokens() {
		toks = append(toks, t)
	}
	if skipLast && len(toks) > 0 {
		toks = toks[:len(toks)-1]
	}
	var b strings.Builder
	for i, t := range toks {
		kind := jsontext.Kind('{')
		if i+1 <= dec.StackDepth() {
			kind, _ = dec.StackIndex(i + 1)
		}
		if kind == '[' {
			if _, err := strconv.Atoi(t); err == nil {
				b.WriteString("[" + t + "]")
				continue
			}
		}
		if !utf8.ValidString(t) || strings.ContainsRune(t, 0) {
			break // an unprintable name: name the object holding it
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(safeFieldName(t))
	}
	if b.Len() == 0 {
		return "body"
	}
	return b.String()
}
