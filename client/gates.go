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
}

// GateResult is one evaluation of a gate for a subject.
type GateResult struct {
	ID             string       `json:"id"`
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

// WaiveGateRule excuses one rule for one subject until expires.
func (c *Client) WaiveGateRule(ctx context.Context, gate, rule, subject, reason string, expires time.Time) (*Waiver, error) {
	w := &Waiver{}
	_, err := c.do(ctx, http.MethodPost, "/v1/gates/"+url.PathEscape(gate)+"/waivers", map[string]string{
		"rule": rule, "subject": subject, "reason": reason, "expires_at": expires.UTC().Format(time.RFC3339),
	}, w)
	return w, err
}
