package store

import "strings"

// queryDialect is what differs between the dialects in an audit listing.
type queryDialect interface {
	// actionColumn is col as the action index orders it.
	actionColumn(col string) string
	// searchJoin returns the FROM clause that joins audit_logs l to its
	// search index, the column ordering the listing (the seq the search
	// index walks), and the condition that matches the bound query.
	searchJoin() (from, seq, match string)
	// searchQuery renders search terms, each a run of adjacent words, in
	// the dialect's query language. Words hold only letters and digits,
	// so nothing a caller typed is ever read as an operator.
	searchQuery(terms [][]string) string
	// unindexed is col in a condition no index may serve.
	unindexed(col string) string
}

func (sqliteDialect) actionColumn(col string) string { return col }

// SQLite, which keeps no statistics unless asked, would read a window
// as a range of the occurred_at index and sort it; a unary plus keeps it
// walking the seq range (or the other filter's index) instead.
func (sqliteDialect) unindexed(col string) string { return "+" + col }

// The search index's rowid is the event's seq; ordering and paging by it
// let FTS5 return matches newest first and stop after a page.
func (sqliteDialect) searchJoin() (string, string, string) {
	return " FROM audit_search s JOIN audit_logs l ON l.seq = s.rowid", "s.rowid", "audit_search MATCH ?"
}

// A double-quoted FTS5 string is a phrase; phrases side by side must all
// match.
func (sqliteDialect) searchQuery(terms [][]string) string {
	phrases := make([]string, len(terms))
	for i, words := range terms {
		phrases[i] = `"` + strings.Join(words, " ") + `"`
	}
	return strings.Join(phrases, " ")
}

// The action index compares bytes whatever the database's collation, so
// a prefix is a range of it.
func (postgresDialect) actionColumn(col string) string { return col + ` COLLATE "C"` }

// PostgreSQL weighs both ways with its statistics, which know how few
// rows the seq range holds.
func (postgresDialect) unindexed(col string) string { return col }

func (postgresDialect) searchJoin() (string, string, string) {
	return " FROM audit_logs l JOIN audit_search s ON s.seq = l.seq", "l.seq", "s.doc @@ to_tsquery('simple', ?)"
}

// <-> joins adjacent words into a phrase, & requires every term.
func (postgresDialect) searchQuery(terms [][]string) string {
	phrases := make([]string, len(terms))
	for i, words := range terms {
		phrases[i] = "(" + strings.Join(words, " <-> ") + ")"
	}
	return strings.Join(phrases, " & ")
}
