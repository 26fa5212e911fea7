package auditsearch

import (
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
	type lexeme struct {
		word      string
		positions []int
	}
	var order []*lexeme
	seen := map[string]*lexeme{}
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
		p := min(pos, maxPosition)
		l := seen[w]
		if l == nil {
			l = &lexeme{word: w}
			seen[w] = l
			order = append(order, l)
			l.positions = append(l.positions, p)
			return
		}
		last := l.positions[len(l.positions)-1]
		if len(l.positions) < maxPositions && last != maxPosition && last != p {
			l.positions = append(l.positions, p)
		}
	})
	var b strings.Builder
	for i, l := range order {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('\'')
		writeQuoted(&b, l.word)
		b.WriteString("':")
		for j, p := range l.positions {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(p))
		}
	}
	return b.String()
}

// writeQuoted writes w for a quoted tsvector lexeme. Words never hold a
// quote or a backslash (both are punctuation), but the input syntax is
// respected all the same.
func writeQuoted(b *strings.Builder, w string) {
	if !strings.ContainsAny(w, `'\`) {
		b.WriteString(w)
		return
	}
	for _, r := range w {
		if r == '\'' || r == '\\' {
			b.WriteRune(r)
		}
		b.WriteRune(r)
	}
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
