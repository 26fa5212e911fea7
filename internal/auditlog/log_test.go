package auditlog

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso/internal/audit"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// misplacedStore holds a tree of size events whose entry reads answer
// events at the wrong seqs, as a database with a gap or a renumbered row
// would.
type misplacedStore struct{ size int64 }

func (s misplacedStore) TreeSize(context.Context) (int64, error) { return s.size, nil }
func (s misplacedStore) ReadTreeHashes(_ context.Context, idx []int64) ([]tlog.Hash, error) {
	return make([]tlog.Hash, len(idx)), nil
}
func (s misplacedStore) EventsAfter(_ context.Context, after int64, limit int) ([]*audit.Event, error) {
	var out []*audit.Event
	for i := range limit {
		seq := after + int64(i) + 1
		if seq == 3 {
			seq = 4 // the event at 3 is gone: every later one moved up
		}
		e := vectorEvent()
		e.Seq = seq
		out = append(out, e)
	}
	return out, nil
}

func testLogOver(t *testing.T, s Store) *Log {
	t.Helper()
	skey, _, err := note.GenerateKey(rand.Reader, "aeso.test/audit")
	if err != nil {
		t.Fatal(err)
	}
	l, err := New(s, skey)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestAnEntryBundleWithAnEventOutOfPlaceIsNotServed(t *testing.T) {
	t.Parallel()
	l := testLogOver(t, misplacedStore{size: 5})
	if _, err := l.Tile(context.Background(), tlog.Tile{H: TileHeight, L: -1, N: 0, W: 2}); err != nil {
		t.Fatalf("the events at their places: %v", err)
	}
	_, err := l.Tile(context.Background(), tlog.Tile{H: TileHeight, L: -1, N: 0, W: 5})
	if err == nil || !strings.Contains(err.Error(), "entry 2 is seq 4, want 3") {
		t.Fatalf("err = %v; want the bundle refused at entry 2", err)
	}
}

func TestTheEmptyTreeIsSignedWithTheHashOfNothing(t *testing.T) {
	t.Parallel()
	if emptyRoot() != tlog.Hash(sha256.Sum256([]byte(""))) {
		t.Fatalf("empty root %s", emptyRoot())
	}
	cp, err := testLogOver(t, misplacedStore{}).Latest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := "\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"; !strings.Contains(string(cp.Note), want) {
		t.Fatalf("checkpoint of the empty log:\n%s\nwant the root %q", cp.Note, want)
	}
}

func TestConsistencyFromTheEmptyTreeIsAnEmptyProof(t *testing.T) {
	t.Parallel()
	l := testLogOver(t, misplacedStore{size: 5})
	p, err := l.ProveConsistency(context.Background(), 0, 5)
	if err != nil || p == nil || len(p) != 0 {
		t.Fatalf("proof %v, %v; want an empty proof", p, err)
	}
	if _, err := l.ProveConsistency(context.Background(), -1, 5); err == nil {
		t.Fatal("from -1 accepted")
	}
}
