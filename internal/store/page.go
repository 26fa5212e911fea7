package store

import "strings"

// filter is one "column = value" condition of a history listing; an empty
// value means "any".
type filter struct{ column, value string }

// pageQuery completes selectFrom ("SELECT … FROM table") into one keyset
// page of a history: the filters that have a value, ids below the cursor
// (ids are time-ordered UUIDv7), newest first, at most limit rows.
func (db *DB) pageQuery(selectFrom string, filters []filter, beforeID string, limit int) (string, []any) {
	var where []string
	var args []any
	cond := func(expr string, v any) {
		args = append(args, v)
		where = append(where, expr+" "+db.dialect.placeholder(len(args)))
	}
	for _, f := range filters {
		if f.value != "" {
			cond(f.column+" =", f.value)
		}
	}
	if id, ok := canonicalID(beforeID); ok {
		cond("id <", id)
	}
	q := selectFrom
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, limit)
	return q + " ORDER BY id DESC LIMIT " + db.dialect.placeholder(len(args)), args
}
