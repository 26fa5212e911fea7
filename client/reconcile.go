package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/aeso-dev/aeso/wire"
)

type (
	// Reconciliation is a record of detected drift or a failed invariant
	// and where its repair stands.
	Reconciliation = wire.Reconciliation
	// ReconciliationEvidence is what a record carries of the drift.
	ReconciliationEvidence = wire.ReconciliationEvidence
	// Transition is one step of a record's timeline.
	Transition = wire.Transition
	// ReconciliationRequest opens a record.
	ReconciliationRequest = wire.ReconciliationRequest
	// ReconciliationEvidenceRequest is what shows the drift, in a bounded
	// summary.
	ReconciliationEvidenceRequest = wire.ReconciliationEvidenceRequest
	// TransitionRequest moves a record to another state.
	TransitionRequest = wire.TransitionRequest
)

// ReconciliationQuery filters a list of records.
type ReconciliationQuery struct {
	Component, InvariantID, Owner, Severity string
	Open                                    bool
	Limit                                   int
	Cursor                                  string // the next_cursor of the previous page
}

// ReconciliationList is one page of records.
type ReconciliationList = wire.ReconciliationList

// Reconciliations lists one page of records, newest first.
func (c *Client) Reconciliations(ctx context.Context, q ReconciliationQuery) ([]Reconciliation, error) {
	page, err := c.ReconciliationPage(ctx, q)
	if err != nil {
		return nil, err
	}
	return page.Records, nil
}

// ReconciliationPage lists one page of records, newest first, with the
// cursor of the next page.
func (c *Client) ReconciliationPage(ctx context.Context, q ReconciliationQuery) (*ReconciliationList, error) {
	out := &ReconciliationList{}
	open := ""
	if q.Open {
		open = "true"
	}
	err := c.read(ctx, pageQuery("/v1/reconciliations", "component", q.Component, "invariant_id", q.InvariantID,
		"owner", q.Owner, "severity", q.Severity, "open", open, "limit", strconv.Itoa(q.Limit), "cursor", q.Cursor), out)
	return out, err
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
