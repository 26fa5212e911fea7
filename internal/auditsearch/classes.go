package auditsearch

import "unicode"

// The two tables below are where PostgreSQL's classes (glibc 2.36's
// C.UTF-8/UTF-8 locales, Unicode 14, and PostgreSQL 15's display-width
// table) differ from what isWord derives from Go's Unicode tables. They
// were found by classing every code point in the database,
//
//	SELECT cp, chr(cp) ~ '[[:space:][:punct:][:cntrl:]]',
//	       to_tsvector('simple', chr(cp)), to_tsvector('simple', 'x' || chr(cp) || 'y')
//	FROM generate_series(1, 1114111) cp WHERE cp NOT BETWEEN 55296 AND 57343
//
// and TestPostgresVectorClassesEveryCodePoint repeats that comparison
// against the database the tests run on.

// notWordInDatabase holds what Go calls alphanumeric and PostgreSQL does
// not: characters added in Unicode 15 (glibc knows them not) and five
// signs glibc classes as punctuation.
var notWordInDatabase = &unicode.RangeTable{
	R16: []unicode.Range16{
		{0x0C04, 0x0C04, 1}, {0x0CF3, 0x0CF3, 1}, {0x0F82, 0x0F83, 1},
	},
	R32: []unicode.Range32{
		{0x11080, 0x11081, 1}, {0x1123F, 0x11241, 1}, {0x11F00, 0x11F10, 1},
		{0x11F12, 0x11F3A, 1}, {0x11F3E, 0x11F40, 1}, {0x11F50, 0x11F59, 1},
		{0x1342F, 0x1342F, 1}, {0x13441, 0x13446, 1}, {0x1B132, 0x1B132, 1},
		{0x1B155, 0x1B155, 1}, {0x1DF25, 0x1DF2A, 1}, {0x1E030, 0x1E06D, 1},
		{0x1E08F, 0x1E08F, 1}, {0x1E4D0, 0x1E4EB, 1}, {0x1E4F0, 0x1E4F9, 1},
		{0x2B739, 0x2B739, 1}, {0x31350, 0x323AF, 1},
	},
}

// joiners holds code points that glibc puts in no class (so the regular
// expression keeps them) and that PostgreSQL's display-width table calls
// zero-width, which its parser reads as part of a word already begun.
var joiners = &unicode.RangeTable{
	R16: []unicode.Range16{
		{0x09FF, 0x0A00, 1}, {0x0A43, 0x0A46, 1}, {0x0A49, 0x0A4A, 1},
		{0x0A4E, 0x0A50, 1}, {0x0AC6, 0x0AC6, 1}, {0x0B00, 0x0B00, 1},
		{0x0B4E, 0x0B54, 1}, {0x0C49, 0x0C49, 1}, {0x0C4E, 0x0C54, 1},
		{0x0DD5, 0x0DD5, 1}, {0x0F98, 0x0F98, 1}, {0x1A5F, 0x1A5F, 1},
		{0x1A7D, 0x1A7E, 1}, {0x1ACF, 0x1AFF, 1},
	},
	R32: []unicode.Range32{
		{0x10A04, 0x10A04, 1}, {0x10A07, 0x10A0B, 1}, {0x10A3B, 0x10A3E, 1},
		{0x1136D, 0x1136F, 1}, {0x119D8, 0x119D9, 1}, {0x11C37, 0x11C37, 1},
		{0x11D37, 0x11D39, 1}, {0x11D3B, 0x11D3B, 1}, {0x11D3E, 0x11D3E, 1},
		{0x1CF2E, 0x1CF2F, 1}, {0x1DAA0, 0x1DAA0, 1}, {0x1E007, 0x1E007, 1},
		{0x1E019, 0x1E01A, 1}, {0x1E022, 0x1E022, 1}, {0x1E025, 0x1E025, 1},
	},
}
