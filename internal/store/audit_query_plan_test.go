package store

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/auditgen"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// planEvents is enough rows, spread as auditgen spreads them, for
// PostgreSQL's planner to prefer an index wherever one serves: on a small
// table a sequential scan is cheaper and rightly chosen.
const planEvents = 40000

var planStart = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

const planStep = 10 * time.Second

// fillForPlans stores planEvents events through AppendEvents, as aeso
// stores them (search index and tree included), and gathers statistics.
func fillForPlans(t *testing.T, db *DB) {
	t.Helper()
	fillAuditgen(t, db, planEvents)
}

// fillAuditgen stores the first n events of the auditgen trail (n a
// multiple of 1000) and gathers statistics.
func fillAuditgen(t *testing.T, db *DB, n int) {
	t.Helper()
	ctx := context.Background()
	// A transaction per thousand events, as a busy producer's batches
	// arrive: one for all of them could outlast the operation deadline.
	for start := 0; start < n; start += 1000 {
		chunk := make([]*audit.Event, 0, 1000)
		for i := start; i < start+1000; i++ {
			chunk = append(chunk, auditgen.Event(i, planStart, planStep))
		}
		if _, _, err := db.AppendEvents(ctx, audit.Slice(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Exec(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
}

// explain returns the plan of q as lines of text.
func explain(t *testing.T, db *DB, q string, args []any) []string {
	t.Helper()
	prefix := "EXPLAIN "
	if db.dialect.name() == "sqlite" {
		prefix = "EXPLAIN QUERY PLAN "
	}
	rows, err := db.read.QueryContext(context.Background(), prefix+q, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		line := vals[len(vals)-1] // the detail (SQLite) or the plan line (PostgreSQL)
		if b, ok := line.([]byte); ok {
			line = string(b)
		}
		lines = append(lines, strings.TrimSpace(line.(string)))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// fullScan names the line of plan that reads audit_logs whole: a scan in
// table or index order rather than a search of an index range.
// (The unfiltered first page walks the table backwards on purpose and is
// not asked here.)
func fullScan(dialect string, plan []string) string {
	for _, l := range plan {
		if dialect == "sqlite" && (l == "SCAN l" || strings.HasPrefix(l, "SCAN l ")) {
			return l
		}
		if dialect == "postgres" && (strings.Contains(l, "Seq Scan on audit_logs ") || strings.Contains(l, "Seq Scan on audit_search ")) {
			return l
		}
	}
	return ""
}

// usesSearchIndex says whether plan reads the search index.
func usesSearchIndex(dialect string, plan []string) bool {
	for _, l := range plan {
		if dialect == "sqlite" && strings.Contains(l, "VIRTUAL TABLE INDEX") && strings.Contains(l, ":M") {
			return true
		}
		if dialect == "postgres" && strings.Contains(l, "Index Scan on audit_search_doc") {
			return true
		}
	}
	return false
}

func TestEveryListingFilterUsesAnIndex(t *testing.T) {
	// A rare actor, service account and target: each has a handful of
	// events among planEvents.
	rareUser := "u-4990"
	filters := []struct {
		name   string
		f      audit.Filter
		search bool
	}{
		{"actor_user_id", audit.Filter{ActorUserID: rareUser}, false},
		{"a busy actor_user_id", audit.Filter{ActorUserID: "u-0"}, false},
		{"actor_service_account_id", audit.Filter{ActorServiceAccountID: "sa-39"}, false},
		{"action", audit.Filter{Action: "storage.bucket.delete"}, false},
		{"action prefix", audit.Filter{ActionPrefix: "storage."}, false},
		{"actions of a category", audit.Filter{Actions: []string{"storage.bucket.delete", "storage.bucket.rotate"}}, false},
		{"actions of a category with an actor", audit.Filter{Actions: []string{"credentials.api_key.create", "fleet.node.drain"}, ActorUserID: "u-0"}, false},
		{"actions no category names (Uncategorized)", audit.Filter{ExcludeActions: auditgen.Actions()[:20]}, false},
		{"target_type", audit.Filter{TargetType: "bucket"}, false},
		{"target_type and target_id", audit.Filter{TargetType: "bucket", TargetID: "bucket-49000"}, false},
		{"target_id", audit.Filter{TargetID: "bucket-49000"}, false},
		{"result denied", audit.Filter{Result: audit.ResultDenied}, false},
		{"result success", audit.Filter{Result: audit.ResultSuccess}, false},
		{"correlation_id", audit.Filter{CorrelationID: "corr-4242"}, false},
		{"only a window", audit.Filter{}, false},
		{"q= a rare word", audit.Filter{Search: [][]string{{"corr", "4242"}}}, true},
		// A rare actor is fewer rows than a common word: either index may
		// serve, and the table is not scanned.
		{"q= with an actor", audit.Filter{Search: [][]string{{"rotation"}}, ActorUserID: rareUser}, false},
		{"q= a rare word with a busy result", audit.Filter{Search: [][]string{{"corr", "4242"}}, Result: audit.ResultSuccess}, true},
		// A word in half the events: walking the search rows in seq order
		// and stopping after a page beats reading half the text index,
		// and PostgreSQL rightly does so.
		{"q= a common word", audit.Filter{Search: [][]string{{"credentials"}}}, false},
		// A phrase of words in most events: the planner takes it for a
		// common one.
		{"q= a phrase of common words", audit.Filter{Search: [][]string{{"api", "key", "2"}}}, false},
	}
	// Windows of a day: at the start of the trail (under all later
	// events), in its middle, and its last day; an hour in the middle,
	// and everything up to the middle (half the trail).
	end := planStart.Add(planEvents * planStep)
	// An hour holds a few hundred events: PostgreSQL may rightly read
	// them by occurred_at rather than a rare word's index entries.
	windows := []struct {
		name         string
		since, until time.Time
		narrow       bool
	}{
		{"", time.Time{}, time.Time{}, false},
		{" since the last day", end.Add(-24 * time.Hour), time.Time{}, false},
		{" until the first day", time.Time{}, planStart.Add(24 * time.Hour), false},
		{" within a middle day", planStart.Add(48 * time.Hour), planStart.Add(72 * time.Hour), false},
		{" within a middle hour", planStart.Add(50 * time.Hour), planStart.Add(51 * time.Hour), true},
		{" until the middle", time.Time{}, planStart.Add(planEvents / 2 * planStep), false},
	}
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		// Filling 40,000 events on a machine busy with other tests may
		// outlast the default deadline of an operation; plans, not
		// deadlines, are what this test is about.
		db, err := Open(context.Background(), Options{URL: tg.URL, DataDir: tg.DataDir, Timeout: 2 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		fillForPlans(t, db)
		// The actions under a prefix, or all of them, are found by probes
		// of the action index.
		for _, r := range [][2]string{{"storage.", "storage/"}, {"", "{"}} {
			q, args := db.storedActionsQuery(r[0], r[1], maxActionArms+1)
			if plan := explain(t, db, q, args); fullScan(tg.Dialect, plan) != "" {
				t.Errorf("stored actions from %q to %q read audit_logs whole:\n  %s", r[0], r[1], strings.Join(plan, "\n  "))
			}
		}
		// A window's listing first reads the newest seq: from the end of
		// the key, not by reading an index whole.
		if plan := explain(t, db, lastSeqQuery, nil); fullScan(tg.Dialect, plan) != "" || tg.Dialect == "sqlite" && !slices.ContainsFunc(plan, func(l string) bool { return strings.HasPrefix(l, "SEARCH l") }) {
			t.Errorf("the newest seq is not read from the end of the key:\n  %s", strings.Join(plan, "\n  "))
		}
		var listings []audit.Filter
		for _, c := range filters {
			for _, w := range windows {
				if c.name == "only a window" && w.name == "" {
					continue // the unfiltered page walks the table on purpose
				}
				for _, paged := range []bool{false, true} {
					name := c.name + w.name
					f := c.f
					f.Since, f.Until, f.Limit = w.since, w.until, 101
					if paged {
						name += ", second page"
						f.BeforeSeq = planEvents / 2
					}
					listings = append(listings, f)
					f, err := db.resolveActions(context.Background(), f)
					if err != nil {
						t.Fatal(err)
					}
					ranges, err := db.windowRanges(context.Background(), f)
					if err != nil {
						t.Fatal(err)
					}
					if ranges != nil && len(ranges) == 0 {
						continue // no event can be in it: nothing is read (checked below)
					}
					if db.pgSearchAlone(f) {
						// Read in two steps (audit_search_pg.go): each
						// must read what it is written to read.
						checkSearchStepPlans(t, db, name, f, c.search)
						continue
					}
					q, args := db.eventsQuery(f, ranges)
					plan := explain(t, db, q, args)
					if l := fullScan(tg.Dialect, plan); l != "" {
						t.Errorf("%s: reads audit_logs whole (%s):\n  %s\n%s", name, l, strings.Join(plan, "\n  "), q)
					}
					if c.f.ActionPrefix != "" && f.ActionPrefix != "" || c.f.ExcludeActions != nil && f.ExcludeActions != nil {
						t.Errorf("%s: the actions stored were not resolved: %+v", name, f)
					}
					if c.search && !w.narrow && !usesSearchIndex(tg.Dialect, plan) {
						t.Errorf("%s: does not use the search index:\n  %s\n%s", name, strings.Join(plan, "\n  "), q)
					}
				}
			}
		}
		// And each returns exactly what the filter means.
		checkListings(t, db, listings)
	})
}

// checkSearchStepPlans explains both steps of a PostgreSQL search alone:
// the walk must walk the search rows' key within its range, whatever the
// phrase, and the index step must read the text index for a rare one (a
// common one is read by the walk; were it not in the newest rows, reading
// the table would be as right as its index).
func checkSearchStepPlans(t *testing.T, db *DB, name string, f audit.Filter, rare bool) {
	t.Helper()
	hi := int64(planEvents + 1)
	if f.BeforeSeq > 0 {
		hi = f.BeforeSeq
	}
	walkBack := func(plan []string) bool {
		return slices.ContainsFunc(plan, func(l string) bool {
			return strings.Contains(l, "Index Scan Backward using audit_search_pkey")
		})
	}
	// The first walk, and a walk on below it.
	lo := hi - defaultSearchCosts.walk
	for _, r := range [][2]int64{{lo, hi}, {lo - defaultSearchCosts.walkOn, lo}} {
		q, args := db.searchStepQuery(f, searchStepWalk, r[0], r[1], f.Limit)
		plan := explain(t, db, q, args)
		if l := fullScan("postgres", plan); l != "" || !walkBack(plan) || usesSearchIndex("postgres", plan) {
			t.Errorf("%s: the walk of %d to %d does not walk the search rows' key:\n  %s\n%s", name, r[0], r[1], strings.Join(plan, "\n  "), q)
		}
	}
	q, args := db.searchStepQuery(f, searchStepIndex, 0, lo, f.Limit)
	plan := explain(t, db, q, args)
	// Never a walk back that stops after a page: that is the walk the
	// index step is there to avoid.
	if walkBack(plan) {
		t.Errorf("%s: the index step walks the search rows' key:\n  %s\n%s", name, strings.Join(plan, "\n  "), q)
	}
	// (Below a second page's walk few rows are left, and walking their
	// range is rightly cheaper.)
	if rare && f.BeforeSeq == 0 && (fullScan("postgres", plan) != "" || !usesSearchIndex("postgres", plan)) {
		t.Errorf("%s: the index step does not read the search index:\n  %s\n%s", name, strings.Join(plan, "\n  "), q)
	}
}

// A cached statement's generic plan cannot see a listing's values, so it
// would choose one plan for a rare and a common word alike; aeso's
// PostgreSQL sessions plan every statement with its values.
func TestPostgresListingsArePlannedWithTheirValues(t *testing.T) {
	tg := testdb.Postgres(t)
	db, err := Open(context.Background(), Options{URL: tg.URL, DataDir: tg.DataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	if err := db.read.QueryRowContext(context.Background(), "SHOW plan_cache_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "force_custom_plan" {
		t.Errorf("plan_cache_mode = %q, want force_custom_plan", mode)
	}
}
