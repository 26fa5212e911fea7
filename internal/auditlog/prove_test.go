package auditlog

import (
	"context"
	"fmt"
	"testing"

	"github.com/aeso-dev/aeso/internal/audit"
	"golang.org/x/mod/sumdb/tlog"
)

// memStore is a whole tree in memory that counts its reads.
type memStore struct {
	hashes []tlog.Hash
	size   int64
	reads  int
}

func (m *memStore) TreeSize(context.Context) (int64, error) { return m.size, nil }
func (m *memStore) ReadTreeHashes(_ context.Context, idx []int64) ([]tlog.Hash, error) {
	m.reads++
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		if x >= int64(len(m.hashes)) {
			return nil, fmt.Errorf("no hash %d", x)
		}
		out[i] = m.hashes[x]
	}
	return out, nil
}
func (m *memStore) EventsAfter(context.Context, int64, int) ([]*audit.Event, error) { return nil, nil }

func (m *memStore) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	return m.ReadTreeHashes(context.Background(), idx)
}

// TestAnInclusionProofReadsItsLeafWithItsHashes: every proof verifies
// against the root, with the leaf hash of its seq, in one read of the
// tree.
func TestAnInclusionProofReadsItsLeafWithItsHashes(t *testing.T) {
	t.Parallel()
	m := &memStore{}
	for i := range int64(300) {
		hs, err := tlog.StoredHashes(i, fmt.Appendf(nil, "leaf %d", i), m)
		if err != nil {
			t.Fatal(err)
		}
		m.hashes = append(m.hashes, hs...)
	}
	m.size = 300
	l := testLogOver(t, m)
	for _, size := range []int64{1, 2, 3, 255, 256, 300} {
		root, err := tlog.TreeHash(size, m)
		if err != nil {
			t.Fatal(err)
		}
		for _, seq := range []int64{1, size / 2, size} {
			if seq < 1 {
				continue
			}
			m.reads = 0
			p, err := l.ProveInclusion(context.Background(), seq, size)
			if err != nil {
				t.Fatalf("seq %d in %d: %v", seq, size, err)
			}
			if want := tlog.RecordHash(fmt.Appendf(nil, "leaf %d", seq-1)); p.LeafHash != want {
				t.Errorf("seq %d in %d: leaf hash %v, want %v", seq, size, p.LeafHash, want)
			}
			if err := tlog.CheckRecord(p.Hashes, size, root, seq-1, p.LeafHash); err != nil {
				t.Errorf("seq %d in %d: %v", seq, size, err)
			}
			if m.reads != 1 {
				t.Errorf("seq %d in %d: %d reads of the tree, want 1", seq, size, m.reads)
			}
		}
	}
}
