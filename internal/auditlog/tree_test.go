package auditlog

import (
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// memHashes is a tree kept in memory, to check Grow against tlog's own
// StoredHashes.
type memHashes map[int64]tlog.Hash

func (m memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		h, ok := m[x]
		if !ok {
			return nil, fmt.Errorf("no hash %d", x)
		}
		out[i] = h
	}
	return out, nil
}

func TestGrowingInBatchesGivesTheTreeOfOneLeafAtATime(t *testing.T) {
	t.Parallel()
	want := memHashes{}
	for n := int64(0); n < 300; n++ {
		hs, err := tlog.StoredHashes(n, []byte(fmt.Sprint("leaf ", n)), want)
		if err != nil {
			t.Fatal(err)
		}
		for j, h := range hs {
			want[tlog.StoredHashIndex(0, n)+int64(j)] = h
		}
	}
	for _, batch := range []int{1, 2, 7, 64, 300} {
		t.Run(fmt.Sprintf("batches of %d", batch), func(t *testing.T) {
			got := memHashes{}
			// Only the frontier may be read from the stored tree.
			frontierOnly := func(n int64) tlog.HashReader {
				allowed := map[int64]bool{}
				for _, x := range Frontier(n) {
					allowed[x] = true
				}
				return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
					for _, x := range indexes {
						if !allowed[x] {
							return nil, fmt.Errorf("read %d, outside the frontier of %d", x, n)
						}
					}
					return got.ReadHashes(indexes)
				})
			}
			for n := int64(0); n < 300; n += int64(batch) {
				var leaves []tlog.Hash
				for i := n; i < min(n+int64(batch), 300); i++ {
					leaves = append(leaves, tlog.RecordHash([]byte(fmt.Sprint("leaf ", i))))
				}
				added, err := Grow(n, leaves, frontierOnly(n))
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range added {
					got[s.Index] = s.Hash
				}
				size, err := SizeOf(added[len(added)-1].Index)
				if err != nil || size != n+int64(len(leaves)) {
					t.Fatalf("SizeOf(last index) = %d, %v; want %d", size, err, n+int64(len(leaves)))
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%d stored hashes; want %d", len(got), len(want))
			}
			for x, h := range want {
				if got[x] != h {
					t.Fatalf("hash %d differs", x)
				}
			}
		})
	}
}

func TestSizeOfRefusesAnIndexNoTreeEndsAt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		max  int64
		size int64
		ok   bool
	}{
		{-1, 0, true}, {0, 1, true}, {2, 2, true}, {1, 0, false}, {3, 3, true}, {6, 4, true}, {5, 0, false},
	} {
		size, err := SizeOf(tc.max)
		if (err == nil) != tc.ok || size != tc.size {
			t.Errorf("SizeOf(%d) = %d, %v; want %d, ok=%v", tc.max, size, err, tc.size, tc.ok)
		}
	}
}
