// Package audit holds the audit trail's domain: the event contract, its
// validation, the action registry and the presentation computed from it.
// It imports no database driver and no net/http.
package audit

import (
	"encoding/json"
	"time"
)

// Results an event may carry.
const (
	ResultSuccess = "success"
	ResultFailure = "failure"
	ResultDenied  = "denied"
)

// Input is one event as a caller sends it: the raw contract fields plus the
// optional idempotency id and display names.
type Input struct {
	ID                    string
	ActorUserID           string
	ActorServiceAccountID string
	ActorRole             string
	ActorDisplayName      string
	Action                string
	TargetType            string
	TargetID              string
	TargetDisplayName     string
	Result                string
	CorrelationID         string
	OccurredAt            string
	Metadata              json.RawMessage
}

// Event is a stored audit row. Its fields are exactly the columns of
// audit_logs; Metadata is canonical JSON after redaction.
type Event struct {
	ID                    string
	Seq                   int64
	ActorUserID           string
	ActorServiceAccountID string
	ActorRole             string
	ActorDisplayName      string
	Action                string
	TargetType            string
	TargetID              string
	TargetDisplayName     string
	Result                string
	CorrelationID         string
	OccurredAt            time.Time
	RecordedAt            time.Time
	Metadata              json.RawMessage
	RedactedPaths         []string
	Source                string
	RequestID             string
	TraceID               string
	// GeneratedID is true when the server chose the id, which therefore
	// cannot be stored yet: the store skips the idempotency lookup for it.
	GeneratedID bool
	// Prepared is what a Preparer store derived from the event once its
	// stored fields were final, before the store numbered it (the log's
	// leaf without its seq). Only that store reads it; nil is always fine.
	Prepared any `json:"-"`
}

// SameContent reports whether two events carry the same caller-supplied
// content, which is what decides between an idempotent replay and a conflict.
// Store-assigned fields (seq, recorded_at, source, request and trace ids) are
// not compared: a retry legitimately differs in those.
func (e *Event) SameContent(o *Event) bool {
	return e.ID == o.ID &&
		e.ActorUserID == o.ActorUserID &&
		e.ActorServiceAccountID == o.ActorServiceAccountID &&
		e.ActorRole == o.ActorRole &&
		e.ActorDisplayName == o.ActorDisplayName &&
		e.Action == o.Action &&
		e.TargetType == o.TargetType &&
		e.TargetID == o.TargetID &&
		e.TargetDisplayName == o.TargetDisplayName &&
		e.Result == o.Result &&
		e.CorrelationID == o.CorrelationID &&
		e.OccurredAt.Equal(o.OccurredAt) &&
		string(e.Metadata) == string(o.Metadata)
}

// Filter selects events for a listing. Zero values mean "any".
type Filter struct {
	ActorUserID           string
	ActorServiceAccountID string
	Action                string // exact action
	ActionPrefix          string // "credentials." for "credentials.*"
	Actions               []string
	ExcludeActions        []string // for category Uncategorized
	TargetType            string
	TargetID              string
	Result                string
	CorrelationID         string
	// Search holds the words of a text search, one slice per term the
	// caller typed: the words of a term stand next to each other in the
	// event, and every term must match. Nil means no search.
	Search    [][]string
	Since     time.Time
	Until     time.Time
	BeforeSeq int64 // keyset cursor: only seq < BeforeSeq
	Limit     int
}
