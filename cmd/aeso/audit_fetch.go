package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/logverify"
	"golang.org/x/mod/sumdb/tlog"
)

// fetchCheckpoint reads the log's latest signed checkpoint and opens it
// with v.
func fetchCheckpoint(ctx context.Context, c *client.Client, v verifierKey) (logverify.Checkpoint, error) {
	msg, err := c.Checkpoint(ctx)
	if err != nil {
		return logverify.Checkpoint{}, err
	}
	cp, err := logverify.OpenCheckpoint(msg, v.Verifier)
	if err != nil {
		return cp, fmt.Errorf("the log's checkpoint: %w", err)
	}
	return cp, nil
}

// fetchConsistency reads the consistency proof from tree size from to to.
func fetchConsistency(ctx context.Context, c *client.Client, from, to int64) (tlog.TreeProof, error) {
	if from == 0 || from >= to {
		return nil, nil // nothing to prove
	}
	p, err := c.ConsistencyProof(ctx, from, to)
	if err != nil {
		return nil, err
	}
	if p.From != from || p.To != to {
		return nil, fmt.Errorf("asked for the consistency proof from %d to %d, got one from %d to %d", from, to, p.From, p.To)
	}
	proof := make(tlog.TreeProof, len(p.Hashes))
	for i, s := range p.Hashes {
		raw, err := base64.StdEncoding.Strict().DecodeString(s)
		if err != nil || len(raw) != tlog.HashSize {
			return nil, fmt.Errorf("consistency proof from %d to %d: hash %d is not %d bytes of base64", from, to, i, tlog.HashSize)
		}
		copy(proof[i][:], raw)
	}
	return proof, nil
}

// httpTiles reads the log's hash tiles (C2SP tlog-tiles) from the server.
// Tiles above level 0 and partial tiles are kept once checked: every read
// of leaf hashes needs them again.
type httpTiles struct {
	ctx    context.Context
	c      *client.Client
	saved  map[tlog.Tile][]byte
	size   int64 // the log's current size, from its checkpoint (checked by the caller)
	signed int64 // the size of the checkpoint being verified
}

func newHTTPTiles(ctx context.Context, c *client.Client, current, signed int64) *httpTiles {
	return &httpTiles{ctx: ctx, c: c, saved: map[tlog.Tile][]byte{}, size: current, signed: signed}
}

func (h *httpTiles) Height() int { return logverify.TileHeight }

func (h *httpTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		if data, ok := h.saved[t]; ok {
			out[i] = data
			continue
		}
		data, err := h.c.Tile(h.ctx, tilePath(t))
		if isNotFound(err) && t.W < 1<<t.H {
			data, err = h.readWider(t)
		}
		if isNotFound(err) {
			// Every tile asked for lies inside the signed tree: a log
			// that no longer has one lost events the checkpoint covers.
			return nil, h.cutOff(err)
		}
		if err != nil {
			return nil, err
		}
		if len(data) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("GET %s: %d bytes, want %d", tilePath(t), len(data), t.W*tlog.HashSize)
		}
		out[i] = data
	}
	return out, nil
}

// readWider reads a partial tile of an older tree from a wider one. A log
// keeps only the partial tile of its current size, and may drop that once
// the tile is full; the first W hashes of the full tile, or of the current
// partial one, are the same. Whatever the source, the hashes are checked
// against the checkpoint being verified.
func (h *httpTiles) readWider(t tlog.Tile) ([]byte, error) {
	wider := t
	wider.W = 1 << t.H
	data, err := h.c.Tile(h.ctx, tilePath(wider))
	if isNotFound(err) {
		wider.W = int(h.size>>(t.H*t.L) - t.N<<t.H)
		if wider.W <= t.W || wider.W > 1<<t.H {
			return nil, err
		}
		data, err = h.c.Tile(h.ctx, tilePath(wider))
	}
	if err != nil {
		return nil, err
	}
	if len(data) < t.W*tlog.HashSize {
		return nil, fmt.Errorf("GET %s: %d bytes, want at least %d", tilePath(wider), len(data), t.W*tlog.HashSize)
	}
	return data[:t.W*tlog.HashSize], nil
}

// cutOff finds, by bisection over the leaf hash tiles, how many events the
// log still holds, and returns the verdict naming the first one gone.
// notFound is returned if the log does hold them all (it then refused the
// tile for another reason, which is not for this command to judge).
func (h *httpTiles) cutOff(notFound error) error {
	lo, hi := int64(0), h.signed+1 // the log holds lo leaves, not hi
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		ok, err := h.holdsLeaf(mid - 1)
		if err != nil {
			return err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	if lo >= h.signed {
		return notFound
	}
	return logverify.CutOff(lo, h.signed)
}

// holdsLeaf reports whether the log serves the hash of leaf i: in the
// partial tile that ends with it, the full tile, or the partial tile of the
// log's current size.
func (h *httpTiles) holdsLeaf(i int64) (bool, error) {
	t := tlog.Tile{H: logverify.TileHeight, L: 0, N: i >> logverify.TileHeight, W: int(i&(1<<logverify.TileHeight-1)) + 1}
	widths := []int{t.W, 1 << t.H}
	if current := int(h.size - t.N<<t.H); current > t.W && current < 1<<t.H {
		widths = append(widths, current)
	}
	for _, w := range widths {
		t.W = w
		_, err := h.c.Tile(h.ctx, tilePath(t))
		if err == nil {
			return true, nil
		}
		if !isNotFound(err) {
			return false, err
		}
	}
	return false, nil
}

func (h *httpTiles) SaveTiles(tiles []tlog.Tile, data [][]byte) {
	for i, t := range tiles {
		if t.L > 0 || t.W < 1<<t.H {
			h.saved[t] = data[i]
		}
	}
}

// tilePath is t's C2SP path under /v1/audit/tlog/: tlog's own path
// without the height, which C2SP fixes at 8.
func tilePath(t tlog.Tile) string {
	return "tile/" + strings.TrimPrefix(t.Path(), fmt.Sprintf("tile/%d/", t.H))
}

// isNotFound reports the log's own answer that it has no such tile. Any
// other 404 (a proxy's page, a path routed elsewhere) is an error, not a
// log that lost events: it says nothing of what the log holds.
func isNotFound(err error) bool {
	var e *client.Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound && e.Code == "tile_not_found"
}
