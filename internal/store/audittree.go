package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/auditlog"
	"golang.org/x/mod/sumdb/tlog"
)

var _ auditlog.Store = (*DB)(nil)

// treeGrowBatch bounds how many older events one transaction adds to the
// tree when it catches up (at start, on a database written before the tree
// existed).
const treeGrowBatch = 5000

// errNoTree answers every tree read of a database opened without the tree
// (Options.WithoutTreeForMeasurement): nothing it holds may pass for a
// checkpoint.
func errNoTree() error {
	return aeso.Reasonf(aeso.EUNAVAILABLE, aeso.EUNAVAILABLE,
		"this server stores audit events without the audit tree (a measurement run); it serves no checkpoints or proofs")
}

// treeSize returns how many leaves the stored tree holds.
func (db *DB) treeSize(ctx context.Context, q querier) (int64, error) {
	if db.noTree {
		return 0, errNoTree()
	}
	rows, err := q.QueryContext(ctx, `SELECT MAX(idx) FROM audit_tree_hashes`)
	if err != nil {
		return 0, fmt.Errorf("read audit tree size: %w", err)
	}
	defer rows.Close()
	max := sql.NullInt64{Int64: -1}
	if rows.Next() {
		if err := rows.Scan(&max); err != nil {
			return 0, fmt.Errorf("read audit tree size: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if !max.Valid {
		return 0, nil
	}
	return auditlog.SizeOf(max.Int64)
}

// readHashes returns the stored hashes at indexes, in their order.
func (db *DB) readHashes(ctx context.Context, q querier, indexes []int64) ([]tlog.Hash, error) {
	if db.noTree {
		return nil, errNoTree()
	}
	found := make(map[int64]tlog.Hash, len(indexes))
	for start := 0; start < len(indexes); start += insertChunk {
		chunk := indexes[start:min(start+insertChunk, len(indexes))]
		var b strings.Builder
		b.WriteString(`SELECT idx, hash FROM audit_tree_hashes WHERE idx IN (`)
		args := make([]any, len(chunk))
		for i, x := range chunk {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(db.dialect.placeholder(i + 1))
			args[i] = x
		}
		b.WriteByte(')')
		rows, err := q.QueryContext(ctx, b.String(), args...)
		if err != nil {
			return nil, fmt.Errorf("read audit tree hashes: %w", err)
		}
		for rows.Next() {
			var idx int64
			var h []byte
			if err := rows.Scan(&idx, &h); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read audit tree hashes: %w", err)
			}
			if len(h) != tlog.HashSize {
				rows.Close()
				return nil, fmt.Errorf("audit tree hash %d has %d bytes", idx, len(h))
			}
			found[idx] = tlog.Hash(h)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		h, ok := found[x]
		if !ok {
			return nil, fmt.Errorf("audit tree hash %d is missing", x)
		}
		out[i] = h
	}
	return out, nil
}

// appendTree adds events, numbered right after the tree's last leaf, to the
// tree; tx holds the seq lock. A tree behind the events (a database written
// before the tree existed) first catches up with the stored events.
func (db *DB) appendTree(ctx context.Context, tx *sql.Tx, first int64, leaves []tlog.Hash) error {
	size, err := db.treeSize(ctx, tx)
	if err != nil {
		return err
	}
	if size > first-1 {
		return fmt.Errorf("audit tree holds %d leaves, more than the %d events before seq %d", size, first-1, first)
	}
	for size < first-1 {
		if size, err = db.growFromStored(ctx, tx, size, min(first-1, size+treeGrowBatch)); err != nil {
			return err
		}
	}
	return db.growTree(ctx, tx, size, leaves)
}

// leafHashes returns the leaf hashes of events, in order.
func leafHashes(events []*audit.Event) ([]tlog.Hash, error) {
	leaves := make([]tlog.Hash, len(events))
	for i, e := range events {
		leaf, err := auditlog.Leaf(e)
		if err != nil {
			return nil, err
		}
		leaves[i] = auditlog.LeafHash(leaf)
	}
	return leaves, nil
}

// growFromStored adds the stored events after the tree's size up to seq to
// the tree and returns the new size.
func (db *DB) growFromStored(ctx context.Context, tx *sql.Tx, size, upTo int64) (int64, error) {
	rows, err := tx.QueryContext(ctx, selectEvents+` WHERE l.seq > $1 AND l.seq <= $2 ORDER BY l.seq`, size, upTo)
	if err != nil {
		return 0, fmt.Errorf("read events for the audit tree: %w", err)
	}
	events, err := scanEvents(rows)
	if err != nil {
		return 0, err
	}
	for i, e := range events {
		if e.Seq != size+int64(i)+1 {
			return 0, fmt.Errorf("audit seq %d is missing; the tree cannot grow past it", size+int64(i)+1)
		}
	}
	if int64(len(events)) != upTo-size {
		return 0, fmt.Errorf("audit seq %d is missing; the tree cannot grow past it", size+int64(len(events))+1)
	}
	leaves, err := leafHashes(events)
	if err != nil {
		return 0, err
	}
	return upTo, db.growTree(ctx, tx, size, leaves)
}

// growTree stores the hashes leaves (seq size+1, size+2, …) add to the
// tree, reading only the frontier of the tree of size leaves.
func (db *DB) growTree(ctx context.Context, tx *sql.Tx, size int64, leaves []tlog.Hash) error {
	var frontier map[int64]tlog.Hash
	old := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		if frontier == nil {
			idx := auditlog.Frontier(size)
			hs, err := db.readHashes(ctx, tx, idx)
			if err != nil {
				return nil, err
			}
			frontier = make(map[int64]tlog.Hash, len(idx))
			for i, x := range idx {
				frontier[x] = hs[i]
			}
		}
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			h, ok := frontier[x]
			if !ok {
				return nil, fmt.Errorf("audit tree hash %d lies outside the frontier of %d leaves", x, size)
			}
			out[i] = h
		}
		return out, nil
	})
	added, err := auditlog.Grow(size, leaves, old)
	if err != nil {
		return err
	}
	if len(added) == 0 {
		return nil
	}
	// The hashes a run of leaves adds have consecutive indexes, so one
	// short statement inserts them all from a single blob: nothing to
	// parse per row, one round trip.
	blob := make([]byte, 0, len(added)*tlog.HashSize)
	for i, h := range added {
		if h.Index != added[0].Index+int64(i) {
			return fmt.Errorf("audit tree: hash %d follows %d", h.Index, added[0].Index+int64(i)-1)
		}
		blob = append(blob, h.Hash[:]...)
	}
	if _, err := tx.ExecContext(ctx, db.dialect.insertTreeHashes(), added[0].Index, blob, len(added)); err != nil {
		return fmt.Errorf("grow audit tree: %w", err)
	}
	return nil
}

// CatchUpTree adds events stored before the tree existed to it, in
// transactions of at most treeGrowBatch events each, so a large database
// never holds the seq lock for long. It returns how many it added.
func (db *DB) CatchUpTree(ctx context.Context) (added int64, err error) {
	if db.noTree {
		return 0, nil
	}
	for {
		n, err := db.catchUpBatch(ctx)
		if err != nil || n == 0 {
			return added, err
		}
		added += n
	}
}

// catchUpBatch adds up to treeGrowBatch stored events to the tree.
func (db *DB) catchUpBatch(ctx context.Context) (added int64, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		last, err := db.lockSeq(ctx, tx)
		if err != nil {
			return err
		}
		size, err := db.treeSize(ctx, tx)
		if err != nil || size >= last {
			return err
		}
		upTo := min(last, size+treeGrowBatch)
		if _, err := db.growFromStored(ctx, tx, size, upTo); err != nil {
			return err
		}
		added = upTo - size
		return nil
	})
	return added, err
}

// TreeSize returns how many events the stored tree covers.
func (db *DB) TreeSize(ctx context.Context) (_ int64, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	return db.treeSize(ctx, db.read)
}

// ReadTreeHashes returns the stored tree hashes at the given
// tlog.StoredHashIndex positions.
func (db *DB) ReadTreeHashes(ctx context.Context, indexes []int64) (_ []tlog.Hash, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	return db.readHashes(ctx, db.read, indexes)
}

// EventsAfter returns up to limit events with seq > after, in seq order.
func (db *DB) EventsAfter(ctx context.Context, after int64, limit int) (_ []*audit.Event, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	rows, err := db.read.QueryContext(ctx, selectEvents+` WHERE l.seq > $1 ORDER BY l.seq LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read events after %d: %w", after, err)
	}
	return scanEvents(rows)
}
