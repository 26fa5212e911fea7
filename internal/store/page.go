package store

// filter is one "column = value" condition of a history listing; an empty
// value means "any".
type filter struct{ column, value string }

// pageQuery completes selectFrom ("SELECT … FROM table") into one keyset
// page of a history: the filters that have a value, ids below the cursor
// (ids are time-ordered UUIDv7), newest first, at most limit rows.
func (db *DB) pageQuery(selectFrom string, filters []filter, beforeID string, limit int) (string, []any) {
	b := db.build()
	for _, f := range filters {
		b.eq(f.column, f.value)
	}
	id, _ := canonicalID(beforeID)
	q := b.query(selectFrom + newestFirst(b, "id", id, limit))
	return q.sql, q.args
}
