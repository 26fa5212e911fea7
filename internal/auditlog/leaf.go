// Package auditlog makes the audit trail a transparency log: every stored
// event is a leaf of an RFC 6962 Merkle tree in seq order, and signed
// checkpoints commit to the tree. It holds the leaf format, the log's
// reads (checkpoints, proofs, tiles) and its signing key; the store keeps
// the tree's hashes. It imports no database driver and no net/http.
package auditlog

import (
	"fmt"
	"strconv"
	"time"

	"github.com/aeso-dev/aeso/internal/audit"
	"golang.org/x/mod/sumdb/tlog"
)

// TimeLayout is the one form of every time in a leaf: UTC, microseconds
// (the precision both databases store), fixed width.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// MaxLeafBytes is the largest leaf an entry bundle can carry (its length
// prefix is a uint16). The audit contract's limits keep leaves far below it.
const MaxLeafBytes = 1<<16 - 1

// Every member of a leaf is always present: an empty optional field is ""
// (as stored), never omitted and never null, so a leaf has one shape and a
// verifier needs no rule for absence.

// FormatTime writes t as a leaf does.
func FormatTime(t time.Time) string {
	return string(appendTime(make([]byte, 0, len(TimeLayout)), t))
}

// appendTime is FormatTime without time.Format's layout interpretation,
// which costs more than the rest of a leaf.
func appendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.Truncate(time.Microsecond).AppendFormat(b, TimeLayout)
	}
	hour, minute, sec := t.Clock()
	pad := func(b []byte, v, width int) []byte {
		for d := width - 1; d >= 0; d-- {
			p := 1
			for range d {
				p *= 10
			}
			b = append(b, byte('0'+v/p%10))
		}
		return b
	}
	b = pad(b, year, 4)
	b = append(b, '-')
	b = pad(b, int(month), 2)
	b = append(b, '-')
	b = pad(b, day, 2)
	b = append(b, 'T')
	b = pad(b, hour, 2)
	b = append(b, ':')
	b = pad(b, minute, 2)
	b = append(b, ':')
	b = pad(b, sec, 2)
	b = append(b, '.')
	b = pad(b, t.Nanosecond()/1000, 6)
	return append(b, 'Z')
}

// Leaf returns the event's leaf bytes: the RFC 8785 (JCS) canonical JSON of
// every stored field, without a trailing newline. Presentation (category,
// summary) is computed at read time and is not part of it.
func Leaf(e *audit.Event) ([]byte, error) {
	b, at, err := leafWithoutSeq(e)
	if err != nil {
		return nil, err
	}
	return withSeq(b, at, e.Seq)
}

// withSeq returns the leaf b (without its seq's digits, which go at byte
// at) with seq's digits in place.
func withSeq(b []byte, at int, seq int64) ([]byte, error) {
	var digits [20]byte
	d := strconv.AppendInt(digits[:0], seq, 10)
	if n := len(b) + len(d); n > MaxLeafBytes {
		return nil, fmt.Errorf("audit event %d: leaf of %d bytes exceeds %d", seq, n, MaxLeafBytes)
	}
	out := make([]byte, 0, len(b)+len(d))
	out = append(append(append(out, b[:at]...), d...), b[at:]...)
	return out, nil
}

// leafWithoutSeq writes the event's leaf with its seq's digits left out:
// they go at byte at. seq is the one member only the seq lock's holder
// knows, and in canonical form it is its decimal digits, so the rest can be
// written (and hashed, see Draft) before the lock.
func leafWithoutSeq(e *audit.Event) (_ []byte, at int, _ error) {
	meta := []byte(e.Metadata)
	if len(meta) == 0 {
		meta = []byte("{}")
	}
	b := make([]byte, 0, 512+len(meta))
	var err error
	str := func(key, v string) {
		if err == nil {
			b = append(b, key...)
			b, err = appendString(b, v)
		}
	}
	// Members in JCS order (their names are ASCII, so byte order).
	str(`{"action":`, e.Action)
	str(`,"actor_display_name":`, e.ActorDisplayName)
	str(`,"actor_role":`, e.ActorRole)
	str(`,"actor_service_account_id":`, e.ActorServiceAccountID)
	str(`,"actor_user_id":`, e.ActorUserID)
	str(`,"correlation_id":`, e.CorrelationID)
	str(`,"id":`, e.ID)
	if err == nil {
		b = append(b, `,"metadata":`...)
		if b, err = appendJSON(b, meta); err != nil {
			err = fmt.Errorf("metadata: %w", err)
		}
	}
	if err == nil {
		b = append(b, `,"occurred_at":"`...)
		b = append(appendTime(b, e.OccurredAt), `","recorded_at":"`...)
		b = append(appendTime(b, e.RecordedAt), '"')
	}
	if err == nil {
		b = append(b, `,"redacted_paths":[`...)
		for i, p := range e.RedactedPaths {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendString(b, p); err != nil {
				break
			}
		}
		b = append(b, ']')
	}
	str(`,"request_id":`, e.RequestID)
	str(`,"result":`, e.Result)
	if err == nil {
		b = append(b, `,"seq":`...)
		at = len(b)
	}
	str(`,"source":`, e.Source)
	str(`,"target_display_name":`, e.TargetDisplayName)
	str(`,"target_id":`, e.TargetID)
	str(`,"target_type":`, e.TargetType)
	str(`,"trace_id":`, e.TraceID)
	if err != nil {
		return nil, 0, fmt.Errorf("audit event %d: leaf: %w", e.Seq, err)
	}
	return append(b, '}'), at, nil
}

// LeafHash is the RFC 6962 leaf hash of leaf bytes: SHA-256(0x00 || leaf).
func LeafHash(leaf []byte) tlog.Hash { return tlog.RecordHash(leaf) }
