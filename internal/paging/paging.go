// Package paging is how every listing pages: newest first, by keyset, one
// page at a time, with the position after a page handed to the client as
// an opaque cursor.
//
// A cursor is the unpadded base64url encoding of a one-letter kind and the
// sort key of the last row of the page it follows: "s" and an audit
// event's seq, "i" and an id (ids are time-ordered UUIDv7, so the order of
// ids is the order rows were made in). Clients pass back what they were
// given and read nothing into it; the API promises no cursor outlives the
// version of aeso that made it.
package paging

import (
	"encoding/base64"
	"regexp"
	"strconv"

	"github.com/aeso-dev/aeso"
)

// Read returns one page of at most limit rows. read is asked for limit+1
// rows in listing order: a row beyond the page proves another page
// follows, and next is then the cursor after the page's last row, which
// cursor makes (AfterID, AfterSeq). next is "" on the last page.
func Read[T any](limit int, read func(n int) ([]T, error), cursor func(last T) string) (page []T, next string, err error) {
	rows, err := read(limit + 1)
	if err != nil {
		return nil, "", err
	}
	if len(rows) <= limit {
		return rows, "", nil
	}
	rows = rows[:limit]
	return rows, cursor(rows[limit-1]), nil
}

// ReadByID is Read for a listing keyed by id: it checks cursor (one a
// page of the listing handed out, "" for the first page) and asks read for
// n rows older than the row with id before ("" for the newest); id gives
// a row's id.
func ReadByID[T any](cursor string, limit int, read func(before string, n int) ([]T, error), id func(T) string) (page []T, next string, err error) {
	before, err := CheckID(cursor)
	if err != nil {
		return nil, "", err
	}
	return Read(limit, func(n int) ([]T, error) { return read(before, n) }, func(last T) string { return AfterID(id(last)) })
}

// The kinds of key a cursor holds.
const (
	kindSeq = 's'
	kindID  = 'i'
)

func encode(kind byte, key string) string {
	return base64.RawURLEncoding.EncodeToString(append([]byte{kind}, key...))
}

// decode returns the key of a cursor of kind, and false for anything else:
// another kind, or text no listing handed out.
func decode(kind byte, cursor string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(b) < 2 || b[0] != kind {
		return "", false
	}
	return string(b[1:]), true
}

// AfterSeq is the cursor of the page after the row numbered seq.
func AfterSeq(seq int64) string { return encode(kindSeq, strconv.FormatInt(seq, 10)) }

// AfterID is the cursor of the page after the row with id, as stored.
func AfterID(id string) string { return encode(kindID, id) }

// canonicalID is an id as aeso stores it: a lowercase, hyphenated UUID.
var canonicalID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// Seq returns the seq a cursor made by AfterSeq follows, 0 for no cursor.
// Anything else is recorded in v as the cursor's problem: refused rather
// than quietly answered with the first page.
func Seq(v *aeso.Validation, cursor string) int64 {
	if cursor == "" {
		return 0
	}
	key, ok := decode(kindSeq, cursor)
	seq, err := strconv.ParseInt(key, 10, 64)
	if !ok || err != nil || seq < 1 {
		malformed(v)
		return 0
	}
	return seq
}

// ID returns the id a cursor made by AfterID follows, "" for no cursor;
// anything else is recorded in v, as Seq does.
func ID(v *aeso.Validation, cursor string) string {
	if cursor == "" {
		return ""
	}
	id, ok := decode(kindID, cursor)
	if !ok || !canonicalID.MatchString(id) {
		malformed(v)
		return ""
	}
	return id
}

// CheckID is ID for a listing that takes no other parameter a caller
// could get wrong: the id, or the cursor's problem as an error.
func CheckID(cursor string) (string, error) {
	var v aeso.Validation
	id := ID(&v, cursor)
	return id, v.Err()
}

// malformed is the one problem every listing answers a bad cursor with.
func malformed(v *aeso.Validation) {
	v.Add("cursor", "format", "is not a cursor returned by this API")
}
