package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aeso-dev/aeso/internal/audit"
)

// ListEvents implements audit.Store.
func (db *DB) ListEvents(ctx context.Context, f audit.Filter) (_ []*audit.Event, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	if f, err = db.resolveActions(ctx, f); err != nil {
		return nil, err
	}
	if db.pgSearchAlone(f) {
		return db.listSearch(ctx, f)
	}
	ranges, err := db.windowRanges(ctx, f)
	if err != nil {
		return nil, err
	}
	if ranges != nil && len(ranges) == 0 {
		return []*audit.Event{}, nil // no event can be in the window
	}
	q, args := db.eventsQuery(f, ranges)
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return scanEvents(rows)
}

// maxActionArms bounds the actions a listing reads one by one (below).
// Registries and traces hold tens of actions; a prefix or category over
// more is read as one range or list.
const maxActionArms = 64

// resolveActions turns an action prefix, or the actions a category leaves
// out, into the actions stored under it, read with a few index probes, so
// the listing can read each action's newest rows and merge them. A range
// of actions sorted by seq costs every row in it: at a million events a
// family of busy actions is hundreds of thousands. A search keeps the
// range: it walks its own index.
func (db *DB) resolveActions(ctx context.Context, f audit.Filter) (audit.Filter, error) {
	if f.Search != nil || f.Action != "" || (f.ActionPrefix == "" && len(f.ExcludeActions) == 0) {
		return f, nil
	}
	lo, hi := "", "{" // every action: they begin with a lowercase letter
	if f.ActionPrefix != "" {
		lo, hi = f.ActionPrefix, strings.TrimSuffix(f.ActionPrefix, ".")+"/"
	}
	q, args := db.storedActionsQuery(lo, hi, maxActionArms+1)
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return f, fmt.Errorf("list stored actions: %w", err)
	}
	defer rows.Close()
	keep := []string{}
	n := 0
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return f, fmt.Errorf("list stored actions: %w", err)
		}
		n++
		if !slices.Contains(f.ExcludeActions, a) && (f.Actions == nil || slices.Contains(f.Actions, a)) {
			keep = append(keep, a)
		}
	}
	if err := rows.Err(); err != nil {
		return f, fmt.Errorf("list stored actions: %w", err)
	}
	if n > maxActionArms {
		return f, nil
	}
	f.ActionPrefix, f.ExcludeActions, f.Actions = "", nil, keep
	return f, nil
}

// storedActionsQuery lists the distinct actions from lo up to hi: each
// step finds the next one with one probe of the action index (a loose
// index scan), so it costs the number of actions, not of rows.
func (db *DB) storedActionsQuery(lo, hi string, limit int) (string, []any) {
	b := db.build()
	action := db.dialect.actionColumn("l.action")
	q := b.query(`WITH RECURSIVE a(action) AS (
		SELECT MIN(` + action + `) FROM audit_logs l WHERE ` + b.expr(action+` >= ? AND `+action+` < ?`, lo, hi) + `
		UNION ALL
		SELECT (SELECT MIN(` + action + `) FROM audit_logs l WHERE ` + b.expr(action+` > a.action AND `+action+` < ?`, hi) + `)
		FROM a WHERE a.action IS NOT NULL)
	SELECT action FROM a WHERE action IS NOT NULL LIMIT ` + b.bind(limit))
	return q.sql, q.args
}

// eventsQuery builds the listing for f: newest first, at most f.Limit
// rows. The page's seqs are found first, from index entries alone where
// an index covers the filter, and only those rows are read. A list of
// actions is read action by action, each arm walking (action, seq)
// backwards and stopping after a page, and the arms merged: a page costs
// the number of actions times the page, however many rows they hold. A
// window is read likewise, range by range of the seqs that can hold it
// (windowRanges), each walked backwards under the other filters.
func (db *DB) eventsQuery(f audit.Filter, ranges []seqRange) (string, []any) {
	b := db.build()
	var arms []audit.Filter
	if f.Search == nil && f.Action == "" && len(f.Actions) > 0 && len(f.Actions) <= maxActionArms {
		for _, a := range f.Actions {
			one := f
			one.Actions, one.Action = nil, a
			arms = append(arms, one)
		}
		if len(arms)*len(ranges) > maxActionArms {
			ranges = mergeRanges(ranges, 1)
		}
	} else {
		arms = []audit.Filter{f}
	}
	var keys []string
	for _, one := range arms {
		if ranges == nil {
			keys = append(keys, db.keysQuery(b, one, nil))
		}
		for i := range ranges {
			keys = append(keys, db.keysQuery(b, one, &ranges[i]))
		}
	}
	page := keys[0]
	if len(keys) > 1 {
		for i, k := range keys {
			keys[i] = "SELECT seq FROM (" + k + ") a" + strconv.Itoa(i)
		}
		page = strings.Join(keys, " UNION ALL ") + " ORDER BY seq DESC LIMIT " + b.bind(f.Limit)
	}
	return eventsOfKeys(page), b.args
}

// keysQuery selects the seqs of f's page. Each filter is written so an
// index serves it on both dialects (the test of its plans explains
// exactly this query):
//   - an equality on an indexed column is walked backwards along
//     (column, seq), so a page stops after limit matching rows;
//   - a partial index is used only when the query implies its condition,
//     so the condition is repeated beside the value;
//   - an action prefix is a range of the action index, compared bytewise;
//   - a text search walks the search index, whose rows are keyed by seq;
//   - a window is read within r, a range of seqs that can hold it, which
//     the other filter's index (or the table) walks backwards.
func (db *DB) keysQuery(b *builder, f audit.Filter, r *seqRange) string {
	from, seq := " FROM audit_logs l", "l.seq"
	if f.Search != nil {
		var match string
		from, seq, match = db.dialect.searchJoin()
		b.where(match, db.dialect.searchQuery(f.Search))
	}
	action := db.dialect.actionColumn("l.action")
	for _, c := range []struct{ col, cond, v string }{
		{"l.actor_user_id", " AND l.actor_user_id <> ''", f.ActorUserID},
		{"l.actor_service_account_id", " AND l.actor_service_account_id <> ''", f.ActorServiceAccountID},
		{action, "", f.Action},
		{"l.target_type", "", f.TargetType},
		{"l.target_id", "", f.TargetID},
		{"l.result", "", f.Result},
		{"l.correlation_id", " AND l.correlation_id <> ''", f.CorrelationID},
	} {
		if c.v != "" {
			b.where(c.col+" = ?"+c.cond, c.v)
		}
	}
	if f.ActionPrefix != "" {
		// A prefix ends in '.', so the actions under it are those from
		// the prefix up to the same text ending in '/', the next byte.
		b.where(action+" >= ? AND "+action+" < ?", f.ActionPrefix, strings.TrimSuffix(f.ActionPrefix, ".")+"/")
	}
	if f.Actions != nil {
		b.in(action, f.Actions, false)
	}
	if len(f.ExcludeActions) > 0 {
		b.in(action, f.ExcludeActions, true)
	}
	// Within a range the window is a check of each row, never an index
	// to sort by seq.
	occurred := db.dialect.unindexed("l.occurred_at")
	if !f.Since.IsZero() {
		b.where(occurred+" >= ?", db.dialect.timeArg(f.Since))
	}
	if !f.Until.IsZero() {
		b.where(occurred+" < ?", db.dialect.timeArg(f.Until))
	}
	if r != nil {
		b.where(seq+" >= ?", r.lo)
		if r.hi > 0 {
			b.where(seq+" <= ?", r.hi)
		}
	}
	return "SELECT " + seq + " AS seq" + from + newestFirst(b, seq, f.BeforeSeq, f.Limit)
}
