package auditlog

import (
	"crypto/sha256"
	"encoding"
	"fmt"
	"strconv"

	"github.com/aeso-dev/aeso/internal/audit"
	"golang.org/x/mod/sumdb/tlog"
)

// Draft is an event's leaf before the event has a seq: the canonical bytes
// up to the seq's digits already hashed (RFC 6962's 0x00 prefix included),
// and the bytes after them. A write computes drafts while the events are
// validated, outside the seq lock; the lock's holder then only hashes the
// seq's digits and the short tail (source, target, trace id: a few dozen
// bytes) per event, instead of writing and hashing the whole leaf.
//
// A draft holds the event's stored fields as they were when it was made:
// it must be made after the last change to any of them but seq (validated,
// redacted, stamped with source, request and recorded_at), which is why
// only the store's PrepareEvent makes one, and the store recomputes the
// leaf from the event when there is none.
type Draft struct {
	head []byte // SHA-256 state after 0x00 and the bytes before the seq
	tail []byte // the leaf's bytes after the seq's digits
	size int    // the leaf's length without the seq's digits
}

// NewDraft writes e's leaf without its seq and hashes its head.
func NewDraft(e *audit.Event) (*Draft, error) {
	b, at, err := leafWithoutSeq(e)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	h.Write([]byte{0x00}) // RFC 6962 leaf prefix, as tlog.RecordHash
	h.Write(b[:at])
	head, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("audit event %s: leaf draft: %w", e.ID, err)
	}
	return &Draft{head: head, tail: b[at:], size: len(b)}, nil
}

// Hash returns the leaf hash of the event at seq: LeafHash of the leaf
// Leaf would write for it.
func (d *Draft) Hash(seq int64) (tlog.Hash, error) {
	var digits [20]byte
	num := strconv.AppendInt(digits[:0], seq, 10)
	if n := d.size + len(num); n > MaxLeafBytes {
		return tlog.Hash{}, fmt.Errorf("audit event %d: leaf of %d bytes exceeds %d", seq, n, MaxLeafBytes)
	}
	h := sha256.New()
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(d.head); err != nil {
		return tlog.Hash{}, fmt.Errorf("audit event %d: leaf draft: %w", seq, err)
	}
	h.Write(num)
	h.Write(d.tail)
	var out tlog.Hash
	h.Sum(out[:0])
	return out, nil
}
