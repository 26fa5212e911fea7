package client

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// GateReason is one rule's outcome in a gate result.
type GateReason struct {
	Rule    string   `json:"rule"`
	Kind    string   `json:"kind"`
	Outcome string   `json:"outcome"`
	Detail  string   `json:"detail"`
	Refs    []string `json:"refs"`
	Waiver  string   `json:"waiver,omitempty"`
	// WaivedOutcome is what a waived rule would have been: warn or block.
	WaivedOutcome string `json:"waived_outcome,omitempty"`
}

// GateResult is one evaluation of a gate for a subject. A dry run has
// Recorded false and no ID.
type GateResult struct {
	ID             string       `json:"id,omitempty"`
	Recorded       bool         `json:"recorded"`
	Gate           string       `json:"gate"`
	Subject        string       `json:"subject"`
	Verdict        string       `json:"verdict"`
	Warnings       []string     `json:"warnings"`
	Reasons        []GateReason `json:"reasons"`
	InputsDigest   string       `json:"inputs_digest"`
	RulesetVersion string       `json:"ruleset_version"`
	Evaluator      string       `json:"evaluator"`
	EvaluatedAt    time.Time    `json:"evaluated_at"`
	CorrelationID  string       `json:"correlation_id,omitempty"`
}

// Waiver excuses one rule of a gate for one subject until it expires.
type Waiver struct {
	ID        string    `json:"id"`
	Gate      string    `json:"gate"`
	Rule      string    `json:"rule"`
	Subject   string    `json:"subject"`
	Reason    string    `json:"reason"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Active    bool      `json:"active"`
}

// EvaluateGate evaluates a gate for a subject and stores the result.
func (c *Client) EvaluateGate(ctx context.Context, gate, subject, correlationID string) (*GateResult, error) {
	r := &GateResult{}
	_, err := c.do(ctx, http.MethodPost, "/v1/gates/"+url.PathEscape(gate)+"/evaluate",
		map[string]string{"subject": subject, "correlation_id": correlationID}, r)
	return r, err
}

// DryRunGate evaluates a gate for a subject as EvaluateGate does and
// records nothing: no result, no audit event.
func (c *Client) DryRunGate(ctx context.Context, gate, subject, correlationID string) (*GateResult, error) {
	r := &GateResult{}
	_, err := c.do(ctx, http.MethodPost, "/v1/gates/"+url.PathEscape(gate)+"/evaluate?dry_run=true",
		map[string]string{"subject": subject, "correlation_id": correlationID}, r)
	return r, err
}

// Withdrawal takes a subject's latest result of a gate out of the posture.
type Withdrawal struct {
	ID          string    `json:"id"`
	Gate        string    `json:"gate"`
	Subject     string    `json:"subject"`
	ResultID    string    `json:"result_id"`
	Verdict     string    `json:"verdict"`
	Reason      string    `json:"reason"`
	WithdrawnBy string    `json:"withdrawn_by"`
	WithdrawnAt time.Time `json:"withdrawn_at"`
}

// WithdrawSubject takes the subject's latest result of a gate out of the
// posture, with a reason; a later evaluation of the subject counts again.
func (c *Client) WithdrawSubject(ctx context.Context, gate, subject, reason string) (*Withdrawal, error) {
	w := &Withdrawal{}
	_, err := c.do(ctx, http.MethodPost, "/v1/gates/"+url.PathEscape(gate)+"/withdrawals",
		map[string]string{"subject": subject, "reason": reason}, w)
	return w, err
}

// GateWithdrawals lists a gate's withdrawals, newest first, for a subject
// when set.
func (c *Client) GateWithdrawals(ctx context.Context, gate, subject string) ([]Withdrawal, error) {
	var out struct {
		Withdrawals []Withdrawal `json:"withdrawals"`
	}
	path := "/v1/gates/" + url.PathEscape(gate) + "/withdrawals"
	if subject != "" {
		path += "?subject=" + url.QueryEscape(subject)
	}
	_, err := c.do(ctx, http.MethodGet, path, nil, &out)
	return out.Withdrawals, err
}

// WaiveGateRule excuses one rule for one subject until expires.
func (c *Client) WaiveGateRule(ctx context.Context, gate, rule, subject, reason string, expires time.Time) (*Waiver, error) {
	w := &Waiver{}
	_, err := c.do(ctx, http.MethodPost, "/v1/gates/"+url.PathEscape(gate)+"/waivers", map[string]string{
		"rule": rule, "subject": subject, "reason": reason, "expires_at": expires.UTC().Format(time.RFC3339),
	}, w)
	return w, err
}
