package auditlog

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// StoredHash is one hash of the tree as the store keeps it, at its
// tlog.StoredHashIndex.
type StoredHash struct {
	Index int64
	Hash  tlog.Hash
}

// Frontier returns the stored-hash indexes of the complete subtrees that
// make up a tree of n leaves: the only older hashes appending to it reads.
func Frontier(n int64) []int64 {
	var out []int64
	for level := 63; level >= 0; level-- {
		if n&(1<<level) != 0 {
			out = append(out, tlog.StoredHashIndex(level, n>>level-1))
		}
	}
	return out
}

// Grow returns the hashes appending leafHashes to a tree of n leaves adds,
// in index order. old reads hashes already stored (Frontier(n) is all it is
// asked for).
func Grow(n int64, leafHashes []tlog.Hash, old tlog.HashReader) ([]StoredHash, error) {
	added := map[int64]tlog.Hash{}
	r := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		var miss []int64
		for i, x := range indexes {
			if h, ok := added[x]; ok {
				out[i] = h
			} else {
				miss = append(miss, x)
			}
		}
		if len(miss) == 0 {
			return out, nil
		}
		got, err := old.ReadHashes(miss)
		if err != nil {
			return nil, err
		}
		if len(got) != len(miss) {
			return nil, fmt.Errorf("audit tree: read %d hashes, want %d", len(got), len(miss))
		}
		for i, x := range indexes {
			if _, ok := added[x]; !ok {
				out[i], got = got[0], got[1:]
			}
		}
		return out, nil
	})
	out := make([]StoredHash, 0, 2*len(leafHashes))
	for i, h := range leafHashes {
		leaf := n + int64(i)
		hs, err := tlog.StoredHashesForRecordHash(leaf, h, r)
		if err != nil {
			return nil, fmt.Errorf("audit tree: leaf %d: %w", leaf, err)
		}
		base := tlog.StoredHashIndex(0, leaf)
		for j, x := range hs {
			added[base+int64(j)] = x
			out = append(out, StoredHash{Index: base + int64(j), Hash: x})
		}
	}
	return out, nil
}

// SizeOf returns the number of leaves of a tree whose highest stored-hash
// index is maxIndex (-1 for an empty tree). A maxIndex no tree ends at means
// the stored hashes were cut short.
func SizeOf(maxIndex int64) (int64, error) {
	if maxIndex < 0 {
		return 0, nil
	}
	// StoredHashCount grows with n and is below 2n, so n lies in
	// [(maxIndex+1)/2, maxIndex+1].
	lo, hi := (maxIndex+1)/2, maxIndex+1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if tlog.StoredHashCount(mid) < maxIndex+1 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if tlog.StoredHashCount(lo) != maxIndex+1 {
		return 0, fmt.Errorf("audit tree: stored hashes end at index %d, where no tree ends", maxIndex)
	}
	return lo, nil
}
