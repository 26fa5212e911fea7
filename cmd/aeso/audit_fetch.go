package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
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
	ctx   context.Context
	c     *client.Client
	saved map[tlog.Tile][]byte
	size  int64 // the log's current size, once read
}

func newHTTPTiles(ctx context.Context, c *client.Client) *httpTiles {
	return &httpTiles{ctx: ctx, c: c, saved: map[tlog.Tile][]byte{}}
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
// partial one, are the same. The current size is read from the log's
// checkpoint without checking it: the hashes are checked against the
// checkpoint being verified, whatever the source.
func (h *httpTiles) readWider(t tlog.Tile) ([]byte, error) {
	wider := t
	wider.W = 1 << t.H
	data, err := h.c.Tile(h.ctx, tilePath(wider))
	if isNotFound(err) {
		if h.size == 0 {
			if h.size, err = h.currentSize(); err != nil {
				return nil, err
			}
		}
		wider.W = int(h.size>>(t.H*t.L) - t.N<<t.H)
		if wider.W <= t.W || wider.W > 1<<t.H {
			return nil, fmt.Errorf("tile %s: the log has neither it nor a wider one", tilePath(t))
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

// currentSize is the tree size of the log's latest checkpoint.
func (h *httpTiles) currentSize() (int64, error) {
	msg, err := h.c.Checkpoint(h.ctx)
	if err != nil {
		return 0, err
	}
	lines := strings.SplitN(string(msg), "\n", 3)
	if len(lines) < 3 {
		return 0, errors.New("the log's checkpoint has no tree size")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		return 0, fmt.Errorf("the log's checkpoint tree size %q is not a count", lines[1])
	}
	return size, nil
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

// isNotFound reports a 404 from the log.
func isNotFound(err error) bool {
	var e *client.Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}
