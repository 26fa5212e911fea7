package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
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

// maxRunHashes bounds the hashes one audit_tree_runs row holds. A row
// always holds whole leaves (every hash a leaf adds), so it may pass the
// bound by one leaf's hashes; 56 hashes (1,792 bytes) keep a row inline on
// both databases (below PostgreSQL's TOAST threshold, within one SQLite
// page), so a proof's reads stay small.
const maxRunHashes = 56

// errNoTree answers every tree read of a database opened without the tree
// (Options.WithoutTreeForMeasurement): nothing it holds may pass for a
// checkpoint.
func errNoTree() error {
	return aeso.Reasonf(aeso.EUNAVAILABLE, aeso.EUNAVAILABLE,
		"this server stores audit events without the audit tree (a measurement run); it serves no checkpoints or proofs")
}

// treeSize returns how many leaves the stored tree holds, from its last
// row.
func (db *DB) treeSize(ctx context.Context, q querier) (int64, error) {
	if db.noTree {
		return 0, errNoTree()
	}
	var first int64
	var hashes []byte
	err := q.QueryRowContext(ctx, `SELECT first_idx, hashes FROM audit_tree_runs ORDER BY first_idx DESC LIMIT 1`).Scan(&first, &hashes)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read audit tree size: %w", err)
	}
	if len(hashes) == 0 || len(hashes)%tlog.HashSize != 0 {
		return 0, fmt.Errorf("audit tree row %d holds %d bytes, not whole hashes", first, len(hashes))
	}
	return auditlog.SizeOf(first + int64(len(hashes)/tlog.HashSize) - 1)
}

// treeRun is one audit_tree_runs row.
type treeRun struct {
	first  int64
	hashes []byte
}

// readHashes returns the stored hashes at indexes, in their order: for each
// index, the row with the greatest first_idx at or below it, each row read
// once however many of the indexes it holds.
func (db *DB) readHashes(ctx context.Context, q querier, indexes []int64) ([]tlog.Hash, error) {
	if db.noTree {
		return nil, errNoTree()
	}
	var runs []treeRun
	seen := map[int64]bool{}
	for start := 0; start < len(indexes); start += insertChunk {
		chunk := indexes[start:min(start+insertChunk, len(indexes))]
		var b strings.Builder
		b.WriteString(`WITH v(x) AS (VALUES `)
		args := make([]any, len(chunk))
		for i, x := range chunk {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`(CAST(` + db.dialect.placeholder(i+1) + ` AS BIGINT))`)
			args[i] = x
		}
		b.WriteString(`) SELECT first_idx, hashes FROM audit_tree_runs WHERE first_idx IN (
			SELECT (SELECT r.first_idx FROM audit_tree_runs r WHERE r.first_idx <= v.x ORDER BY r.first_idx DESC LIMIT 1) FROM v)`)
		rows, err := q.QueryContext(ctx, b.String(), args...)
		if err != nil {
			return nil, fmt.Errorf("read audit tree hashes: %w", err)
		}
		for rows.Next() {
			var r treeRun
			if err := rows.Scan(&r.first, &r.hashes); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read audit tree hashes: %w", err)
			}
			if len(r.hashes)%tlog.HashSize != 0 {
				rows.Close()
				return nil, fmt.Errorf("audit tree row %d holds %d bytes, not whole hashes", r.first, len(r.hashes))
			}
			if !seen[r.first] {
				seen[r.first] = true
				runs = append(runs, r)
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].first < runs[j].first })
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		k := sort.Search(len(runs), func(k int) bool { return runs[k].first > x }) - 1
		if k < 0 || x-runs[k].first >= int64(len(runs[k].hashes)/tlog.HashSize) {
			return nil, fmt.Errorf("audit tree hash %d is missing", x)
		}
		copy(out[i][:], runs[k].hashes[(x-runs[k].first)*tlog.HashSize:])
	}
	return out, nil
}

// appendTree adds events, numbered right after the tree's last leaf, to the
// tree; tx holds the seq lock. A tree behind the events (a database written
// before the tree existed) first catches up with the stored events.
func (db *DB) appendTree(ctx context.Context, tx *sql.Tx, first int64, leaves []tlog.Hash) error {
	g, err := db.planAppend(ctx, tx, first, leaves)
	if err != nil {
		return err
	}
	return db.storeGrowth(ctx, tx, g)
}

// planAppend works out what adding leaves, numbered from first on, does to
// the tree, without storing it (see treeGrowth); a tree behind the events
// catches up first, and that is stored.
func (db *DB) planAppend(ctx context.Context, tx *sql.Tx, first int64, leaves []tlog.Hash) (*treeGrowth, error) {
	if frontier := db.edge.lookup(tx, first-1); frontier != nil {
		return db.planGrowth(ctx, tx, first-1, frontier, leaves)
	}
	size, err := db.treeSize(ctx, tx)
	if err != nil {
		return nil, err
	}
	if size > first-1 {
		return nil, fmt.Errorf("audit tree holds %d leaves, more than the %d events before seq %d", size, first-1, first)
	}
	for size < first-1 {
		if size, err = db.growFromStored(ctx, tx, size, min(first-1, size+treeGrowBatch)); err != nil {
			return nil, err
		}
	}
	return db.planGrowth(ctx, tx, size, db.edge.lookup(tx, size), leaves)
}

var _ audit.Preparer = (*DB)(nil)

// PrepareEvent implements audit.Preparer: it writes and hashes e's leaf but
// its seq (an auditlog.Draft) while the service validates a batch, outside
// the seq lock, so the lock's holder only finishes the hash. A draft that
// cannot be made is left out: leafHashes then writes the leaf itself and
// fails the write as it always would.
func (db *DB) PrepareEvent(e *audit.Event) {
	if db.noTree {
		return
	}
	if d, err := auditlog.NewDraft(e); err == nil {
		e.Prepared = d
	}
}

// leafHashes returns the leaf hashes of events, in order, finishing the
// drafts PrepareEvent made and writing the other leaves whole.
func leafHashes(events []*audit.Event) ([]tlog.Hash, error) {
	leaves := make([]tlog.Hash, len(events))
	for i, e := range events {
		if d, ok := e.Prepared.(*auditlog.Draft); ok {
			h, err := d.Hash(e.Seq)
			if err != nil {
				return nil, err
			}
			leaves[i] = h
			continue
		}
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
	return upTo, db.growTree(ctx, tx, size, db.edge.lookup(tx, size), leaves)
}

// treeGrowth is what adding leaves to the tree does: the audit_tree_runs
// rows to store, and the tree's size, frontier and new hashes once they
// are, which the transaction publishes (edge.grew) after storing them.
type treeGrowth struct {
	size     int64
	runs     []treeRun
	frontier map[int64]tlog.Hash
	added    []auditlog.StoredHash
}

// growTree stores the hashes leaves (seq size+1, …) add to a tree of size
// leaves whose frontier is given, or read from the table when nil.
func (db *DB) growTree(ctx context.Context, tx *sql.Tx, size int64, frontier map[int64]tlog.Hash, leaves []tlog.Hash) error {
	g, err := db.planGrowth(ctx, tx, size, frontier, leaves)
	if err != nil {
		return err
	}
	return db.storeGrowth(ctx, tx, g)
}

// storeGrowth inserts g's rows and records the tree tx then holds.
func (db *DB) storeGrowth(ctx context.Context, tx *sql.Tx, g *treeGrowth) error {
	if g == nil {
		return nil
	}
	if err := db.insertRuns(ctx, tx, g.runs); err != nil {
		return err
	}
	db.edge.grew(tx, g.size, g.frontier, g.added)
	return nil
}

// planGrowth works out the hashes leaves (seq size+1, …) add to a tree of
// size leaves whose frontier is given, or read from the table when nil;
// nil when there are no leaves.
func (db *DB) planGrowth(ctx context.Context, tx *sql.Tx, size int64, frontier map[int64]tlog.Hash, leaves []tlog.Hash) (*treeGrowth, error) {
	if len(leaves) == 0 {
		return nil, nil
	}
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
	old := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
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
		return nil, err
	}
	base := tlog.StoredHashIndex(0, size)
	blob := make([]byte, 0, len(added)*tlog.HashSize)
	for i, h := range added {
		if h.Index != base+int64(i) {
			return nil, fmt.Errorf("audit tree: hash %d follows %d", h.Index, base+int64(i)-1)
		}
		blob = append(blob, h.Hash[:]...)
	}
	next := size + int64(len(leaves))
	grown := make(map[int64]tlog.Hash)
	for _, x := range auditlog.Frontier(next) {
		if x >= base {
			grown[x] = added[x-base].Hash
		} else {
			grown[x] = frontier[x]
		}
	}
	return &treeGrowth{size: next, runs: runsOf(size, len(leaves), blob), frontier: grown, added: added}, nil
}

// runsOf cuts blob, the hashes n leaves add to a tree of size leaves, into
// audit_tree_runs rows of whole leaves of about maxRunHashes hashes each.
func runsOf(size int64, n int, blob []byte) []treeRun {
	base := tlog.StoredHashIndex(0, size)
	var runs []treeRun
	start := base // stored index where the current row begins
	for i := 0; i < n; i++ {
		end := tlog.StoredHashIndex(0, size+int64(i)+1) // where the next leaf's hashes begin
		if i == n-1 || end-start >= maxRunHashes {
			runs = append(runs, treeRun{first: start, hashes: blob[(start-base)*tlog.HashSize : (end-base)*tlog.HashSize]})
			start = end
		}
	}
	return runs
}

// insertRuns stores audit_tree_runs rows.
func (db *DB) insertRuns(ctx context.Context, tx *sql.Tx, runs []treeRun) error {
	for c := 0; c < len(runs); c += insertChunk {
		chunk := runs[c:min(c+insertChunk, len(runs))]
		var b strings.Builder
		b.WriteString(`INSERT INTO audit_tree_runs (first_idx, hashes) VALUES `)
		args := make([]any, 0, 2*len(chunk))
		for i, r := range chunk {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(" + db.dialect.placeholder(2*i+1) + ", " + db.dialect.placeholder(2*i+2) + ")")
			args = append(args, r.first, r.hashes)
		}
		if _, err := db.txExec(ctx, tx, b.String(), args...); err != nil {
			return fmt.Errorf("grow audit tree: %w", err)
		}
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
// tlog.StoredHashIndex positions: the upper levels' from memory when this
// process has seen them committed, the rest from the database.
func (db *DB) ReadTreeHashes(ctx context.Context, indexes []int64) (_ []tlog.Hash, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	if db.noTree {
		return nil, errNoTree()
	}
	out := make([]tlog.Hash, len(indexes))
	miss := db.edge.upper.lookup(indexes, out)
	if len(miss) == 0 {
		return out, nil
	}
	read := make([]int64, len(miss))
	for i, k := range miss {
		read[i] = indexes[k]
	}
	hs, err := db.readHashes(ctx, db.read, read)
	if err != nil {
		return nil, err
	}
	found := make([]auditlog.StoredHash, len(miss))
	for i, k := range miss {
		out[k] = hs[i]
		found[i] = auditlog.StoredHash{Index: read[i], Hash: hs[i]}
	}
	db.edge.upper.add(found)
	return out, nil
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
