package client

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestAnswersPastTheirBoundAreRefused: a hostile server (or whatever
// answers in its place) cannot make the verifier or the witness read an
// endless answer; each read stops at its bound, and one byte less is read.
func TestAnswersPastTheirBoundAreRefused(t *testing.T) {
	t.Parallel()
	var size atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write(bytes.Repeat([]byte("a"), int(size.Load())))
	}))
	t.Cleanup(srv.Close)
	c := New(srv.URL, "token")
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		bound int
		call  func() error
	}{
		{"checkpoint", maxCheckpoint, func() error { _, err := c.Checkpoint(ctx); return err }},
		{"checkpoint as a tile", maxCheckpoint, func() error { _, err := c.Tile(ctx, "checkpoint"); return err }},
		{"hash tile", 8192, func() error { _, err := c.Tile(ctx, "tile/0/000"); return err }},
		{"entry bundle", 256 * 65537, func() error { _, err := c.Tile(ctx, "tile/entries/000"); return err }},
		{"consistency proof", maxProof, func() error { _, err := c.ConsistencyProof(ctx, 1, 2); return err }},
		{"JSON answer", 32 << 20, func() error { _, err := c.ListEvents(ctx, ListOptions{}); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			size.Store(int64(tc.bound) + 1)
			if err := tc.call(); err == nil || !strings.Contains(err.Error(), "bytes: refused") {
				t.Errorf("%d bytes: err = %v; want refused", tc.bound+1, err)
			}
			size.Store(int64(tc.bound))
			if err := tc.call(); err != nil && strings.Contains(err.Error(), "refused") {
				t.Errorf("%d bytes, the bound itself: %v", tc.bound, err)
			}
		})
	}
}
