package logverify

import (
	"bytes"
	"errors"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// memTiles serves a memLog's hash tiles as a tile server does, optionally
// with one hash changed or failing to answer.
type memTiles struct {
	log    *memLog
	change int64 // stored-hash index to corrupt, or -1
	fail   error
}

func (m *memTiles) Height() int { return TileHeight }

func (m *memTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	if m.fail != nil {
		return nil, m.fail
	}
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := tlog.ReadTileData(t, tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
			hs, err := m.log.ReadHashes(idx)
			for k, x := range idx {
				if x == m.change {
					hs[k][0] ^= 1
				}
			}
			return hs, err
		}))
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}

func (m *memTiles) SaveTiles([]tlog.Tile, [][]byte) {}

func TestLogFromTiles(t *testing.T) {
	t.Parallel()
	leaves := events(700)
	log := buildLog(t, leaves)
	cp := newKeys(t, origin).checkpoint(t, log, 600) // tiles wider than the checkpoint

	res, err := VerifyExport(bytes.NewReader(export(leaves)), []Checkpoint{cp}, LogFromTiles(cp, &memTiles{log: log, change: -1}))
	if err != nil || res.Compared != 600 {
		t.Fatalf("honest tiles: %+v, %v; want 600 leaves compared", res, err)
	}

	// A leaf hash of the tree table rewritten to match an altered event.
	bad := &memTiles{log: log, change: tlog.StoredHashIndex(0, 300)}
	_, err = VerifyExport(bytes.NewReader(export(leaves)), []Checkpoint{cp}, LogFromTiles(cp, bad))
	var v *Tampered
	if !errors.As(err, &v) || v.Kind != TreeMismatch {
		t.Errorf("a changed tile: err = %v, want a tree mismatch", err)
	}

	down := errors.New("connection refused")
	_, err = VerifyExport(bytes.NewReader(export(leaves)), []Checkpoint{cp}, LogFromTiles(cp, &memTiles{log: log, fail: down}))
	if !errors.Is(err, down) || errors.As(err, &v) {
		t.Errorf("a server that does not answer: err = %v, want the read error, not a verdict", err)
	}
}
