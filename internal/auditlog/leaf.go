// Package auditlog makes the audit trail a transparency log: every stored
// event is a leaf of an RFC 6962 Merkle tree in seq order, and signed
// checkpoints commit to the tree. It holds the leaf format, the log's
// reads (checkpoints, proofs, tiles) and its signing key; the store keeps
// the tree's hashes. It imports no database driver and no net/http.
package auditlog

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/gowebpki/jcs"
	"golang.org/x/mod/sumdb/tlog"
)

// TimeLayout is the one form of every time in a leaf: UTC, microseconds
// (the precision both databases store), fixed width.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// MaxLeafBytes is the largest leaf an entry bundle can carry (its length
// prefix is a uint16). The audit contract's limits keep leaves far below it.
const MaxLeafBytes = 1<<16 - 1

// leaf is every stored field of an event. Every member is always present:
// an empty optional field is "" (as stored), never omitted and never null,
// so a leaf has one shape and a verifier needs no rule for absence.
type leaf struct {
	ID                    string          `json:"id"`
	Seq                   int64           `json:"seq"`
	ActorUserID           string          `json:"actor_user_id"`
	ActorServiceAccountID string          `json:"actor_service_account_id"`
	ActorRole             string          `json:"actor_role"`
	ActorDisplayName      string          `json:"actor_display_name"`
	Action                string          `json:"action"`
	TargetType            string          `json:"target_type"`
	TargetID              string          `json:"target_id"`
	TargetDisplayName     string          `json:"target_display_name"`
	Result                string          `json:"result"`
	CorrelationID         string          `json:"correlation_id"`
	OccurredAt            string          `json:"occurred_at"`
	RecordedAt            string          `json:"recorded_at"`
	Metadata              json.RawMessage `json:"metadata"`
	RedactedPaths         []string        `json:"redacted_paths"`
	Source                string          `json:"source"`
	RequestID             string          `json:"request_id"`
	TraceID               string          `json:"trace_id"`
}

// FormatTime writes t as a leaf does.
func FormatTime(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format(TimeLayout)
}

// Leaf returns the event's leaf bytes: the RFC 8785 (JCS) canonical JSON of
// every stored field, without a trailing newline. Presentation (category,
// summary) is computed at read time and is not part of it.
func Leaf(e *audit.Event) ([]byte, error) {
	meta := e.Metadata
	if len(meta) == 0 {
		meta = json.RawMessage("{}")
	}
	paths := e.RedactedPaths
	if paths == nil {
		paths = []string{}
	}
	raw, err := json.Marshal(leaf{
		ID: e.ID, Seq: e.Seq,
		ActorUserID: e.ActorUserID, ActorServiceAccountID: e.ActorServiceAccountID,
		ActorRole: e.ActorRole, ActorDisplayName: e.ActorDisplayName,
		Action: e.Action, TargetType: e.TargetType, TargetID: e.TargetID,
		TargetDisplayName: e.TargetDisplayName, Result: e.Result, CorrelationID: e.CorrelationID,
		OccurredAt: FormatTime(e.OccurredAt), RecordedAt: FormatTime(e.RecordedAt),
		Metadata: meta, RedactedPaths: paths,
		Source: e.Source, RequestID: e.RequestID, TraceID: e.TraceID,
	})
	if err != nil {
		return nil, fmt.Errorf("audit event %d: leaf: %w", e.Seq, err)
	}
	out, err := jcs.Transform(raw)
	if err != nil {
		return nil, fmt.Errorf("audit event %d: canonical leaf: %w", e.Seq, err)
	}
	if len(out) > MaxLeafBytes {
		return nil, fmt.Errorf("audit event %d: leaf of %d bytes exceeds %d", e.Seq, len(out), MaxLeafBytes)
	}
	return out, nil
}

// LeafHash is the RFC 6962 leaf hash of leaf bytes: SHA-256(0x00 || leaf).
func LeafHash(leaf []byte) tlog.Hash { return tlog.RecordHash(leaf) }
