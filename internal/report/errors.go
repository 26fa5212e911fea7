package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

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
		*t = &aeso.Error{Code: aeso.EINVALID, Reason: "validation_failed", Message: "request is invalid",
			Fields: []aeso.FieldError{{Field: "format", Code: "enum", Message: "must be one of " + strings.Join(Formats(), ", ")}}}
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

// jsonError turns an encoding/json error about data into a ParseError at
// the offending byte.
func jsonError(format string, data []byte, err error) *ParseError {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		offset := syntax.Offset
		if syntax.Error() == "unexpected end of JSON input" {
			// Truncated input: point just past the last byte, where the
			// rest was expected, rather than at the last byte itself.
			offset = int64(len(data)) + 1
		}
		line, column := position(data, offset)
		return parseError(format, line, column, syntax.Error())
	case errors.As(err, &typ):
		line, column := position(data, typ.Offset)
		return parseError(format, line, column, typ.Error())
	default:
		return parseError(format, 0, 0, err.Error())
	}
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
