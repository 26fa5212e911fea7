package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Reconciliation is a record of detected drift or a failed invariant and
// where its repair stands.
type Reconciliation struct {
	ID                   string          `json:"id"`
	Component            string          `json:"component,omitempty"`
	InvariantID          string          `json:"invariant_id,omitempty"`
	Kind                 string          `json:"kind"`
	Severity             string          `json:"severity"`
	Owner                string          `json:"owner"`
	CorrelationID        string          `json:"correlation_id,omitempty"`
	Evidence             json.RawMessage `json:"evidence"`
	RedactedPaths        []string        `json:"redacted_paths"`
	State                string          `json:"state"`
	Open                 bool            `json:"open"`
	AllowedNext          []string        `json:"allowed_next"`
	NextAction           string          `json:"next_action,omitempty"`
	NextActionOwner      string          `json:"next_action_owner,omitempty"`
	AcceptedUntil        *time.Time      `json:"accepted_until,omitempty"`
	CreatedAt            time.Time       `json:"created_at"`
	CreatedBy            string          `json:"created_by"`
	UpdatedAt            time.Time       `json:"updated_at"`
	ResolvedAt           *time.Time      `json:"resolved_at,omitempty"`
	TimeToResolveSeconds *float64        `json:"time_to_resolve_seconds,omitempty"`
	Timeline             []Transition    `json:"timeline,omitempty"`
}

// Summary is the record's evidence summary.
func (r *Reconciliation) Summary() string {
	var ev struct {
		Summary string `json:"summary"`
	}
	_ = json.Unmarshal(r.Evidence, &ev) // a record without evidence has no summary
	return ev.Summary
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

// ReconciliationRequest opens a record.
type ReconciliationRequest struct {
	Component     string                 `json:"component,omitempty"`
	InvariantID   string                 `json:"invariant_id,omitempty"`
	Kind          string                 `json:"kind"`
	Severity      string                 `json:"severity"`
	Owner         string                 `json:"owner"`
	CorrelationID string                 `json:"correlation_id,omitempty"`
	Evidence      ReconciliationEvidence `json:"evidence"`
}

// ReconciliationEvidence is what shows the drift, in a bounded summary.
type ReconciliationEvidence struct {
	Summary string `json:"summary"`
}

// TransitionRequest moves a record to another state.
type TransitionRequest struct {
	State           string `json:"state"`
	Reason          string `json:"reason,omitempty"`
	NextAction      string `json:"next_action,omitempty"`
	NextActionOwner string `json:"next_action_owner,omitempty"`
	AcceptedUntil   string `json:"accepted_until,omitempty"`
}

// ReconciliationQuery filters a list of records.
type ReconciliationQuery struct {
	Component, InvariantID, Owner, Severity string
	Open                                    bool
	Limit                                   int
}

// Reconciliations lists records, weightiest first.
func (c *Client) Reconciliations(ctx context.Context, q ReconciliationQuery) ([]Reconciliation, error) {
	var out struct {
		Records []Reconciliation `json:"records"`
	}
	open := ""
	if q.Open {
		open = "true"
	}
	err := c.read(ctx, pageQuery("/v1/reconciliations", "component", q.Component, "invariant_id", q.InvariantID,
		"owner", q.Owner, "severity", q.Severity, "open", open, "limit", strconv.Itoa(q.Limit)), &out)
	return out.Records, err
}

// Reconciliation returns one record with its timeline.
func (c *Client) Reconciliation(ctx context.Context, id string) (*Reconciliation, error) {
	out := &Reconciliation{}
	return out, c.read(ctx, "/v1/reconciliations/"+url.PathEscape(id), out)
}

// OpenReconciliation records detected drift.
func (c *Client) OpenReconciliation(ctx context.Context, req ReconciliationRequest) (*Reconciliation, error) {
	out := &Reconciliation{}
	_, err := c.do(ctx, http.MethodPost, "/v1/reconciliations", req, out)
	return out, err
}

// MoveReconciliation moves a record to another state.
func (c *Client) MoveReconciliation(ctx context.Context, id string, req TransitionRequest) (*Reconciliation, error) {
	out := &Reconciliation{}
	_, err := c.do(ctx, http.MethodPost, "/v1/reconciliations/"+url.PathEscape(id)+"/transitions", req, out)
	return out, err
}
