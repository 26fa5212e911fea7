package store

import (
	"sync"

	"github.com/aeso-dev/aeso/internal/auditlog"
	"golang.org/x/mod/sumdb/tlog"
)

// upperCacheMax bounds the hashes upperHashes keeps: 65,536 hashes, about
// 6 MB with the map's overhead. At a million events that is every hash of
// level 5 and above, which is 15 of an inclusion proof's 20 hashes.
const upperCacheMax = 1 << 16

// upperCacheFirstLevel is the lowest level kept while the cache has room.
// Below it a proof's hashes lie in the one or two rows beside its leaf,
// which the proof's read fetches anyway.
const upperCacheFirstLevel = 4

// upperHashes keeps the tree's stored hashes at its upper levels, so that
// a proof or a tile reads from the database only the rows beside its leaf.
//
// It can never be stale: a stored hash is the hash of a complete subtree,
// which no later leaf changes, and audit_tree_runs is append-only (its
// triggers refuse UPDATE and DELETE). So a hash, once committed, is that
// index's hash for good. Only committed hashes enter: those a read of the
// database returned, and those a transaction added, once it committed. A
// database rewritten behind the server's back (the triggers dropped) is
// then served partly from what was committed: verification against a
// signed checkpoint fails as it would on the rewritten rows alone.
//
// It is bounded by dropping whole levels, lowest first: when it outgrows
// upperCacheMax, the lowest level kept is dropped, halving it, and is not
// cached again. The highest levels, which every proof reads, stay.
type upperHashes struct {
	mu     sync.RWMutex
	level  int // the lowest level kept
	hashes map[int64]tlog.Hash
}

// lookup fills out[i] for every indexes[i] the cache holds and returns the
// positions it does not hold.
func (c *upperHashes) lookup(indexes []int64, out []tlog.Hash) (miss []int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for i, x := range indexes {
		h, ok := c.hashes[x]
		if !ok {
			miss = append(miss, i)
			continue
		}
		out[i] = h
	}
	return miss
}

// add keeps the committed hashes that are at a level the cache keeps.
func (c *upperHashes) add(hs []auditlog.StoredHash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hashes == nil {
		c.hashes = make(map[int64]tlog.Hash)
		c.level = upperCacheFirstLevel
	}
	for _, h := range hs {
		if level, _ := tlog.SplitStoredHashIndex(h.Index); level >= c.level {
			c.hashes[h.Index] = h.Hash
		}
	}
	for len(c.hashes) > upperCacheMax {
		for x := range c.hashes {
			if level, _ := tlog.SplitStoredHashIndex(x); level <= c.level {
				delete(c.hashes, x)
			}
		}
		c.level++
	}
}

// upper returns the hashes of added at the levels upperHashes might keep,
// for a transaction to publish once it commits.
func upper(added []auditlog.StoredHash) []auditlog.StoredHash {
	var out []auditlog.StoredHash
	for _, h := range added {
		if level, _ := tlog.SplitStoredHashIndex(h.Index); level >= upperCacheFirstLevel {
			out = append(out, h)
		}
	}
	return out
}
