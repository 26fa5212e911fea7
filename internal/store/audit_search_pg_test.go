package store

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode"

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
	var steps []string
	db.searchHook = func(k searchStepKind) {
		steps = append(steps, map[searchStepKind]string{searchStepWalk: "walk", searchStepIndex: "index"}[k])
	}
	seen := map[string]bool{}
	// The newest and oldest events with a correlation id (auditgen
	// leaves one in ten without).
	correlated := slices.DeleteFunc(slices.Clone(all), func(e stored) bool { return e.CorrelationID == "" })
	newest, oldest := correlated[0], correlated[len(correlated)-1]
	searches := [][][]string{
		{{"credentials"}},     // in half the events: the walk fills the page
		{{"failure"}},         // ~4%: walked on
		{{"denied"}},          // ~0.5%: through the index
		{{"api", "key", "0"}}, // a busy target id
		{{"api", "key", "7"}}, // a phrase whose words are in many events
		{{"key", "api"}},      // the words in the other order
		{{"eu", "west", "1"}, {"drift"}},
		{{"no", "such", "word"}}, // nothing: through the index
		// Only the newest events, then only the oldest: each end of the
		// trail, and a walk on past every match before the index.
		{searchWords(newest.CorrelationID)},
		{searchWords(oldest.CorrelationID)},
	}
	for _, search := range searches {
		for _, limit := range []int{1, 7, 50} {
			// The first page, and pages after a cursor at the first event
			// and one past the end (as a client may send).
			for _, cursor := range []int64{0, 1, 100000} {
				f := audit.Filter{Search: search, Limit: limit, BeforeSeq: cursor}
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
					steps = nil
					got, err := db.ListEvents(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					seen[strings.Join(steps, ",")] = true
					seqs := make([]int64, len(got))
					for i, e := range got {
						seqs[i] = e.Seq
					}
					if !slices.Equal(seqs, want) {
						t.Fatalf("%v, limit %d, cursor %d, page %d:\n got %v\nwant %v", search, limit, cursor, page, head(seqs), head(want))
					}
					if len(got) < limit {
						break
					}
					f.BeforeSeq = got[len(got)-1].Seq
				}
			}
		}
	}
	for _, want := range []string{"walk", "walk,walk", "walk,index", "walk,walk,index"} {
		if !seen[want] {
			t.Errorf("no search read as %s; seen %v", want, seen)
		}
	}
}

// searchWords splits text into words as a search does.
func searchWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// The choice for phrases measured at 1M events (their matches in the
// newest 16,384 events, and what walking on and the index took, in ms),
// and the two ends.
func TestSearchCostsChooseTheCheaperWay(t *testing.T) {
	for _, c := range []struct {
		name   string
		found  int
		walkOn bool
	}{
		{"api_key-2: walk 9.0, index 256", 33, true},
		{"api_key-7: walk 19.5, index 32.6", 24, true},
		{"api_key-35: walk 71.9, index 22.2", 6, false},
		{"api_key-209: walk 226, index 8.9", 3, false},
		{"api_key-5000: walk 369, index 4.1", 0, false},
	} {
		if got := defaultSearchCosts.cheaperToWalk(c.found, 100-c.found); got != c.walkOn {
			t.Errorf("%s: walk on %t, want %t", c.name, got, c.walkOn)
		}
	}
}
