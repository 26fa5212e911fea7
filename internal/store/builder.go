package store

import (
	"fmt"
	"strings"
)

// builder writes the parts of a statement that vary, its conditions above
// all, and binds their values. It is the one place generated SQL gets its
// bind parameters: each "?" in the text given to it becomes the dialect's
// next placeholder ("?" on SQLite, "$n" on PostgreSQL), in the order the
// text is written, so no statement built from parts mixes numbered and
// positional parameters. A statement written whole keeps "$1"…, which
// both drivers read.
//
// In text given to a builder "?" stands for a value only, never for an
// operator (PostgreSQL's jsonb "?" is not used).
type builder struct {
	d     dialect
	args  []any
	conds []string // the conditions since the last clause
}

// build starts a statement.
func (db *DB) build() *builder { return &builder{d: db.dialect} }

// bind adds v and returns its placeholder; a value used twice is bound
// twice, as SQLite's '?' is positional.
func (b *builder) bind(v any) string {
	b.args = append(b.args, v)
	return b.d.placeholder(len(b.args))
}

// expr is text with each "?" bound to the next of vs, in order.
func (b *builder) expr(text string, vs ...any) string {
	parts := strings.Split(text, "?")
	if len(parts) != len(vs)+1 {
		panic(fmt.Sprintf("store: %q binds %d values, given %d", text, len(parts)-1, len(vs)))
	}
	var s strings.Builder
	s.WriteString(parts[0])
	for i, v := range vs {
		s.WriteString(b.bind(v))
		s.WriteString(parts[i+1])
	}
	return s.String()
}

// where adds a condition (written as for expr) to the next clause.
func (b *builder) where(cond string, vs ...any) {
	b.conds = append(b.conds, b.expr(cond, vs...))
}

// eq adds "col = v" unless v is empty, which means any value.
func (b *builder) eq(col, v string) {
	if v != "" {
		b.where(col+" = ?", v)
	}
}

// in adds "col IN (…)" over values to the next clause, or with negate
// "col NOT IN (…)"; with no values it matches nothing (negated,
// everything).
func (b *builder) in(col string, values []string, negate bool) {
	if len(values) == 0 {
		if negate {
			b.conds = append(b.conds, "1 = 1")
		} else {
			b.conds = append(b.conds, "1 = 0")
		}
		return
	}
	var s strings.Builder
	s.WriteString(col)
	if negate {
		s.WriteString(" NOT")
	}
	s.WriteString(" IN (")
	for i, v := range values {
		if i > 0 {
			s.WriteString(", ")
		}
		s.WriteString(b.bind(v))
	}
	s.WriteByte(')')
	b.conds = append(b.conds, s.String())
}

// clause is " WHERE" and the conditions added since the last clause,
// joined by AND, or "" when there are none.
func (b *builder) clause() string {
	if len(b.conds) == 0 {
		return ""
	}
	s := " WHERE " + strings.Join(b.conds, " AND ")
	b.conds = nil
	return s
}

// newestFirst ends a keyset page over key (an id or a seq, which order
// rows as they were made): the conditions so far, the rows below before
// (none when it is the zero value), newest first, at most limit of them.
func newestFirst[K comparable](b *builder, key string, before K, limit int) string {
	var zero K
	if before != zero {
		b.where(key+" < ?", before)
	}
	return b.clause() + " ORDER BY " + key + " DESC LIMIT " + b.bind(limit)
}

// query is sql with the values bound so far.
func (b *builder) query(sql string) query { return query{sql, b.args} }
