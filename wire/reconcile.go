package wire

import "time"

// ReconciliationRequest records detected drift or a failed invariant.
type ReconciliationRequest struct {
	Component     string                        `json:"component,omitempty"`
	InvariantID   string                        `json:"invariant_id,omitempty"`
	Kind          string                        `json:"kind"`
	Severity      string                        `json:"severity"`
	Owner         string                        `json:"owner"`
	CorrelationID string                        `json:"correlation_id,omitempty"`
	Evidence      ReconciliationEvidenceRequest `json:"evidence"`
}

// ReconciliationEvidenceRequest is what shows the drift, as a caller sends
// it: a bounded summary and, optionally, links and observed values.
type ReconciliationEvidenceRequest struct {
	Summary string               `json:"summary"`
	Links   []ReconciliationLink `json:"links,omitempty"`
	Pairs   []ReconciliationPair `json:"pairs,omitempty"`
}

// ReconciliationEvidence is what a record carries of the drift, bounded
// and redacted.
type ReconciliationEvidence struct {
	Summary string               `json:"summary"`
	Links   []ReconciliationLink `json:"links"`
	Pairs   []ReconciliationPair `json:"pairs"`
}

// ReconciliationLink pins an artifact by URL and digest.
type ReconciliationLink struct {
	URL    string `json:"url"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// ReconciliationPair is an observed value beside the expected one.
type ReconciliationPair struct {
	Field    string `json:"field"`
	Observed string `json:"observed"`
	Expected string `json:"expected"`
}

// Reconciliation is a record of detected drift or a failed invariant and
// where its repair stands. Timeline is set on a single record, not in
// lists.
type Reconciliation struct {
	ID                   string                 `json:"id"`
	Component            string                 `json:"component,omitempty"`
	InvariantID          string                 `json:"invariant_id,omitempty"`
	Kind                 string                 `json:"kind"`
	Severity             string                 `json:"severity"`
	Owner                string                 `json:"owner"`
	CorrelationID        string                 `json:"correlation_id,omitempty"`
	Evidence             ReconciliationEvidence `json:"evidence"`
	RedactedPaths        []string               `json:"redacted_paths"`
	State                string                 `json:"state"`
	Open                 bool                   `json:"open"`
	AllowedNext          []string               `json:"allowed_next"`
	NextAction           string                 `json:"next_action,omitempty"`
	NextActionOwner      string                 `json:"next_action_owner,omitempty"`
	AcceptedUntil        *time.Time             `json:"accepted_until,omitempty"`
	CreatedAt            time.Time              `json:"created_at"`
	CreatedBy            string                 `json:"created_by"`
	UpdatedAt            time.Time              `json:"updated_at"`
	ResolvedAt           *time.Time             `json:"resolved_at,omitempty"`
	TimeToResolveSeconds *float64               `json:"time_to_resolve_seconds,omitempty"`
	Timeline             []Transition           `json:"timeline,omitempty"`
}

// Transition is one step of a record's timeline.
type Transition struct {
	From            string     `json:"from,omitempty"`
	To              string     `json:"to"`
	Actor           string     `json:"actor"`
	Reason          string     `json:"reason,omitempty"`
	NextAction      string     `json:"next_action,omitempty"`
	NextActionOwner string     `json:"next_action_owner,omitempty"`
	AcceptedUntil   *time.Time `json:"accepted_until,omitempty"`
	At              time.Time  `json:"at"`
}

// TransitionRequest moves a record to another state.
type TransitionRequest struct {
	State           string `json:"state"`
	Reason          string `json:"reason,omitempty"`
	NextAction      string `json:"next_action,omitempty"`
	NextActionOwner string `json:"next_action_owner,omitempty"`
	AcceptedUntil   string `json:"accepted_until,omitempty"`
}

// ReconciliationList is one page of records, newest first.
type ReconciliationList struct {
	Records    []Reconciliation `json:"records"`
	NextCursor *string          `json:"next_cursor"`
}
