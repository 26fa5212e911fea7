package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/aeso-dev/aeso/internal/audit"
)

// A text search alone on PostgreSQL is read in two steps instead of
// leaving the choice of plan to the planner, which cannot see how often
// a phrase's words stand side by side: it estimates a phrase as often as
// all its words together. A target id such as api_key-209 is three words
// each in many events but a phrase in few (167 of 1M), so the planner
// walked the search rows newest first through 660,000 of them (229 ms,
// seconds with a cold cache) where the text index finds its few hundred
// candidates in 14 ms; and without statistics it read a busy phrase's
// every match from the index (0.5 s) where a walk takes 4 ms.
//
//  1. Walk the newest rows below the cursor (searchCosts.walk of them),
//     checking each: a few milliseconds, whatever the phrase. A phrase
//     in more than one event of every walk/limit fills its page here.
//  2. Otherwise, when the matches that walk saw put the page within
//     searchCosts.walkOn rows more, walk on, at most that far.
//  3. Read what is still wanted below through the text index, whose
//     cost is the events holding every word (side by side or not) below
//     the walks, however far back, and not the rows between them.
//
// Measured on a trail of 1M events (docs/benchmarks.md), the two ways
// cost alike for a phrase in ~0.1% of events (api_key-10: 24 ms walking
// on, 30 ms through the index); above, walking wins (api_key-2, 0.3%: 9
// against 256 ms), below, the index (api_key-209, 0.02%: 9 against 226
// ms). Counting the candidates first, to weigh the index exactly, cost
// more than it saved: a second walk of the newest rows for every search
// not served by the first.
//
// A search with any other filter or a window keeps one query: the other
// filter's index, whose statistics the planner reads well, bounds it.

// searchCosts are the steps' sizes, in rows of audit_search walked.
type searchCosts struct {
	// walk is the rows the first step walks (~5 ms).
	walk int64
	// walkOn is the most rows the second step walks (~50 ms).
	walkOn int64
}

var defaultSearchCosts = searchCosts{walk: 16384, walkOn: 131072}

// cheaperToWalk says whether the rows below the first step's are read
// by walking on, given that its c.walk rows held found matches and rest
// more are wanted. The rows left below do not count: a phrase that rare
// near the top is read faster through the index even from a short rest
// (at 100k events, walking the 84k rows below took ~35 ms).
func (c searchCosts) cheaperToWalk(found, rest int) bool {
	return found > 0 && int64(rest)*c.walk/int64(found) <= c.walkOn
}

// pgSearchAlone says whether f is a PostgreSQL text search with no
// other filter, read by listSearch.
func (db *DB) pgSearchAlone(f audit.Filter) bool {
	return db.dialect.name() == "postgres" && f.Search != nil &&
		f.ActorUserID == "" && f.ActorServiceAccountID == "" && f.Action == "" && f.ActionPrefix == "" &&
		f.Actions == nil && len(f.ExcludeActions) == 0 && f.TargetType == "" && f.TargetID == "" &&
		f.Result == "" && f.CorrelationID == "" && f.Since.IsZero() && f.Until.IsZero()
}

// listSearch reads a text search alone in the steps above.
func (db *DB) listSearch(ctx context.Context, f audit.Filter) ([]*audit.Event, error) {
	var newest sql.NullInt64
	if err := db.read.QueryRowContext(ctx, lastSeqQuery).Scan(&newest); err != nil {
		return nil, fmt.Errorf("search: last seq: %w", err)
	}
	top := newest.Int64 + 1 // the seqs searched are below top
	if f.BeforeSeq > 0 {
		top = min(top, f.BeforeSeq)
	}
	costs := defaultSearchCosts
	if db.searchCosts != nil {
		costs = *db.searchCosts
	}
	lo := max(top-costs.walk, 1)
	page, err := db.searchStep(ctx, f, searchStepWalk, lo, top, f.Limit)
	if err != nil || len(page) == f.Limit || lo <= 1 {
		return page, err
	}
	if costs.cheaperToWalk(len(page), f.Limit-len(page)) {
		// Walk on, but no further than walkOn rows: matches may all be
		// recent (an incident, a new target), and the index reads what
		// lies below, however far back, for less.
		below := max(lo-costs.walkOn, 1)
		more, err := db.searchStep(ctx, f, searchStepWalk, below, lo, f.Limit-len(page))
		if page = append(page, more...); err != nil || len(page) == f.Limit || below <= 1 {
			return page, err
		}
		lo = below
	}
	more, err := db.searchStep(ctx, f, searchStepIndex, 0, lo, f.Limit-len(page))
	return append(page, more...), err
}

// searchStep reads up to limit events of f's search with seqs from lo
// (0: the first) to below hi, newest first, as how says.
func (db *DB) searchStep(ctx context.Context, f audit.Filter, how searchStepKind, lo, hi int64, limit int) ([]*audit.Event, error) {
	if db.searchHook != nil {
		db.searchHook(how)
	}
	q, args := db.searchStepQuery(f, how, lo, hi, limit)
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return scanEvents(rows)
}

type searchStepKind int

const (
	searchStepWalk  searchStepKind = iota // the search rows newest first, each checked
	searchStepIndex                       // the text index's candidates, sorted
)

// searchStepQuery selects up to limit events of f's search with seqs
// from lo (0: the first) to below hi, newest first, read as how says.
// A walk's rows come from a subquery the planner may not merge with the
// match (OFFSET 0 keeps the condition out of it), so it cannot turn to
// the text index. Ordering the index step by seq + 0 keeps the planner
// from walking the primary key backwards and stopping after a page,
// the plan it would take for a phrase it thinks common; it may still
// read the range whole and sort it when its words are in most rows.
func (db *DB) searchStepQuery(f audit.Filter, how searchStepKind, lo, hi int64, limit int) (string, []any) {
	b := db.build()
	match := "doc @@ to_tsquery('simple', " + b.bind(db.dialect.searchQuery(f.Search)) + ")"
	rng := "s.seq < " + b.bind(hi)
	if lo > 0 {
		rng += " AND s.seq >= " + b.bind(lo)
	}
	var keys string
	switch how {
	case searchStepWalk:
		keys = "SELECT w.seq FROM (SELECT s.seq, s.doc FROM audit_search s WHERE " + rng +
			" ORDER BY s.seq DESC OFFSET 0) w WHERE w." + match + " ORDER BY w.seq DESC LIMIT " + b.bind(limit)
	default:
		keys = "SELECT s.seq FROM audit_search s WHERE s." + match + " AND " + rng +
			" ORDER BY s.seq + 0 DESC LIMIT " + b.bind(limit)
	}
	return eventsOfKeys(keys), b.args
}

// eventsOfKeys reads the events whose seqs keys selects, newest first.
func eventsOfKeys(keys string) string {
	// CROSS JOIN keeps SQLite reading the page first; PostgreSQL plans
	// it as any join.
	return "SELECT " + eventColumns + " FROM (" + keys + ") k CROSS JOIN audit_logs l" +
		" LEFT JOIN audit_display_names d ON d.seq = l.seq WHERE l.seq = k.seq ORDER BY k.seq DESC"
}
