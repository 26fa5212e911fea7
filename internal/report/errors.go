package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/aeso-dev/aeso"
)

// maxContext bounds each word of an error message.
const maxContext = 40

// ParseError says where a report broke, or why it proves nothing.
type ParseError struct {
	Format string
	Line   int    // 1-based, 0 when unknown
	Column int    // 1-based (bytes of the UTF-8 text), 0 when unknown
	Msg    string // never quotes the report: a position says where, the message what kind of problem
}

// As lets errors.As find the *aeso.Error a malformed report is: invalid,
// reason malformed_report, with the position as the field ("body:LINE:COL",
// "body:LINE" or "body") so a client can point at it.
func (e *ParseError) As(target any) bool {
	t, ok := target.(**aeso.Error)
	if !ok {
		return false
	}
	field := "body"
	if e.Line > 0 {
		field += ":" + strconv.Itoa(e.Line)
		if e.Column > 0 {
			field += ":" + strconv.Itoa(e.Column)
		}
	}
	*t = &aeso.Error{Code: aeso.EINVALID, Reason: "malformed_report", Message: "the report could not be read",
		Fields: []aeso.FieldError{{Field: field, Code: "malformed_report", Message: e.Error()}}}
	return true
}

// Error reads like "junit: line 12, column 5: <msg>", leaving out what is
// unknown.
func (e *ParseError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s: line %d, column %d: %s", e.Format, e.Line, e.Column, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s: line %d: %s", e.Format, e.Line, e.Msg)
	default:
		return e.Format + ": " + e.Msg
	}
}

// TooLargeError is a report longer than the limit Parse was given.
type TooLargeError struct{ Limit int64 }

// Error names the limit, which is all a client needs to fix its upload.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("report: larger than the limit of %d bytes", e.Limit)
}

// As lets errors.As find the *aeso.Error an oversized report is.
func (e *TooLargeError) As(target any) bool {
	t, ok := target.(**aeso.Error)
	if ok {
		*t = aeso.Reasonf(aeso.ETOOLARGE, "payload_too_large", "a report may be at most %d bytes", e.Limit)
	}
	return ok
}

// UnknownFormatError is a format name Parse does not accept.
type UnknownFormatError struct{ Format string }

// Error names the accepted formats, so the client can correct its request.
func (e *UnknownFormatError) Error() string {
	return fmt.Sprintf("report: unknown format %q (accepted: %s)",
		clipWords(e.Format), strings.Join(Formats(), ", "))
}

// As lets errors.As find the *aeso.Error an unknown format is: the format
// field is invalid (without repeating what was sent).
func (e *UnknownFormatError) As(target any) bool {
	t, ok := target.(**aeso.Error)
	if ok {
		f := aeso.FieldError{Field: "format", Code: "enum", Message: "must be one of " + strings.Join(Formats(), ", ")}
		if e.Format == "" {
			f.Code, f.Message = "required", "is required: one of "+strings.Join(Formats(), ", ")
		}
		*t = &aeso.Error{Code: aeso.EINVALID, Reason: "validation_failed", Message: "request is invalid", Fields: []aeso.FieldError{f}}
	}
	return ok
}

// quoted matches what parser messages quote from the input: characters
// ('x'), strings ("…"), element names (<x>, </x>) and entities (&x;).
var quoted = regexp.MustCompile(`'(?:[^'\\]|\\.)*'|"[^"]*"|</?[^<>\s]*>|&[^;\s]*;`)

// parseError builds a ParseError whose message is safe to show: parser
// messages quote the input (element names, encodings, characters), and a
// report may hold anything, secrets included, so every quoted part is
// replaced by "…" and the rest is clipped.
func parseError(format string, line, column int, msg string) *ParseError {
	msg = quoted.ReplaceAllString(strings.ToValidUTF8(msg, "\uFFFD"), "…")
	msg = clipWords(msg)
	return &ParseError{Format: format, Line: line, Column: column, Msg: cut(msg, 4*maxContext)}
}

// clipWords cuts every whitespace-separated word of s to maxContext bytes.
func clipWords(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		words[i] = cut(w, maxContext)
	}
	return strings.Join(words, " ")
}

// jsonError turns an error from decoding data as JSON into a ParseError at
// the offending byte. The message is a fixed text for the kind of problem:
// the decoders' own messages quote the input (characters, member names,
// JSON pointers built from them), and a report may hold secrets.
func jsonError(format string, data []byte, err error) *ParseError {
	var syn *jsontext.SyntacticError
	var sem *jsonv2.SemanticError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	offset, msg := int64(-1), "the JSON could not be read"
	switch {
	case errors.As(err, &syn):
		offset, msg = syn.ByteOffset+1, jsonSyntaxText(syn.Err)
		if errors.Is(syn.Err, io.ErrUnexpectedEOF) {
			// Truncated input: point just past the last byte, where the
			// rest was expected, rather than at the last byte itself.
			offset = int64(len(data)) + 1
		}
	case errors.As(err, &sem):
		offset, msg = sem.ByteOffset+1, "a value has the wrong JSON type for its field"
	case errors.As(err, &syntax):
		offset, msg = syntax.Offset, "invalid JSON syntax"
		if syntax.Error() == "unexpected end of JSON input" {
			offset, msg = int64(len(data))+1, "unexpected end of JSON input"
		}
	case errors.As(err, &typ):
		offset, msg = typ.Offset, "a value has the wrong JSON type for its field"
	}
	if offset < 0 {
		return &ParseError{Format: format, Msg: msg}
	}
	line, column := position(data, offset)
	return &ParseError{Format: format, Line: line, Column: column, Msg: msg}
}

// jsonSyntaxText names a kind of JSON syntax error without its details.
func jsonSyntaxText(err error) string {
	text := ""
	if err != nil {
		text = err.Error()
	}
	switch {
	case errors.Is(err, jsontext.ErrDuplicateName):
		return "an object member name is given twice"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected end of JSON input"
	case strings.Contains(text, "invalid UTF-8"):
		return "invalid UTF-8"
	case errors.Is(err, jsontext.ErrNonStringName):
		return "an object member name is not a string"
	case strings.HasPrefix(text, "invalid character"):
		return "invalid character"
	default:
		return "invalid JSON syntax"
	}
}

// jsonAmbiguous returns err when it says that a JSON text reads two ways
// (a member name given twice, or bytes that are not UTF-8; RFC 7493),
// and nil for any other error: invalid JSON is refused elsewhere, and
// encoding/json would have read such a text silently, the last name or a
// replacement character winning.
func jsonAmbiguous(err error) error {
	var syn *jsontext.SyntacticError
	if errors.As(err, &syn) && (errors.Is(syn.Err, jsontext.ErrDuplicateName) ||
		syn.Err != nil && strings.Contains(syn.Err.Error(), "invalid UTF-8")) {
		return err
	}
	return nil
}

// checkJSON refuses data unless it is exactly one valid JSON value under
// RFC 7493's stricter rules: no member name twice in an object, only
// UTF-8. encoding/json, which the SARIF types decode with, keeps the last
// of two names and replaces bad bytes, so without this check
// `"results":[e],"results":[]` would read as a clean run.
func checkJSON(format string, data []byte) *ParseError {
	if jsontext.Value(data).IsValid() {
		return nil
	}
	d := jsontext.NewDecoder(bytes.NewReader(data))
	if _, err := d.ReadValue(); err != nil {
		return jsonError(format, data, err)
	}
	if _, err := d.ReadToken(); err != nil && !errors.Is(err, io.EOF) {
		return jsonError(format, data, err)
	}
	line, column := position(data, d.InputOffset()+1)
	return &ParseError{Format: format, Line: line, Column: column, Msg: "more than one JSON value"}
}

// xmlText names a kind of XML problem without its details: encoding/xml
// quotes names, entities and characters from the input in its messages,
// some without quotes ("invalid XML name: ghp_…").
func xmlText(msg string) string {
	for _, k := range xmlKinds {
		if strings.HasPrefix(msg, k.prefix) {
			return k.text
		}
	}
	return "malformed XML"
}

// xmlKinds maps the start of each encoding/xml message to a fixed text.
// Longer prefixes come before the shorter ones they extend.
var xmlKinds = []struct{ prefix, text string }{
	{"unexpected EOF in CDATA section", "unexpected end of the document inside a CDATA section"},
	{"unexpected EOF", "unexpected EOF"},
	{"unexpected end element", "an end tag without its start tag"},
	{"element <", "an element closed by the end tag of another"},
	{"invalid XML name", "invalid XML name"},
	{"invalid character entity", "invalid character entity"},
	{"invalid characters between </", "invalid characters in an end tag"},
	{"illegal character code", "a character XML does not allow"},
	{"invalid UTF-8", "invalid UTF-8"},
	{"attribute name without = in element", "an attribute name without ="},
	{"unquoted or missing attribute value in element", "an unquoted or missing attribute value"},
	{"expected /> in element", "expected /> in an element"},
	{"expected attribute name in element", "expected an attribute name"},
	{"expected element name after <", "expected an element name"},
	{"expected target name after <?", "expected a processing instruction target"},
	{"invalid <![ sequence", "invalid <![ sequence"},
	{"invalid sequence <!- not part of <!--", "invalid <!- sequence"},
	{"unescaped < inside quoted string", "unescaped < inside an attribute value"},
	{"unescaped ]]> not in CDATA section", "unescaped ]]> outside a CDATA section"},
	{"xml: opening charset", "the document declares an encoding other than UTF-8 or UTF-16"},
	{"xml: encoding", "the document declares an encoding other than UTF-8 or UTF-16"},
	{"xml: unsupported version", "unsupported XML version"},
}

// position turns the byte offset of a problem in data into a 1-based line
// and byte column. encoding/json reports offsets as "bytes read", so the
// offending byte is the one before the offset.
func position(data []byte, offset int64) (line, column int) {
	i := int(min(max(offset-1, 0), int64(len(data))))
	before := data[:i]
	line = 1 + bytes.Count(before, []byte("\n"))
	column = i - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, column
}
