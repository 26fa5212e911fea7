package store

import (
	"context"
	"slices"
	"testing"

	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// A search alone on PostgreSQL walks the newest rows and then reads the
// rest one of two ways (audit_search_pg.go): every way, and every page
// of it, must list exactly what the search means.
func TestPostgresSearchStepsListWhatTheSearchMeans(t *testing.T) {
	tg := testdb.Postgres(t)
	ctx := context.Background()
	db, err := Open(ctx, Options{URL: tg.URL, DataDir: tg.DataDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	fillAuditgen(t, db, 3000)
	all := allEvents(t, db)
	// A walk of 200 rows and costs scaled to this small trail: a phrase
	// in a few percent of the events is walked on, a rarer one read
	// through the index.
	db.searchCosts = &searchCosts{walk: 200, walkOn: 1000}
	seen := map[searchStepKind]int{}
	db.searchHook = func(k searchStepKind) { seen[k]++ }
	searches := [][][]string{
		{{"credentials"}},     // in half the events: the walk fills the page
		{{"failure"}},         // ~4%: walked on
		{{"denied"}},          // ~0.5%: through the index
		{{"api", "key", "0"}}, // a busy target id
		{{"api", "key", "7"}}, // a phrase whose words are in many events
		{{"key", "api"}},      // the words in the other order
		{{"eu", "west", "1"}, {"drift"}},
		{{"no", "such", "word"}}, // nothing: through the index
	}
	for _, search := range searches {
		for _, limit := range []int{7, 50} {
			f := audit.Filter{Search: search, Limit: limit}
			if !db.pgSearchAlone(f) {
				t.Fatalf("%v is not read in steps", search)
			}
			for page := 1; ; page++ {
				var want []int64
				for _, e := range all {
					if len(want) < limit && matches(e, f) {
						want = append(want, e.Seq)
					}
				}
				got, err := db.ListEvents(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				seqs := make([]int64, len(got))
				for i, e := range got {
					seqs[i] = e.Seq
				}
				if !slices.Equal(seqs, want) {
					t.Fatalf("%v, limit %d, page %d:\n got %v\nwant %v", search, limit, page, head(seqs), head(want))
				}
				if len(got) < limit {
					break
				}
				f.BeforeSeq = got[len(got)-1].Seq
			}
		}
	}
	if seen[searchStepWalk] == 0 || seen[searchStepIndex] == 0 {
		t.Errorf("second steps taken: %v, want both a walk and the index", seen)
	}
}

// The choice for phrases measured at 1M events (their matches in the
// newest 16,384 events, and what walking on and the index took, in ms),
// and the two ends.
func TestSearchCostsChooseTheCheaperWay(t *testing.T) {
	const below = 983617
	for _, c := range []struct {
		name   string
		found  int
		below  int64
		walkOn bool
	}{
		{"api_key-2: walk 9.0, index 256", 33, below, true},
		{"api_key-7: walk 19.5, index 32.6", 24, below, true},
		{"api_key-35: walk 71.9, index 22.2", 6, below, false},
		{"api_key-209: walk 226, index 8.9", 3, below, false},
		{"api_key-5000: walk 369, index 4.1", 0, below, false},
		{"rare, and the rest of the trail short", 1, 100000, true},
	} {
		if got := defaultSearchCosts.cheaperToWalk(c.found, 100-c.found, c.below); got != c.walkOn {
			t.Errorf("%s: walk on %t, want %t", c.name, got, c.walkOn)
		}
	}
}
