// Package auditsearch makes what the audit trail's text search (q=)
// indexes for an event, in Go, so the inserting transaction hands each
// database a ready search row instead of a trigger that computes one.
//
// The words are exactly those the search triggers of migration 00014
// made: SQLite's FTS5 table is given the same text the trigger gave it
// (its tokenizer makes the words, as it always did), and PostgreSQL is
// given the tsvector that to_tsvector('simple', …) made from that text
// after its split at spaces, punctuation and control characters, built
// here without either (see PostgresVector). Tests compare both with the
// old triggers' SQL on real databases.
package auditsearch

import (
	"strings"

	"github.com/aeso-dev/aeso/internal/audit"
)

// redactedPlaceholder is what redaction leaves in place of a secret; it is
// dropped from the text, so q=redacted finds nothing it should not.
const redactedPlaceholder = "[REDACTED]"

// Text is the searchable text of a stored event: its actor, role, action,
// target, correlation id and the JSON text of its stored metadata (keys
// and values at any depth, already redacted), with the redaction
// placeholder dropped and every escape sequence written as a space.
// Stored metadata escapes only quotes, backslashes and control characters
// (and, written by an older encoder, <, > and &), none of them part of a
// word, so "line1\nline2" is the words line1 and line2, not line1 and
// nline2 as the escape's letter made them. Display names, result, source
// and request ids are not searched. It is the text the triggers of
// migration 00014 indexed, field for field, but for the escapes.
func Text(e *audit.Event) string {
	var b strings.Builder
	b.Grow(len(e.ActorUserID) + len(e.ActorServiceAccountID) + len(e.ActorRole) + len(e.Action) +
		len(e.TargetType) + len(e.TargetID) + len(e.CorrelationID) + len(e.Metadata) + 8)
	for _, f := range [...]string{e.ActorUserID, e.ActorServiceAccountID, e.ActorRole, e.Action,
		e.TargetType, e.TargetID, e.CorrelationID} {
		b.WriteString(f)
		b.WriteByte(' ')
	}
	m := string(e.Metadata)
	for {
		i := strings.Index(m, redactedPlaceholder)
		if i < 0 {
			break
		}
		writeUnescaped(&b, m[:i])
		b.WriteByte(' ')
		m = m[i+len(redactedPlaceholder):]
	}
	writeUnescaped(&b, m)
	return b.String()
}

// writeUnescaped writes JSON text with each escape sequence (\n, \", \\,
// \u001b, …) as one space.
func writeUnescaped(b *strings.Builder, s string) {
	for {
		i := strings.IndexByte(s, '\\')
		if i < 0 || i+1 >= len(s) {
			b.WriteString(s)
			return
		}
		b.WriteString(s[:i])
		b.WriteByte(' ')
		n := 2
		if s[i+1] == 'u' {
			n = 6
		}
		s = s[min(i+n, len(s)):]
	}
}
