package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aeso-dev/aeso/internal/redact"
)

// maxContext is how much of a report an error message may quote: enough to
// recognise the spot, too little to leak a file's worth of content.
const maxContext = 40

// ParseError says where a report broke.
type ParseError struct {
	Format string
	Line   int    // 1-based, 0 when unknown
	Column int    // 1-based (bytes), 0 when unknown
	Msg    string // never quotes report content at length (at most 40 chars of context), never a secret
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

// UnknownFormatError is a format name Parse does not accept.
type UnknownFormatError struct{ Format string }

// Error names the accepted formats, so the client can correct its request.
func (e *UnknownFormatError) Error() string {
	return fmt.Sprintf("report: unknown format %q (accepted: %s)",
		clipWords(e.Format), strings.Join(Formats(), ", "))
}

// parseError builds a ParseError whose message is safe to show: parser
// messages quote the input (element names, encodings, characters), so long
// words are clipped and a message that looks secret is replaced whole.
func parseError(format string, line, column int, msg string) *ParseError {
	msg = clipWords(strings.ToValidUTF8(msg, "\uFFFD"))
	if redact.TextLooksSecret(msg) {
		msg = "malformed report (details withheld: they look like a credential)"
	}
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
