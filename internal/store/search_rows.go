package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/auditsearch"
)

// searchRowsVersion is the migration that dropped the search triggers:
// from it on, the transaction that inserts events writes their search
// rows, made in Go (internal/auditsearch), in the same transaction.
const searchRowsVersion = 23

// writesSearchRows reports whether tx must write the search rows of the
// events it inserts. Before migration 23 a trigger writes them (or, before
// 14, nothing); a served database is always fully migrated, so only a
// database being upgraded, or a test, asks more than once: the answer is
// kept once it is yes, as a schema never moves back.
func (db *DB) writesSearchRows(ctx context.Context, tx *sql.Tx) (bool, error) {
	if db.searchRows.Load() {
		return true, nil
	}
	var v sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(version_id) FROM goose_db_version WHERE is_applied`).Scan(&v); err != nil {
		return false, fmt.Errorf("read the schema version: %w", err)
	}
	if v.Int64 < searchRowsVersion {
		return false, nil
	}
	db.searchRows.Store(true)
	return true, nil
}

// insertSearchText writes the search rows of events (SQLite): FTS5 makes
// the words from the text, as it did when a trigger gave it the same text.
func (db *DB) insertSearchText(ctx context.Context, tx *sql.Tx, events []*audit.Event) error {
	var q strings.Builder
	q.WriteString("INSERT INTO audit_search (rowid, doc) VALUES ")
	args := make([]any, 0, 2*len(events))
	for i, e := range events {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString("(?,?)")
		args = append(args, e.Seq, auditsearch.Text(e))
	}
	if _, err := db.txExec(ctx, tx, q.String(), args...); err != nil {
		return fmt.Errorf("insert audit search rows: %w", err)
	}
	return nil
}

// searchVectors returns the tsvector input text of each event's search
// row (PostgreSQL).
func searchVectors(events []*audit.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = auditsearch.PostgresVector(auditsearch.Text(e))
	}
	return out
}
