package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/auditgen"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// windowEvents spans several blocks of seqs, so a window is read as
// ranges of them.
const windowEvents = 5*spanBlock + 300

// lateEvent says which events are stored long after they happened: their
// occurred_at lies in the first quarter of the trail, so windows there
// hold events of every later block.
func lateEvent(i int) bool { return i%499 == 7 }

func windowEvent(i int) *audit.Event {
	e := auditgen.Event(i, planStart, planStep)
	if lateEvent(i) {
		e.OccurredAt = planStart.Add(time.Duration(i/4) * planStep)
	}
	return e
}

func appendWindowEvents(t *testing.T, db *DB, from, to int) {
	t.Helper()
	for start := from; start < to; start += 500 {
		chunk := make([]*audit.Event, 0, 500)
		for i := start; i < min(to, start+500); i++ {
			chunk = append(chunk, windowEvent(i))
		}
		if _, _, err := db.AppendEvents(context.Background(), audit.Slice(chunk)); err != nil {
			t.Fatal(err)
		}
	}
}

// pageAll lists f page by page, each page after the last seq of the one
// before, as the API's cursor does.
func pageAll(t *testing.T, db *DB, f audit.Filter) []int64 {
	t.Helper()
	var all []int64
	for pages := 0; ; pages++ {
		if pages > windowEvents {
			t.Fatalf("%+v: paging does not end", f)
		}
		events, err := db.ListEvents(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) > f.Limit {
			t.Fatalf("%+v: a page of %d events, limit %d", f, len(events), f.Limit)
		}
		for _, e := range events {
			all = append(all, e.Seq)
		}
		if len(events) < f.Limit {
			return all
		}
		f.BeforeSeq = events[len(events)-1].Seq
	}
}

// A window is read as ranges of seqs, chosen from what the store knows of
// each block's times; paged across page and block boundaries, with events
// stored long after they happened, and as the trail grows under the
// spans already read, every listing returns exactly the events the
// filter means, in seq order.
func TestWindowListingsPageExactly(t *testing.T) {
	step := func(n int) time.Time { return planStart.Add(time.Duration(n) * planStep) }
	windows := []struct {
		name         string
		since, until time.Time
	}{
		{"until the middle", time.Time{}, step(windowEvents / 2)},
		{"an hour in the first quarter (late events too)", step(300), step(300).Add(time.Hour)},
		{"an hour in the middle", step(windowEvents / 2), step(windowEvents / 2).Add(time.Hour)},
		{"since the middle", step(windowEvents / 2), time.Time{}},
		{"since the last minutes", step(windowEvents - 30), time.Time{}},
		{"before any event", time.Time{}, planStart.Add(-time.Hour)},
		{"after every event", step(10 * windowEvents), time.Time{}},
	}
	filters := []struct {
		name string
		f    audit.Filter
	}{
		{"no other filter", audit.Filter{}},
		{"a busy actor", audit.Filter{ActorUserID: "u-0"}},
		{"result success", audit.Filter{Result: audit.ResultSuccess}},
		{"actions of a category", audit.Filter{Actions: auditgen.Actions()[:4]}},
		{"an action prefix", audit.Filter{ActionPrefix: "fleet."}},
		{"q= a common word", audit.Filter{Search: [][]string{{"rotation"}}}},
	}
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		db, err := Open(context.Background(), Options{URL: tg.URL, DataDir: tg.DataDir, Timeout: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		check := func(stage string) {
			all := allEvents(t, db)
			for _, w := range windows {
				for _, c := range filters {
					for _, limit := range []int{61, 1000} {
						f := c.f
						f.Since, f.Until, f.Limit = w.since, w.until, limit
						var want []int64
						for _, e := range all {
							if matches(e, f) {
								want = append(want, e.Seq)
							}
						}
						if got := pageAll(t, db, f); !slices.Equal(got, want) {
							t.Errorf("%s, %s, %s, pages of %d:\n got %d events %s\nwant %d events %s",
								stage, w.name, c.name, limit, len(got), head(got), len(want), head(want))
						}
					}
				}
			}
		}
		// Three whole blocks and part of a fourth, then the rest: the
		// part's span is read only once it is whole.
		appendWindowEvents(t, db, 0, 3*spanBlock+100)
		// Listings that find the spans unknown learn them side by side
		// (the race detector watches) and answer alike.
		f := audit.Filter{Until: step(windowEvents / 4), Limit: 50}
		pages := make(chan []int64, 4)
		for range cap(pages) {
			go func() {
				events, err := db.ListEvents(context.Background(), f)
				if err != nil {
					t.Error(err)
				}
				seqs := []int64{}
				for _, e := range events {
					seqs = append(seqs, e.Seq)
				}
				pages <- seqs
			}()
		}
		first := <-pages
		for range cap(pages) - 1 {
			if other := <-pages; !slices.Equal(other, first) || len(first) != f.Limit {
				t.Errorf("concurrent listings of one window: %s and %s", head(first), head(other))
			}
		}
		check("3 blocks and a part")
		appendWindowEvents(t, db, 3*spanBlock+100, windowEvents)
		check("all events")
	})
}
