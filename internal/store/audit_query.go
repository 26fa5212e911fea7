package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/aeso-dev/aeso/internal/audit"
)

// ListEvents implements audit.Store.
func (db *DB) ListEvents(ctx context.Context, f audit.Filter) (_ []*audit.Event, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	q, args := db.eventsQuery(f)
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return scanEvents(rows)
}

// eventsQuery builds the listing for f: newest first, at most f.Limit
// rows. Each filter is written so an index serves it on both dialects
// (the test of its plans explains exactly this query):
//   - an equality on an indexed column is walked backwards along
//     (column, seq), so a page stops after limit matching rows;
//   - a partial index is used only when the query implies its condition,
//     so the condition is repeated beside the value;
//   - an action prefix is a range of the action index, compared bytewise;
//   - a text search walks the search index, whose rows are keyed by seq.
func (db *DB) eventsQuery(f audit.Filter) (string, []any) {
	var where []string
	var args []any
	add := func(cond string, vs ...any) {
		for _, v := range vs {
			args = append(args, v)
			cond = strings.Replace(cond, "?", db.dialect.placeholder(len(args)), 1)
		}
		where = append(where, cond)
	}
	from, seq := " FROM audit_logs l", "l.seq"
	if f.Search != nil {
		var match string
		from, seq, match = db.dialect.searchJoin()
		add(match, db.dialect.searchQuery(f.Search))
	}
	action := db.dialect.actionColumn("l.action")
	for _, c := range []struct{ cond, v string }{
		{"l.actor_user_id = ? AND l.actor_user_id <> ''", f.ActorUserID},
		{"l.actor_service_account_id = ? AND l.actor_service_account_id <> ''", f.ActorServiceAccountID},
		{action + " = ?", f.Action},
		{"l.target_type = ?", f.TargetType},
		{"l.target_id = ?", f.TargetID},
		{"l.result = ?", f.Result},
		{"l.correlation_id = ? AND l.correlation_id <> ''", f.CorrelationID},
	} {
		if c.v != "" {
			add(c.cond, c.v)
		}
	}
	if f.ActionPrefix != "" {
		// A prefix ends in '.', so the actions under it are those from
		// the prefix up to the same text ending in '/', the next byte.
		add(action+" >= ? AND "+action+" < ?", f.ActionPrefix, strings.TrimSuffix(f.ActionPrefix, ".")+"/")
	}
	if f.Actions != nil {
		if len(f.Actions) == 0 {
			where = append(where, "1 = 0")
		}
		where = append(where, db.inList(action, f.Actions, &args, false)...)
	}
	if len(f.ExcludeActions) > 0 {
		where = append(where, db.inList(action, f.ExcludeActions, &args, true)...)
	}
	order := seq
	if len(where) == 0 && (!f.Since.IsZero() || !f.Until.IsZero()) {
		order = db.dialect.windowOrder(seq)
	}
	if !f.Since.IsZero() {
		add("l.occurred_at >= ?", db.dialect.timeArg(f.Since))
	}
	if !f.Until.IsZero() {
		add("l.occurred_at < ?", db.dialect.timeArg(f.Until))
	}
	if f.BeforeSeq > 0 {
		add(seq+" < ?", f.BeforeSeq)
	}
	// The page's seqs are found first, from index entries alone where an
	// index covers the filter, and only those rows are read: a window
	// sorts the seqs of its rows, not the rows.
	keys := "SELECT " + seq + " AS seq" + from
	if len(where) > 0 {
		keys += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, f.Limit)
	keys += " ORDER BY " + order + " DESC LIMIT " + db.dialect.placeholder(len(args))
	// CROSS JOIN keeps SQLite reading the page first; PostgreSQL plans
	// it as any join.
	return "SELECT " + eventColumns + " FROM (" + keys + ") k CROSS JOIN audit_logs l" +
		" LEFT JOIN audit_display_names d ON d.seq = l.seq WHERE l.seq = k.seq ORDER BY k.seq DESC", args
}

func (db *DB) inList(col string, values []string, args *[]any, negate bool) []string {
	if len(values) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(col)
	if negate {
		b.WriteString(" NOT")
	}
	b.WriteString(" IN (")
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',')
		}
		*args = append(*args, v)
		b.WriteString(db.dialect.placeholder(len(*args)))
	}
	b.WriteByte(')')
	return []string{b.String()}
}
