package store_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/auditlog"
	"github.com/aeso-dev/aeso/internal/store"
	"github.com/aeso-dev/aeso/internal/testdb"
	"golang.org/x/mod/sumdb/tlog"
)

// storedReader reads the tree the store keeps.
func storedReader(db *store.DB) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		return db.ReadTreeHashes(context.Background(), indexes)
	})
}

// memTree is an RFC 6962 tree kept in memory by tlog, as a verifier
// would recompute it from events.
type memTree map[int64]tlog.Hash

func (m memTree) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = m[x]
	}
	return out, nil
}

// add appends e as leaf n and returns the stored hashes that adds, with
// their indexes.
func (m memTree) add(t *testing.T, n int64, e *audit.Event) []auditlog.StoredHash {
	t.Helper()
	leaf, err := auditlog.Leaf(e)
	if err != nil {
		t.Fatal(err)
	}
	hs, err := tlog.StoredHashes(n, leaf, m)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]auditlog.StoredHash, len(hs))
	for j, h := range hs {
		x := tlog.StoredHashIndex(0, n) + int64(j)
		m[x] = h
		out[j] = auditlog.StoredHash{Index: x, Hash: h}
	}
	return out
}

// rootOfStoredEvents recomputes the tree hash from the events as the
// database holds them, in seq order, with tlog in memory.
func rootOfStoredEvents(t *testing.T, db *store.DB) (int64, tlog.Hash) {
	t.Helper()
	events, err := db.ListEvents(context.Background(), audit.Filter{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(events, func(i, j int) bool { return events[i].Seq < events[j].Seq })
	mem := memTree{}
	for i, e := range events {
		if e.Seq != int64(i)+1 {
			t.Fatalf("event %d has seq %d", i, e.Seq)
		}
		mem.add(t, int64(i), e)
	}
	n := int64(len(events))
	if n == 0 {
		return 0, tlog.Hash{}
	}
	root, err := tlog.TreeHash(n, mem)
	if err != nil {
		t.Fatal(err)
	}
	return n, root
}

func requireTreeMatchesEvents(t *testing.T, db *store.DB, want int64) {
	t.Helper()
	n, root := rootOfStoredEvents(t, db)
	size, err := db.TreeSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != want || size != want {
		t.Fatalf("tree size %d over %d events; want both %d", size, n, want)
	}
	got, err := tlog.TreeHash(size, storedReader(db))
	if err != nil {
		t.Fatal(err)
	}
	if got != root {
		t.Fatalf("stored tree hash %s; the events hash to %s", got, root)
	}
}

func TestTheTreeGrowsWithEveryChunkOfEvents(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		db := open(t, tg)
		append1(t, db, event(0))
		requireTreeMatchesEvents(t, db, 1)
		// Chunks of 1, 1200 and 3 in one transaction, one event a replay.
		replay, _ := append1(t, db, event(1))
		chunks := [][]*audit.Event{{event(2)}, nil, {replay[0], event(3), event(4)}}
		for i := 0; i < 1200; i++ {
			chunks[1] = append(chunks[1], event(10+i))
		}
		k := 0
		next := func() ([]*audit.Event, error) {
			if k == len(chunks) {
				return nil, nil
			}
			k++
			return chunks[k-1], nil
		}
		if _, _, err := db.AppendEvents(context.Background(), next); err != nil {
			t.Fatal(err)
		}
		requireTreeMatchesEvents(t, db, 2+1+1200+2)
	})
}

func TestATreeBehindItsEventsCatchesUp(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		db := open(t, tg)
		ctx := context.Background()
		// Events written before the tree existed, as an older aeso wrote them.
		const old = 7
		for i := 1; i <= old; i++ {
			q := fmt.Sprintf(`INSERT INTO audit_logs (seq, id, action, result, occurred_at, recorded_at, source, metadata)
				VALUES (%d, '00000000-0000-4000-8000-%012d', 'fleet.node.drain', 'success', %s, %s, 'ci', '{"n":%d}')`, i, i, when, when, i)
			if err := db.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Exec(ctx, fmt.Sprintf(`UPDATE audit_seq SET last_seq = %d`, old)); err != nil {
			t.Fatal(err)
		}
		added, err := db.CatchUpTree(ctx)
		if err != nil || added != old {
			t.Fatalf("CatchUpTree = %d, %v; want %d added", added, err, old)
		}
		requireTreeMatchesEvents(t, db, old)
		if added, err := db.CatchUpTree(ctx); err != nil || added != 0 {
			t.Fatalf("a second CatchUpTree = %d, %v; want nothing to add", added, err)
		}
		append1(t, db, event(1), event(2))
		requireTreeMatchesEvents(t, db, old+2)
	})
}

func TestAWriteCatchesUpATreeLeftBehind(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		db := open(t, tg)
		ctx := context.Background()
		q := `INSERT INTO audit_logs (seq, id, action, result, occurred_at, recorded_at, source)
			VALUES (1, '00000000-0000-4000-8000-000000000001', 'fleet.node.drain', 'success', ` + when + `, ` + when + `, 'ci')`
		for _, s := range []string{q, `UPDATE audit_seq SET last_seq = 1`} {
			if err := db.Exec(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		append1(t, db, event(1))
		requireTreeMatchesEvents(t, db, 2)
	})
}

func TestADatabaseOpenedWithoutTheTreeServesNoTree(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		ctx := context.Background()
		open(t, tg) // migrated
		off, err := store.Open(ctx, store.Options{URL: tg.URL, DataDir: tg.DataDir, WithoutTreeForMeasurement: true})
		if err != nil {
			t.Fatal(err)
		}
		defer off.Close()
		append1(t, off, event(0), event(1), event(2))
		if _, err := off.TreeSize(ctx); aeso.ErrorCode(err) != aeso.EUNAVAILABLE || !strings.Contains(err.Error(), "without the audit tree") {
			t.Fatalf("TreeSize without the tree = %v; want unavailable, without the audit tree", err)
		}
		if _, err := off.ReadTreeHashes(ctx, []int64{0}); aeso.ErrorCode(err) != aeso.EUNAVAILABLE || !strings.Contains(err.Error(), "without the audit tree") {
			t.Fatalf("ReadTreeHashes without the tree = %v; want unavailable, without the audit tree", err)
		}
		// The same database opened as served holds no tree hash for them,
		// and catches up at start.
		on := open(t, tg)
		if size, err := on.TreeSize(ctx); err != nil || size != 0 {
			t.Fatalf("tree size after writes without the tree = %d, %v; want 0", size, err)
		}
		if added, err := on.CatchUpTree(ctx); err != nil || added != 3 {
			t.Fatalf("CatchUpTree = %d, %v; want 3", added, err)
		}
		requireTreeMatchesEvents(t, on, 3)
	})
}

// treeRows counts the rows the tree is stored in.
func treeRows(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.WriteConn().QueryRow(`SELECT COUNT(*) FROM audit_tree_runs`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestABatchStoresItsTreeHashesInAFewRows(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		db := open(t, tg)
		var batch []*audit.Event
		for i := 0; i < 2000; i++ {
			batch = append(batch, event(i))
		}
		append1(t, db, batch...)
		requireTreeMatchesEvents(t, db, 2000)
		// 2000 leaves store tlog.StoredHashCount(2000) = 3,994 hashes; in
		// rows of about 56 hashes of whole leaves that is 72 rows, not 3,994.
		if n := treeRows(t, db); n < 60 || n > 80 {
			t.Fatalf("2000 events stored their tree hashes in %d rows; want about 72", n)
		}
		// Single events: a row each.
		append1(t, db, event(1))
		append1(t, db, event(2))
		requireTreeMatchesEvents(t, db, 2002)
	})
}

// TestTwoServersOnOneDatabaseGrowOneTree is two replicas sharing the
// database, each remembering the edge of the tree it grew last, and a
// transaction that grew the tree and rolled back: neither may build on an
// edge that is not the stored one.
func TestTwoServersOnOneDatabaseGrowOneTree(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		a := open(t, tg)
		b := open(t, tg)
		append1(t, a, event(0), event(1))
		append1(t, b, event(2))
		append1(t, a, event(3))
		requireTreeMatchesEvents(t, a, 4)

		// b stores a fifth; a grows the tree to 7 in a transaction that
		// then fails...
		append1(t, b, event(4))
		k := 0
		failing := func() ([]*audit.Event, error) {
			if k++; k == 1 {
				return []*audit.Event{event(6), event(7)}, nil
			}
			return nil, fmt.Errorf("the client went away")
		}
		if _, _, err := a.AppendEvents(context.Background(), failing); err == nil {
			t.Fatal("a batch whose body failed half way was stored")
		}
		// ...b stores two other events, a tree of 7 a never saw, then a
		// grows it further.
		append1(t, b, event(8), event(9))
		append1(t, a, event(10))
		append1(t, b, event(11))
		requireTreeMatchesEvents(t, a, 9)
		requireTreeMatchesEvents(t, b, 9)
	})
}

func TestATreeStoredOneHashARowIsMigratedToRuns(t *testing.T) {
	testdb.ForEachEmpty(t, func(t *testing.T, tg testdb.Target) {
		ctx := context.Background()
		db, err := store.Open(ctx, store.Options{URL: tg.URL, DataDir: tg.DataDir})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.MigrateTo(ctx, 11); err != nil {
			t.Fatal(err)
		}
		// Five events and their tree, one hash a row, as aeso stored them
		// before runs.
		const old = 5
		mem := memTree{}
		for i := int64(1); i <= old; i++ {
			q := fmt.Sprintf(`INSERT INTO audit_logs (seq, id, action, result, occurred_at, recorded_at, source, metadata)
				VALUES (%d, '00000000-0000-4000-8000-%012d', 'fleet.node.drain', 'success', %s, %s, 'ci', '{"n":%d}')`, i, i, when, when, i)
			if err := db.Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Exec(ctx, fmt.Sprintf(`UPDATE audit_seq SET last_seq = %d`, old)); err != nil {
			t.Fatal(err)
		}
		events, err := db.EventsAfter(ctx, 0, old)
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range events {
			for _, h := range mem.add(t, int64(i), e) {
				if _, err := db.WriteConn().Exec(`INSERT INTO audit_tree_hashes (idx, hash) VALUES ($1, $2)`, h.Index, h.Hash[:]); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		requireTreeMatchesEvents(t, db, old)
		if n := treeRows(t, db); int64(n) != tlog.StoredHashCount(old) {
			t.Fatalf("%d rows after the migration; want the %d hashes one a row", n, tlog.StoredHashCount(old))
		}
		append1(t, db, event(1), event(2))
		append1(t, db, event(3))
		requireTreeMatchesEvents(t, db, old+3)
	})
}
