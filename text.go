package aeso

import "unicode"

// UnsafeText reports whether s holds a character that changes how the
// text around it is shown rather than being shown itself: a control
// character (with multiline, line feed, carriage return and tab are
// allowed), a bidirectional embedding, override or isolate (U+202A–U+202E,
// U+2066–U+2069), or a line or paragraph separator. Stored text is shown
// in terminals, tables and the console; such a character could hide or
// reorder what an operator reads. The invisible direction marks (U+200E,
// U+200F, U+061C) stay allowed: names in right-to-left scripts carry
// them, and they reorder nothing beyond the characters beside them.
func UnsafeText(s string, multiline bool) bool {
	for _, r := range s {
		switch {
		case multiline && (r == '\n' || r == '\r' || r == '\t'):
		case unicode.IsControl(r), r == '\u2028', r == '\u2029',
			unicode.Is(unicode.Bidi_Control, r) && r != '\u200e' && r != '\u200f' && r != '\u061c':
			return true
		}
	}
	return false
}
