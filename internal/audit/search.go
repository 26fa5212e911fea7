package audit

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aeso-dev/aeso"
)

// Bounds of a text search (q=).
const (
	MaxSearchLength = 256 // bytes
	MaxSearchWords  = 16
)

// searchTerms splits q into terms at white space and each term into words
// of letters and digits, lowercased: "deploy-key-7 rotate" is the terms
// [deploy key 7] and [rotate]. Everything else, quotes, stars and
// operators included, only separates words, so what a caller types is
// always words and never query syntax. Both databases split stored text
// at the same characters, so a term matches where its words stand next to
// each other in an event.
func searchTerms(q string, v *aeso.Validation) [][]string {
	switch {
	case !utf8.ValidString(q):
		v.Add("q", "encoding", "must be valid UTF-8")
		return nil
	case len(q) > MaxSearchLength:
		v.Add("q", "too_long", "must be at most %d bytes", MaxSearchLength)
		return nil
	}
	var terms [][]string
	n := 0
	for _, field := range strings.Fields(q) {
		words := strings.FieldsFunc(strings.ToLower(field), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		})
		if len(words) == 0 {
			continue
		}
		n += len(words)
		terms = append(terms, words)
	}
	switch {
	case n == 0:
		v.Add("q", "empty", "must hold at least one word of letters or digits")
		return nil
	case n > MaxSearchWords:
		v.Add("q", "too_many_words", "may hold at most %d words", MaxSearchWords)
		return nil
	}
	return terms
}
