package wire

import (
	"encoding/json"
	"time"
)

// EventInput is one audit event as a caller sends it to POST
// /v1/audit/events. ID, when set, makes retries idempotent: the same id and
// content again answers the stored event.
type EventInput struct {
	ID                    string          `json:"id,omitempty"`
	ActorUserID           string          `json:"actor_user_id,omitempty"`
	ActorServiceAccountID string          `json:"actor_service_account_id,omitempty"`
	ActorRole             string          `json:"actor_role,omitempty"`
	ActorDisplayName      string          `json:"actor_display_name,omitempty"`
	Action                string          `json:"action"`
	TargetType            string          `json:"target_type,omitempty"`
	TargetID              string          `json:"target_id,omitempty"`
	TargetDisplayName     string          `json:"target_display_name,omitempty"`
	Result                string          `json:"result"`
	CorrelationID         string          `json:"correlation_id,omitempty"`
	OccurredAt            string          `json:"occurred_at"`
	Metadata              json.RawMessage `json:"metadata,omitempty"`
}

// EventBatch is a batch of events recorded all-or-nothing.
type EventBatch struct {
	Events []EventInput `json:"events"`
}

// Event is the read model of an audit event: the raw fields, the
// store-assigned ones, and the presentation computed at read time.
type Event struct {
	ID                    string          `json:"id"`
	Seq                   int64           `json:"seq"`
	ActorUserID           string          `json:"actor_user_id,omitempty"`
	ActorServiceAccountID string          `json:"actor_service_account_id,omitempty"`
	ActorRole             string          `json:"actor_role,omitempty"`
	ActorDisplayName      string          `json:"actor_display_name,omitempty"`
	Action                string          `json:"action"`
	TargetType            string          `json:"target_type,omitempty"`
	TargetID              string          `json:"target_id,omitempty"`
	TargetDisplayName     string          `json:"target_display_name,omitempty"`
	Result                string          `json:"result"`
	CorrelationID         string          `json:"correlation_id,omitempty"`
	OccurredAt            time.Time       `json:"occurred_at"`
	RecordedAt            time.Time       `json:"recorded_at"`
	Metadata              json.RawMessage `json:"metadata"`
	RedactedPaths         []string        `json:"redacted_paths"`
	Source                string          `json:"source"`
	RequestID             string          `json:"request_id,omitempty"`
	TraceID               string          `json:"trace_id,omitempty"`
	Presentation          Presentation    `json:"presentation"`
}

// Presentation is the display model the server computes from its action
// registry at read time.
type Presentation struct {
	ActorLabel      string         `json:"actor_label"`
	TargetLabel     string         `json:"target_label"`
	TargetTypeLabel string         `json:"target_type_label"`
	ActionLabel     string         `json:"action_label"`
	ActionCategory  string         `json:"action_category"`
	ActionFamily    string         `json:"action_family"`
	Summary         string         `json:"summary"`
	ResultLabel     string         `json:"result_label"`
	Severity        string         `json:"severity"`
	SafeDetails     map[string]any `json:"safe_details"`
	DebugRefs       DebugRefs      `json:"debug_refs"`
	Registered      bool           `json:"registered"`
}

// DebugRefs are pivots into logs, traces and object history.
type DebugRefs struct {
	CorrelationID string `json:"correlation_id,omitempty"`
	TraceID       string `json:"trace_id,omitempty"`
	RequestID     string `json:"request_id,omitempty"`
	ActorRef      string `json:"actor_ref,omitempty"`
	TargetRef     string `json:"target_ref,omitempty"`
}

// BatchReceipt answers a batch: one receipt per event, in input order. It
// carries receipts rather than whole events so a 1000-event batch costs
// one small document; GET the events to read them.
type BatchReceipt struct {
	Events   []Receipt `json:"events"`
	Created  int       `json:"created"`
	Replayed int       `json:"replayed"`
}

// Receipt says where one event of a batch was stored; Status is "created",
// or "replayed" when the id was already stored with the same content.
type Receipt struct {
	ID         string    `json:"id"`
	Seq        int64     `json:"seq"`
	RecordedAt time.Time `json:"recorded_at"`
	Status     string    `json:"status"`
}

// EventPage is one page of events, newest first; NextCursor is null on the
// last page.
type EventPage struct {
	Events     []Event `json:"events"`
	NextCursor *string `json:"next_cursor"`
}

// ActionDef is one rule of the server's action registry.
type ActionDef struct {
	Action          string       `json:"action"`
	Category        string       `json:"category"`
	Family          string       `json:"family"`
	Label           string       `json:"label"`
	TargetTypeLabel string       `json:"target_type_label"`
	Severity        SeverityPair `json:"severity"`
	SafeDetails     []string     `json:"safe_details"`
	Summary         string       `json:"summary"`
	BuiltIn         bool         `json:"built_in"`
}

// SeverityPair is the severity of an action on success and on failure (a
// denied attempt counts as a failure).
type SeverityPair struct {
	Success string `json:"success"`
	Failure string `json:"failure"`
}

// ActionList is the action registry.
type ActionList struct {
	Actions []ActionDef `json:"actions"`
}
