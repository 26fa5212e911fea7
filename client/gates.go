package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/aeso-dev/aeso/wire"
)

type (
	// GateReason is one rule's outcome in a gate result.
	GateReason = wire.GateReason
	// GateResult is one evaluation of a gate for a subject. A dry run has
	// Recorded false and no ID.
	GateResult = wire.GateResult
	// Waiver excuses one rule of a gate for one subject until it expires.
	Waiver = wire.Waiver
	// Withdrawal is a subject's latest result of a gate, taken out of the
	// posture.
	Withdrawal = wire.Withdrawal
	// WaiverList is one page of a gate's waivers.
	WaiverList = wire.WaiverList
	// WithdrawalList is one page of a gate's withdrawals.
	WithdrawalList = wire.WithdrawalList
)

// EvaluateGate evaluates a gate for a subject and stores the result.
func (c *Client) EvaluateGate(ctx context.Context, gate, subject, correlationID string) (*GateResult, error) {
	r := &GateResult{}
	_, err := c.do(ctx, http.MethodPost, "/v1/gates/"+url.PathEscape(gate)+"/evaluate",
		wire.GateEvaluateRequest{Subject: subject, CorrelationID: correlationID}, r)
	return r, err
}

// DryRunGate evaluates a gate for a subject as EvaluateGate does and
// records nothing: no result, no audit event.
func (c *Client) DryRunGate(ctx context.Context, gate, subject, correlationID string) (*GateResult, error) {
	r := &GateResult{}
	_, err := c.do(ctx, http.MethodPost, "/v1/gates/"+url.PathEscape(gate)+"/evaluate?dry_run=true",
		wire.GateEvaluateRequest{Subject: subject, CorrelationID: correlationID}, r)
	return r, err
}

// WithdrawSubject takes the subject's latest result of a gate out of the
// posture, with a reason; a later evaluation of the subject counts again.
func (c *Client) WithdrawSubject(ctx context.Context, gate, subject, reason string) (*Withdrawal, error) {
	w := &Withdrawal{}
	_, err := c.do(ctx, http.MethodPost, "/v1/gates/"+url.PathEscape(gate)+"/withdrawals",
		wire.WithdrawalRequest{Subject: subject, Reason: reason}, w)
	return w, err
}

// GateWithdrawals lists the first page of a gate's withdrawals, newest
// first, for a subject when set.
func (c *Client) GateWithdrawals(ctx context.Context, gate, subject string) ([]Withdrawal, error) {
	page, err := c.GateWithdrawalPage(ctx, gate, subject, "", 0)
	if err != nil {
		return nil, err
	}
	return page.Withdrawals, nil
}

// GateWithdrawalPage lists one page of a gate's withdrawals, newest first,
// for a subject when set, after cursor; limit 0 is the server's default.
func (c *Client) GateWithdrawalPage(ctx context.Context, gate, subject, cursor string, limit int) (*WithdrawalList, error) {
	out := &WithdrawalList{}
	return out, c.read(ctx, pageQuery("/v1/gates/"+url.PathEscape(gate)+"/withdrawals",
		"subject", subject, "cursor", cursor, "limit", strconv.Itoa(limit)), out)
}

// WaiveGateRule excuses one rule for one subject until expires.
func (c *Client) WaiveGateRule(ctx context.Context, gate, rule, subject, reason string, expires time.Time) (*Waiver, error) {
	w := &Waiver{}
	_, err := c.do(ctx, http.MethodPost, "/v1/gates/"+url.PathEscape(gate)+"/waivers", wire.WaiverRequest{
		Rule: rule, Subject: subject, Reason: reason, ExpiresAt: expires.UTC().Format(time.RFC3339),
	}, w)
	return w, err
}
