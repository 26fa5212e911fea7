package auditsearch

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of PostgreSQL's text search that to_tsvector applies, and so
// this file too.
const (
	// maxWordBytes: a token or a lexeme of this many bytes or more is
	// not indexed ("word is too long to be indexed").
	maxWordBytes = 2048
	// maxPosition: later words are all at this position.
	maxPosition = 16383
	// maxPositions: a lexeme keeps at most this many positions.
	maxPositions = 255
)

// PostgresVector returns, as tsvector input text ('word':1,4 'other':2),
// exactly the tsvector that PostgreSQL's former search trigger made from
// text with
//
//	to_tsvector('simple', regexp_replace(text, '[[:space:][:punct:][:cntrl:]]+', ' ', 'g'))
//
// in a UTF-8 database whose character classes are glibc's (the tables in
// classes.go): the same lexemes at the same positions, so a phrase search
// (<->) finds the same events. The database only parses the result.
func PostgresVector(text string) string {
	type occurrence struct {
		word string
		pos  int
	}
	words := make([]occurrence, 0, 64)
	pos := 0
	postgresWords(text, func(token string) {
		if len(token) >= maxWordBytes {
			return // dropped before it takes a position
		}
		pos++
		w := lower(token)
		if len(w) >= maxWordBytes {
			return // dropped after it took one
		}
		words = append(words, occurrence{w, min(pos, maxPosition)})
	})
	// As to_tsvector does: sorted by word, then position, each word's
	// positions kept in that order up to its limits.
	slices.SortFunc(words, func(a, b occurrence) int {
		if c := strings.Compare(a.word, b.word); c != 0 {
			return c
		}
		return a.pos - b.pos
	})
	b := make([]byte, 0, len(text)+4*len(words))
	kept, last := 0, 0
	for i, o := range words {
		if i == 0 || o.word != words[i-1].word {
			if i > 0 {
				b = append(b, ' ')
			}
			b = append(b, '\'')
			b = appendQuoted(b, o.word)
			b = append(b, '\'', ':')
			b = strconv.AppendInt(b, int64(o.pos), 10)
			kept, last = 1, o.pos
			continue
		}
		if kept < maxPositions && last != maxPosition && last != o.pos {
			b = append(b, ',')
			b = strconv.AppendInt(b, int64(o.pos), 10)
			kept, last = kept+1, o.pos
		}
	}
	return string(b)
}

// appendQuoted appends w for a quoted tsvector lexeme. Words never hold a
// quote or a backslash (both are punctuation), but the input syntax is
// respected all the same.
func appendQuoted(b []byte, w string) []byte {
	if !strings.ContainsAny(w, `'\`) {
		return append(b, w...)
	}
	for i := 0; i < len(w); i++ {
		if w[i] == '\'' || w[i] == '\\' {
			b = append(b, w[i])
		}
		b = append(b, w[i])
	}
	return b
}

// lower lowercases as the 'simple' dictionary does (towlower, character
// by character).
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			return strings.ToLower(s)
		}
	}
	return s
}

// postgresWords calls emit with each token PostgreSQL's default text
// search parser finds in text once the regular expression has turned
// spaces, punctuation and control characters into spaces. What is left
// between separators is letters and digits (word runes), combining
// characters the parser's display-width table calls zero-width but glibc
// classes as nothing (joiner runes: they continue a word but never start
// one) and characters glibc classes as nothing (separators to the
// parser). Each run of word and joiner runes that starts with a word rune
// is one token, with one exception: ASCII digits, an 'e' or 'E' and
// ASCII digits again are a number in scientific notation, which ends at
// the first rune after its digits ("1e5abc" is "1e5" and "abc").
func postgresWords(text string, emit func(string)) {
	i := 0
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		if !isWord(r) {
			i += n
			continue
		}
		start := i
		if isDigit(r) {
			if end, ok := scientific(text, i); ok {
				emit(text[start:end])
				i = end
				continue
			}
		}
		for i < len(text) {
			r, n := utf8.DecodeRuneInString(text[i:])
			if !isWord(r) && !isJoiner(r) {
				break
			}
			i += n
		}
		emit(text[start:i])
	}
}

// scientific reports where a number in scientific notation (digits, e or
// E, digits: ASCII only) starting at i ends, if one does.
func scientific(text string, i int) (int, bool) {
	j := i
	for j < len(text) && isDigit(rune(text[j])) {
		j++
	}
	if j+1 >= len(text) || (text[j] != 'e' && text[j] != 'E') || !isDigit(rune(text[j+1])) {
		return 0, false
	}
	j += 2
	for j < len(text) && isDigit(rune(text[j])) {
		j++
	}
	return j, true
}

func isDigit(r rune) bool { return '0' <= r && r <= '9' }

// isWord reports whether glibc classes r as alphanumeric (iswalnum in a
// UTF-8 locale): every other character is a separator, removed by the
// regular expression or skipped by the parser.
func isWord(r rune) bool {
	if r < utf8.RuneSelf {
		return isDigit(r) || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z')
	}
	// glibc's "alpha" is Unicode's Alphabetic property (letters, letter
	// numbers, the marks that are part of letters) and every decimal
	// digit beyond ASCII.
	if !unicode.IsLetter(r) && !unicode.In(r, unicode.Nl, unicode.Nd, unicode.Other_Alphabetic) {
		return false
	}
	return !unicode.Is(notWordInDatabase, r)
}

// isJoiner reports whether r continues a word without being part of
// glibc's classes (see joiners).
func isJoiner(r rune) bool { return r >= utf8.RuneSelf && unicode.Is(joiners, r) }
