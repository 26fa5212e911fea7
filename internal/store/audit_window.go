package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"sync"

	"github.com/aeso-dev/aeso/internal/audit"
)

// A listing is newest first by seq, but since/until bound occurred_at,
// which the producer sets: no index orders rows by both, so a window far
// from now either walks every row after it (seq order) or sorts every
// row in it (occurred_at order). Events are stored about when they
// happen, though, so the seqs whose occurred_at falls in a window sit
// close together. The store keeps, per block of spanBlock seqs, the
// earliest and latest occurred_at in it, and a window becomes the few
// seq ranges of the blocks that can hold its events; the listing walks
// those ranges backwards by seq and still checks occurred_at on every
// row. An event stored long after it happened only makes its block a
// candidate for its time as well: a page is never wrong, only a little
// slower.
//
// audit_logs is append-only and its seqs are gap-free in commit order,
// so a block below the newest seq never changes: its span is computed
// once and kept in memory (16 bytes per block). The last, incomplete
// block is always a candidate, open-ended, so rows stored after the
// spans were read are not missed.

// spanBlock is how many seqs one span covers: a block at the edge of a
// window costs at most this many rows read.
const spanBlock = 1024

// spanChunk is how many blocks one query summarises, and spanBudget how
// many blocks one listing summarises at most: a cold store (just started)
// learns its spans over a few listings rather than reading the whole
// table in one, and blocks not yet summarised are candidates meanwhile.
const (
	spanChunk  = 64
	spanBudget = 4 * spanChunk
)

// maxRanges bounds the seq ranges one listing reads: closer ranges are
// merged beyond it.
const maxRanges = 4

// timeSpan is the earliest and latest occurred_at of a block, in
// microseconds since 1970; known is false until it has been read.
type timeSpan struct {
	min, max int64
	known    bool
	empty    bool
}

// timeSpans are the spans of the complete blocks, read as listings need
// them.
type timeSpans struct {
	mu    sync.Mutex
	spans []timeSpan // block k holds seqs k*spanBlock .. (k+1)*spanBlock-1
}

// seqRange is the seqs from lo to hi, both included; hi 0 is unbounded.
type seqRange struct{ lo, hi int64 }

// lastSeqQuery reads the newest seq from the end of the table's key (the
// plan test checks it does, on both databases).
const lastSeqQuery = "SELECT MAX(l.seq) FROM audit_logs l"

// windowRanges returns the seq ranges, newest first, that hold every
// event of f's window below its cursor; nil when f has no window, empty
// when no event can be in it.
func (db *DB) windowRanges(ctx context.Context, f audit.Filter) ([]seqRange, error) {
	if f.Since.IsZero() && f.Until.IsZero() {
		return nil, nil
	}
	var newest sql.NullInt64
	if err := db.read.QueryRowContext(ctx, lastSeqQuery).Scan(&newest); err != nil {
		return nil, fmt.Errorf("window: last seq: %w", err)
	}
	last := newest.Int64
	top := last
	if f.BeforeSeq > 0 {
		top = min(top, f.BeforeSeq-1)
	}
	complete := (last + 1) / spanBlock // blocks wholly at or below last
	if err := db.spans.learn(ctx, db, complete, top/spanBlock); err != nil {
		return nil, err
	}
	since, until := int64(-1<<63), int64(1<<63-1)
	if !f.Since.IsZero() {
		since = f.Since.UnixMicro()
	}
	if !f.Until.IsZero() {
		until = f.Until.UnixMicro()
	}
	return mergeRanges(db.spans.ranges(complete, top, since, until), maxRanges), nil
}

// ranges returns, newest first, the seq ranges up to top of the blocks
// whose span meets since..until (in microseconds, until excluded), of
// those not known yet, and of the blocks from complete on.
func (t *timeSpans) ranges(complete, top, since, until int64) []seqRange {
	t.mu.Lock()
	defer t.mu.Unlock()
	ranges := []seqRange{}
	add := func(lo, hi int64) {
		if n := len(ranges); n > 0 && ranges[n-1].lo == hi+1 {
			ranges[n-1].lo = lo
			return
		}
		ranges = append(ranges, seqRange{lo, hi})
	}
	if top >= complete*spanBlock {
		add(complete*spanBlock, 0) // the incomplete block, and what follows
	}
	for k := min(top/spanBlock, complete-1); k >= 0; k-- {
		s := t.spans[k]
		// A window's bounds may carry nanoseconds, which stored times
		// do not: the span is widened by a microsecond either side.
		if !s.known || !s.empty && s.max+1 >= since && s.min-1 < until {
			add(k*spanBlock, (k+1)*spanBlock-1)
		}
	}
	return ranges
}

// mergeRanges joins the ranges (newest first) separated by the smallest
// gaps until at most n remain: a range read spans rows of no candidate
// block too, but the listing still checks each row's occurred_at.
func mergeRanges(r []seqRange, n int) []seqRange {
	for len(r) > n {
		best := 1
		for i := 2; i < len(r); i++ {
			if r[i-1].lo-r[i].hi < r[best-1].lo-r[best].hi {
				best = i
			}
		}
		r[best-1].lo = r[best].lo
		r = append(r[:best], r[best+1:]...)
	}
	return r
}

// learn makes room for the spans of blocks 0..complete-1 and reads up to
// spanBudget of those not known yet, from the block at top down.
func (t *timeSpans) learn(ctx context.Context, db *DB, complete, top int64) error {
	budget := int64(spanBudget)
	for k := min(top, complete-1); k >= 0 && budget > 0; {
		k = t.unknownBelow(k, complete)
		if k < 0 {
			break
		}
		lo := max(0, k-spanChunk+1)
		got, err := db.readSpans(ctx, lo, k)
		if err != nil {
			return err
		}
		t.mu.Lock()
		copy(t.spans[lo:k+1], got)
		t.mu.Unlock()
		budget -= k - lo + 1
		k = lo - 1
	}
	if n := int64(len(t.spans)); n < complete { // no block was unknown
		t.unknownBelow(-1, complete)
	}
	return nil
}

// unknownBelow returns the highest block at or below k whose span is not
// known, or -1, after making room for complete blocks.
func (t *timeSpans) unknownBelow(k, complete int64) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n := int64(len(t.spans)); n < complete {
		t.spans = append(t.spans, make([]timeSpan, complete-n)...)
	}
	for ; k >= 0 && t.spans[k].known; k-- {
	}
	return k
}

// readSpans summarises blocks lo..hi with one walk of their seqs.
func (db *DB) readSpans(ctx context.Context, lo, hi int64) ([]timeSpan, error) {
	b := db.build()
	block := strconv.Itoa(spanBlock) // a literal: PostgreSQL groups by the same expression only
	b.where("seq >= ? AND seq < ?", lo*spanBlock, (hi+1)*spanBlock)
	q := b.query("SELECT seq / " + block + ", MIN(occurred_at), MAX(occurred_at) FROM audit_logs" + b.clause() +
		" GROUP BY seq / " + block)
	rows, err := db.read.QueryContext(ctx, q.sql, q.args...)
	if err != nil {
		return nil, fmt.Errorf("window: read spans: %w", err)
	}
	defer rows.Close()
	out := make([]timeSpan, hi-lo+1)
	for i := range out {
		out[i] = timeSpan{known: true, empty: true}
	}
	for rows.Next() {
		var k int64
		var first, last dbTime
		if err := rows.Scan(&k, &first, &last); err != nil {
			return nil, fmt.Errorf("window: read spans: %w", err)
		}
		if k < lo || k > hi {
			return nil, fmt.Errorf("window: read spans: block %d outside %d..%d", k, lo, hi)
		}
		out[k-lo] = timeSpan{min: first.Time.UnixMicro(), max: last.Time.UnixMicro(), known: true}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("window: read spans: %w", err)
	}
	return out, nil
}
