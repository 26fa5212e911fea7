package client

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/aeso-dev/aeso/wire"
)

type (
	// Subject is what a bundle is evidence about.
	Subject = wire.Subject
	// Bundle is an evidence bundle; Items, Promotions, Chain, Stages and
	// Stale are set when it was read by id or as the latest.
	Bundle = wire.BundleView
	// Counts of an item's results.
	Counts = wire.Counts
	// Link pins an artifact kept elsewhere by its digest.
	Link = wire.Link
	// Source says where an item came from.
	Source = wire.Source
	// ReportFailure is one failure listed in a report summary.
	ReportFailure = wire.ReportFailure
	// ReportSummary is what the server kept of an uploaded report.
	ReportSummary = wire.ReportSummary
	// Item is one result within a bundle.
	Item = wire.Item
	// Promotion records a bundle reaching a stage.
	Promotion = wire.Promotion
	// ChainLink is one bundle of a supersession chain, oldest first.
	ChainLink = wire.ChainLink
	// BundleRequest opens a bundle.
	BundleRequest = wire.BundleRequest
	// ItemRequest adds a result to an open bundle.
	ItemRequest = wire.ItemRequest
	// SupersedeRequest corrects a sealed bundle with a new one.
	SupersedeRequest = wire.SupersedeRequest
	// BundlePage is one page of bundles, newest first.
	BundlePage = wire.BundlePage
)

// ReportOptions describe an uploaded report's item.
type ReportOptions struct {
	Format        string // junit, sarif or gotest
	Name          string
	Type          string // default test_report (scan for sarif)
	SourceURL     string
	Runner        string
	CorrelationID string
	ExpiresAt     string
}

// BundleQuery filters a bundle listing.
type BundleQuery struct {
	Kind, Subject, Ref, State, Stage string
	Labels                           map[string]string
	Since, Until                     time.Time
	Limit                            int
	Cursor                           string
}

// CreateBundle opens a bundle.
func (c *Client) CreateBundle(ctx context.Context, req BundleRequest) (*Bundle, error) {
	b := &Bundle{}
	_, err := c.do(ctx, http.MethodPost, "/v1/evidence/bundles", req, b)
	return b, err
}

func bundlePath(id, rest string) string { return "/v1/evidence/bundles/" + url.PathEscape(id) + rest }

// AddItem adds a result to an open bundle.
func (c *Client) AddItem(ctx context.Context, bundleID string, req ItemRequest) (*Item, error) {
	it := &Item{}
	_, err := c.do(ctx, http.MethodPost, bundlePath(bundleID, "/items"), req, it)
	return it, err
}

// AddReport uploads a report (at most 10 MiB) as one item; body is read
// once, so a caller can wrap it to show progress.
func (c *Client) AddReport(ctx context.Context, bundleID string, o ReportOptions, body io.Reader, size int64) (*Item, error) {
	q := url.Values{"format": {o.Format}}
	for k, v := range map[string]string{"name": o.Name, "type": o.Type, "source_url": o.SourceURL,
		"runner": o.Runner, "correlation_id": o.CorrelationID, "expires_at": o.ExpiresAt} {
		if v != "" {
			q.Set(k, v)
		}
	}
	it := &Item{}
	// Sent once, never retried: the body is a stream read once.
	_, err := c.doRaw(ctx, http.MethodPost, bundlePath(bundleID, "/reports?"+q.Encode()), body, size, it)
	return it, c.unreachable(err)
}

// SealBundle seals an open bundle.
func (c *Client) SealBundle(ctx context.Context, id string) (*Bundle, error) {
	b := &Bundle{}
	_, err := c.do(ctx, http.MethodPost, bundlePath(id, "/seal"), nil, b)
	return b, err
}

// PromoteBundle promotes a sealed bundle to stage; created is false when it
// already held the stage.
func (c *Client) PromoteBundle(ctx context.Context, id, stage, reason string) (p *Promotion, created bool, err error) {
	p = &Promotion{}
	// Promoting to a stage twice answers the first promotion: safe to retry.
	status, err := c.doJSON(ctx, http.MethodPost, bundlePath(id, "/promote"), wire.PromoteRequest{Stage: stage, Reason: reason}, true, p)
	return p, status == http.StatusCreated, err
}

// SupersedeBundle opens a new bundle that supersedes a sealed one.
func (c *Client) SupersedeBundle(ctx context.Context, id string, req SupersedeRequest) (*Bundle, error) {
	b := &Bundle{}
	_, err := c.do(ctx, http.MethodPost, bundlePath(id, "/supersede"), req, b)
	return b, err
}

// GetBundle reads a bundle with its items, promotions and chain; maxAge,
// when positive, marks it stale past that age.
func (c *Client) GetBundle(ctx context.Context, id string, maxAge time.Duration) (*Bundle, error) {
	path := bundlePath(id, "")
	if maxAge > 0 {
		path += "?max_age=" + url.QueryEscape(maxAge.String())
	}
	b := &Bundle{}
	_, err := c.do(ctx, http.MethodGet, path, nil, b)
	return b, err
}

// LatestBundle returns the newest sealed, unsuperseded bundle of kind for a
// subject (and ref), promoted to stage when stage is set.
func (c *Client) LatestBundle(ctx context.Context, kind, subject, ref, stage string, maxAge time.Duration) (*Bundle, error) {
	q := url.Values{"kind": {kind}, "subject": {subject}}
	if ref != "" {
		q.Set("ref", ref)
	}
	if stage != "" {
		q.Set("stage", stage)
	}
	if maxAge > 0 {
		q.Set("max_age", maxAge.String())
	}
	b := &Bundle{}
	_, err := c.do(ctx, http.MethodGet, "/v1/evidence/bundles/latest?"+q.Encode(), nil, b)
	return b, err
}

// ListBundles returns one page of bundles.
func (c *Client) ListBundles(ctx context.Context, o BundleQuery) (*BundlePage, error) {
	q := url.Values{}
	for k, v := range map[string]string{"kind": o.Kind, "subject": o.Subject, "ref": o.Ref,
		"state": o.State, "stage": o.Stage, "cursor": o.Cursor} {
		if v != "" {
			q.Set(k, v)
		}
	}
	for k, v := range o.Labels {
		q.Add("label", k+"="+v)
	}
	if !o.Since.IsZero() {
		q.Set("since", o.Since.Format(time.RFC3339Nano))
	}
	if !o.Until.IsZero() {
		q.Set("until", o.Until.Format(time.RFC3339Nano))
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	page := &BundlePage{}
	_, err := c.do(ctx, http.MethodGet, "/v1/evidence/bundles?"+q.Encode(), nil, page)
	return page, err
}

// ExportBundle returns the export document of a sealed bundle, as bytes to
// write to a file and check with evidence.Verify or `aeso evidence verify`.
func (c *Client) ExportBundle(ctx context.Context, id string) ([]byte, error) {
	var raw json.RawMessage
	_, err := c.do(ctx, http.MethodGet, bundlePath(id, "/export"), nil, &raw)
	return raw, err
}

// GetItem returns one item.
func (c *Client) GetItem(ctx context.Context, id string) (*Item, error) {
	it := &Item{}
	_, err := c.do(ctx, http.MethodGet, "/v1/evidence/items/"+url.PathEscape(id), nil, it)
	return it, err
}
