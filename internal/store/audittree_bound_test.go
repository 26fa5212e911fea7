package store

import (
	"testing"

	"github.com/aeso-dev/aeso/internal/auditlog"
	"golang.org/x/mod/sumdb/tlog"
)

// TestTheUpperHashesStayBoundedKeepingTheHighestLevels: past its bound
// the cache drops its lowest level, never a hash every proof reads.
func TestTheUpperHashesStayBoundedKeepingTheHighestLevels(t *testing.T) {
	t.Parallel()
	var c upperHashes
	const leaves = 1 << 22 // 4M leaves: 2^18 hashes at level 4 alone
	var hs []auditlog.StoredHash
	for level := 0; level <= 22; level++ {
		for n := int64(0); n < leaves>>level; n++ {
			x := tlog.StoredHashIndex(level, n)
			hs = append(hs, auditlog.StoredHash{Index: x, Hash: tlog.Hash{byte(level), byte(n), byte(n >> 8)}})
		}
		c.add(hs)
		hs = hs[:0]
	}
	if len(c.hashes) > upperCacheMax {
		t.Fatalf("the cache holds %d hashes, more than %d", len(c.hashes), upperCacheMax)
	}
	for x, h := range c.hashes {
		if level, _ := tlog.SplitStoredHashIndex(x); level < c.level || h[0] != byte(level) {
			t.Fatalf("hash %d of level %d kept (lowest level kept %d), holding %v", x, level, c.level, h)
		}
	}
	out := make([]tlog.Hash, 1)
	for level := c.level; level <= 22; level++ {
		if miss := c.lookup([]int64{tlog.StoredHashIndex(level, 0)}, out); len(miss) != 0 || out[0][0] != byte(level) {
			t.Errorf("the first hash of level %d is not kept", level)
		}
	}
	if c.level != 7 { // levels 7 to 22 of 4M leaves: 65,535 hashes
		t.Errorf("lowest level kept %d, want 7", c.level)
	}
	// A hash below the lowest level is not cached again.
	c.add([]auditlog.StoredHash{{Index: tlog.StoredHashIndex(4, 0)}})
	if miss := c.lookup([]int64{tlog.StoredHashIndex(4, 0)}, out); len(miss) != 1 {
		t.Error("a level-4 hash was cached after the level was dropped")
	}
}
