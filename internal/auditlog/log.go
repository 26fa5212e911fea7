package auditlog

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// TileHeight is the height of the log's tiles (C2SP tlog-tiles: 8, so a
// full tile holds 256 hashes or entries).
const TileHeight = 8

// Store is what the log reads from storage.
type Store interface {
	// TreeSize is how many events the stored tree covers.
	TreeSize(ctx context.Context) (int64, error)
	// ReadTreeHashes returns stored hashes by tlog.StoredHashIndex.
	ReadTreeHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
	// EventsAfter returns up to limit events with seq > after, in seq order.
	EventsAfter(ctx context.Context, after int64, limit int) ([]*audit.Event, error)
}

// Log serves the audit log: signed checkpoints, proofs, tiles and the
// export of its leaves.
type Log struct {
	store  Store
	signer note.Signer
	vkey   string
	origin string

	mu     sync.Mutex
	latest Checkpoint // the newest checkpoint signed by this process
}

// Checkpoint is a signed C2SP tlog-checkpoint.
type Checkpoint struct {
	Size int64
	Root tlog.Hash
	Note []byte // the signed note: body, blank line, signature
}

// New returns the log signing with skey; its origin is the key's name.
func New(store Store, skey string) (*Log, error) {
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, ErrBadKey
	}
	vkey, err := VerifierKey(skey)
	if err != nil {
		return nil, err
	}
	return &Log{store: store, signer: s, vkey: vkey, origin: s.Name()}, nil
}

// VerifierKey is the public key that checks the log's checkpoints.
func (l *Log) VerifierKey() string { return l.vkey }

// Origin names the log in its checkpoints.
func (l *Log) Origin() string { return l.origin }

func (l *Log) reader(ctx context.Context) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		return l.store.ReadTreeHashes(ctx, indexes)
	})
}

// Latest returns a checkpoint covering every event committed before the
// call. It signs only when the tree grew since the last signature, so
// polling costs one read; signatures are deterministic (Ed25519), so
// replicas sharing the key and the database sign identical checkpoints.
func (l *Log) Latest(ctx context.Context) (Checkpoint, error) {
	size, err := l.store.TreeSize(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	l.mu.Lock()
	c := l.latest
	l.mu.Unlock()
	if c.Note != nil && c.Size >= size {
		return c, nil
	}
	c, err = l.sign(ctx, size)
	if err != nil {
		return Checkpoint{}, err
	}
	l.mu.Lock()
	if c.Size > l.latest.Size || l.latest.Note == nil {
		l.latest = c
	}
	l.mu.Unlock()
	return c, nil
}

func (l *Log) sign(ctx context.Context, size int64) (Checkpoint, error) {
	var root tlog.Hash
	if size > 0 {
		var err error
		if root, err = tlog.TreeHash(size, l.reader(ctx)); err != nil {
			return Checkpoint{}, fmt.Errorf("audit tree hash of %d: %w", size, err)
		}
	} else {
		root = emptyRoot()
	}
	body := fmt.Sprintf("%s\n%d\n%s\n", l.origin, size, base64.StdEncoding.EncodeToString(root[:]))
	msg, err := note.Sign(&note.Note{Text: body}, l.signer)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("sign checkpoint: %w", err)
	}
	return Checkpoint{Size: size, Root: root, Note: msg}, nil
}

// emptyRoot is RFC 6962's hash of the empty tree: SHA-256 of nothing.
func emptyRoot() tlog.Hash { return sha256.Sum256(nil) }

// InclusionProof proves that the event with seq is leaf seq-1 of the tree
// of treeSize leaves.
type InclusionProof struct {
	Seq      int64
	TreeSize int64
	LeafHash tlog.Hash
	Hashes   []tlog.Hash
}

// ProveInclusion returns the inclusion proof of seq in the tree of treeSize.
func (l *Log) ProveInclusion(ctx context.Context, seq, treeSize int64) (*InclusionProof, error) {
	var v aeso.Validation
	if seq < 1 {
		v.Add("seq", "range", "must be at least 1")
	}
	if treeSize < 1 {
		v.Add("tree_size", "range", "must be at least 1")
	} else if seq > treeSize {
		v.Add("seq", "range", "must not exceed tree_size (%d)", treeSize)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := l.within(ctx, treeSize); err != nil {
		return nil, err
	}
	// The leaf hash is read with the proof's hashes, in the same read: one
	// round trip to the database less per proof.
	r := l.reader(ctx)
	leafIdx := tlog.StoredHashIndex(0, seq-1)
	var leaf []tlog.Hash
	withLeaf := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		if leaf != nil {
			return r.ReadHashes(indexes)
		}
		hs, err := r.ReadHashes(append(indexes[:len(indexes):len(indexes)], leafIdx))
		if err != nil {
			return nil, err
		}
		if len(hs) != len(indexes)+1 {
			return nil, fmt.Errorf("read %d tree hashes, want %d", len(hs), len(indexes)+1)
		}
		leaf = hs[len(indexes):]
		return hs[:len(indexes)], nil
	})
	p, err := tlog.ProveRecord(treeSize, seq-1, withLeaf)
	if err != nil {
		return nil, fmt.Errorf("prove seq %d in %d: %w", seq, treeSize, err)
	}
	if leaf == nil { // a proof that read nothing: a tree of one event
		if leaf, err = r.ReadHashes([]int64{leafIdx}); err != nil {
			return nil, err
		}
	}
	return &InclusionProof{Seq: seq, TreeSize: treeSize, LeafHash: leaf[0], Hashes: p}, nil
}

// ProveConsistency returns the proof that the tree of from leaves is a
// prefix of the tree of to leaves.
func (l *Log) ProveConsistency(ctx context.Context, from, to int64) ([]tlog.Hash, error) {
	var v aeso.Validation
	if from < 0 {
		v.Add("from", "range", "must be at least 0")
	}
	if to < 1 {
		v.Add("to", "range", "must be at least 1")
	} else if from > to {
		v.Add("from", "range", "must not exceed to (%d)", to)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := l.within(ctx, to); err != nil {
		return nil, err
	}
	if from == 0 || from == to {
		// RFC 6962: the empty tree is a prefix of every tree, and a tree
		// of itself; both proofs are empty.
		return []tlog.Hash{}, nil
	}
	p, err := tlog.ProveTree(to, from, l.reader(ctx))
	if err != nil {
		return nil, fmt.Errorf("prove %d consistent with %d: %w", from, to, err)
	}
	return p, nil
}

// within refuses a tree size the log has not reached.
func (l *Log) within(ctx context.Context, treeSize int64) error {
	size, err := l.store.TreeSize(ctx)
	if err != nil {
		return err
	}
	if treeSize > size {
		return aeso.Reasonf(aeso.ENOTFOUND, "tree_size_beyond_checkpoint",
			"the log holds %d events; no checkpoint covers a tree of %d", size, treeSize)
	}
	return nil
}

// Tile returns a C2SP tlog-tiles hash tile (t.L >= 0) or entry bundle
// (t.L == -1) of the current tree. A tile the tree has not filled to
// width t.W is not found.
func (l *Log) Tile(ctx context.Context, t tlog.Tile) ([]byte, error) {
	size, err := l.store.TreeSize(ctx)
	if err != nil {
		return nil, err
	}
	width := size // entries, or hashes at the tile's level
	if t.L > 0 {
		width = size >> (uint(t.L) * TileHeight)
	}
	if t.N*(1<<TileHeight)+int64(t.W) > width {
		return nil, aeso.Reasonf(aeso.ENOTFOUND, "tile_not_found",
			"the log of %d events has no such tile; fetch the checkpoint for its size", size)
	}
	if t.L >= 0 {
		return tlog.ReadTileData(t, l.reader(ctx))
	}
	events, err := l.store.EventsAfter(ctx, t.N*(1<<TileHeight), t.W)
	if err != nil {
		return nil, err
	}
	if len(events) != t.W {
		return nil, fmt.Errorf("entry bundle %d: %d of %d events stored", t.N, len(events), t.W)
	}
	var out []byte
	for i, e := range events {
		// A bundle is cacheable forever: never serve one whose events are
		// not exactly at its positions.
		if want := t.N*(1<<TileHeight) + int64(i) + 1; e.Seq != want {
			return nil, fmt.Errorf("entry bundle %d: entry %d is seq %d, want %d", t.N, i, e.Seq, want)
		}
		leaf, err := Leaf(e)
		if err != nil {
			return nil, err
		}
		out = binary.BigEndian.AppendUint16(out, uint16(len(leaf)))
		out = append(out, leaf...)
	}
	return out, nil
}

// exportPage is how many events the export reads at a time: the stream
// never holds the table in memory.
const exportPage = 1000

// Export calls write with the leaf bytes of every stored event with
// seq > since, in seq order, as the database holds them now.
func (l *Log) Export(ctx context.Context, since int64, write func(leaf []byte) error) error {
	if since < 0 {
		var v aeso.Validation
		v.Add("since", "range", "must be 0 (from the first event) or a seq")
		return v.Err()
	}
	for {
		events, err := l.store.EventsAfter(ctx, since, exportPage)
		if err != nil {
			return err
		}
		for _, e := range events {
			leaf, err := Leaf(e)
			if err != nil {
				return err
			}
			if err := write(leaf); err != nil {
				return err
			}
			since = e.Seq
		}
		if len(events) < exportPage {
			return nil
		}
	}
}
