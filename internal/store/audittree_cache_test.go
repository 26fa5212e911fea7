package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/store"
	"github.com/aeso-dev/aeso/internal/testdb"
	"golang.org/x/mod/sumdb/tlog"
)

// events returns n test events numbered from first.
func events(first, n int) []*audit.Event {
	out := make([]*audit.Event, n)
	for i := range out {
		out[i] = event(first + i)
	}
	return out
}

// requireEveryHashStored reads every stored hash of the tree through db,
// twice (the second read served from what the first left in memory), and
// checks each against the tree recomputed from the events.
func requireEveryHashStored(t *testing.T, db *store.DB, n int64) {
	t.Helper()
	requireTreeMatchesEvents(t, db, n)
	events, err := db.ListEvents(context.Background(), audit.Filter{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	mem := memTree{}
	for i := range events {
		mem.add(t, int64(i), events[len(events)-1-i]) // listed highest seq first
	}
	all := make([]int64, tlog.StoredHashCount(n))
	for i := range all {
		all[i] = int64(i)
	}
	for pass := range 2 {
		got, err := db.ReadTreeHashes(context.Background(), all)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range all {
			if got[x] != mem[x] {
				t.Fatalf("read %d: stored hash %d is %v; the events give %v", pass+1, x, got[x], mem[x])
			}
		}
	}
}

// TestTheUpperHashesInMemoryAreTheCommittedOnes: a server keeps the upper
// levels of the tree it wrote and read. A transaction that grew the tree
// and rolled back, while another server wrote other events in its place,
// must leave nothing of its own behind.
func TestTheUpperHashesInMemoryAreTheCommittedOnes(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		a, b := open(t, tg), open(t, tg)
		append1(t, a, events(0, 100)...)
		requireEveryHashStored(t, a, 100)

		// a grows the tree by 300 (levels 4 to 8 among them) and rolls back.
		k := 0
		failing := func() ([]*audit.Event, error) {
			if k++; k == 1 {
				return events(1000, 300), nil
			}
			return nil, errors.New("the client went away")
		}
		if _, _, err := a.AppendEvents(context.Background(), failing); err == nil {
			t.Fatal("a batch whose body failed half way was stored")
		}
		// b fills the same seqs with other events; a writes more.
		append1(t, b, events(2000, 300)...)
		append1(t, a, events(3000, 60)...)
		requireEveryHashStored(t, a, 460)
		requireEveryHashStored(t, b, 460)
		// A third server, which saw nothing, reads the same tree.
		requireEveryHashStored(t, open(t, tg), 460)
	})
}

// TestEventsPreparedBeforeTheLockHashAsTheirLeaves: events the service
// prepared (their leaves drafted before the seq lock) and events it did
// not, in one batch, give the tree the events recompute.
func TestEventsPreparedBeforeTheLockHashAsTheirLeaves(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		db := open(t, tg)
		es := events(0, 50)
		for i, e := range es {
			if i%3 != 0 {
				db.PrepareEvent(e)
				if e.Prepared == nil {
					t.Fatalf("event %d was not prepared", i)
				}
			}
		}
		append1(t, db, es...)
		requireEveryHashStored(t, db, 50)
	})
}
