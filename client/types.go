package client

import (
	"encoding/json"
	"time"
)

// EventInput is one audit event to record. ID, when set, makes retries
// idempotent: the same id and content again returns the stored event.
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

// Event is a stored audit event with its presentation.
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

// Presentation is the display model the server computes from its registry.
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

// BatchReceipt answers a batch: where each event was stored, in input order.
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

// EventPage is one page of a listing; NextCursor is empty on the last page.
type EventPage struct {
	Events     []Event `json:"events"`
	NextCursor *string `json:"next_cursor"`
}

// ListOptions filter a listing; empty fields mean "any".
type ListOptions struct {
	ActorUserID           string
	ActorServiceAccountID string
	Action                string // exact, or "prefix.*"
	Category              string
	TargetType            string
	TargetID              string
	Result                string
	CorrelationID         string
	// Search is q=: words to find in the events' actor, action, target,
	// correlation id and metadata keys and values.
	Search string
	Since  time.Time
	Until  time.Time
	Limit  int
	Cursor string
}

// ActionDef is one rule of the server's action registry.
type ActionDef struct {
	Action          string `json:"action"`
	Category        string `json:"category"`
	Family          string `json:"family"`
	Label           string `json:"label"`
	TargetTypeLabel string `json:"target_type_label"`
	Severity        struct {
		Success string `json:"success"`
		Failure string `json:"failure"`
	} `json:"severity"`
	SafeDetails []string `json:"safe_details"`
	Summary     string   `json:"summary"`
	BuiltIn     bool     `json:"built_in"`
}

// Token is an access token as the server describes it; Secret is set only
// in the answer to its creation.
type Token struct {
	ID        string     `json:"id"`
	Principal string     `json:"principal"`
	Name      string     `json:"name,omitempty"`
	Scopes    []string   `json:"scopes"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	RevokedBy string     `json:"revoked_by,omitempty"`
	Active    bool       `json:"active"`
	Secret    string     `json:"token,omitempty"`
}

// TokenRequest asks for a new token.
type TokenRequest struct {
	Principal string     `json:"principal"`
	Name      string     `json:"name,omitempty"`
	Scopes    []string   `json:"scopes"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}
