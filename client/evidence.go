package client

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Subject is what a bundle is evidence about.
type Subject struct {
	Name string `json:"name"`
	Ref  string `json:"ref"`
}

// Bundle is an evidence bundle; Items, Promotions, Chain and Stages are set
// when it was read by id or as the latest.
type Bundle struct {
	ID            string            `json:"id"`
	Kind          string            `json:"kind"`
	Subject       Subject           `json:"subject"`
	Title         string            `json:"title"`
	Labels        map[string]string `json:"labels"`
	CorrelationID string            `json:"correlation_id,omitempty"`
	Owner         string            `json:"owner,omitempty"`
	State         string            `json:"state"`
	CreatedAt     time.Time         `json:"created_at"`
	CreatedBy     string            `json:"created_by"`
	SealedAt      *time.Time        `json:"sealed_at,omitempty"`
	SealedBy      string            `json:"sealed_by,omitempty"`
	Digest        string            `json:"digest,omitempty"`
	// DigestVersion is the encoding the digest covers: aeso-evidence-v2
	// (RFC 8785 canonical JSON), or aeso-evidence-v1 for bundles sealed
	// before it.
	DigestVersion   string      `json:"digest_version,omitempty"`
	Supersedes      string      `json:"supersedes,omitempty"`
	SupersedeReason string      `json:"supersede_reason,omitempty"`
	SupersededBy    string      `json:"superseded_by,omitempty"`
	Stale           bool        `json:"stale,omitempty"`
	Stages          []string    `json:"stages,omitempty"`
	Items           []Item      `json:"items,omitempty"`
	Promotions      []Promotion `json:"promotions,omitempty"`
	Chain           []ChainLink `json:"chain,omitempty"`
}

// Counts of an item's results.
type Counts struct {
	Total    int `json:"total"`
	Passed   int `json:"passed"`
	Failed   int `json:"failed"`
	Errored  int `json:"errored"`
	Skipped  int `json:"skipped"`
	Warnings int `json:"warnings"`
	// SARIF only: results of level note and none, suppressed results, and
	// results dropped because they repeated one already counted.
	Notes      int `json:"notes,omitempty"`
	None       int `json:"none,omitempty"`
	Suppressed int `json:"suppressed,omitempty"`
	Duplicates int `json:"duplicates,omitempty"`
}

// Link pins an artifact kept elsewhere by its digest.
type Link struct {
	URL    string `json:"url"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Name   string `json:"name,omitempty"`
}

// Source says where an item came from.
type Source struct {
	URL    string `json:"url,omitempty"`
	Runner string `json:"runner,omitempty"`
}

// ReportFailure is one failure listed in a report summary.
type ReportFailure struct {
	Name     string `json:"name"`
	Location string `json:"location,omitempty"`
	Message  string `json:"message,omitempty"`
}

// ReportSummary is what the server kept of an uploaded report.
type ReportSummary struct {
	Format     string          `json:"format"`
	Tool       string          `json:"tool,omitempty"`
	Result     string          `json:"result"`
	Counts     Counts          `json:"counts"`
	DurationMS int64           `json:"duration_ms"`
	Failures   []ReportFailure `json:"failures"`
	Truncated  bool            `json:"failures_truncated"`
	SHA256     string          `json:"sha256"`
	Size       int64           `json:"size"`
}

// Item is one result within a bundle.
type Item struct {
	ID            string          `json:"id"`
	BundleID      string          `json:"bundle_id"`
	Position      int             `json:"position"`
	Type          string          `json:"type"`
	Name          string          `json:"name"`
	Result        string          `json:"result"`
	Counts        Counts          `json:"counts"`
	Summary       string          `json:"summary,omitempty"`
	Links         []Link          `json:"links"`
	Source        Source          `json:"source"`
	ObservedAt    time.Time       `json:"observed_at"`
	ExpiresAt     *time.Time      `json:"expires_at,omitempty"`
	Stale         bool            `json:"stale"`
	CorrelationID string          `json:"correlation_id,omitempty"`
	Metadata      json.RawMessage `json:"metadata"`
	RedactedPaths []string        `json:"redacted_paths"`
	Report        *ReportSummary  `json:"report,omitempty"`
	CreatedAt     time.Time       `json:"created_at"`
	CreatedBy     string          `json:"created_by"`
}

// Promotion records a bundle reaching a stage.
type Promotion struct {
	ID         string    `json:"id"`
	BundleID   string    `json:"bundle_id"`
	Stage      string    `json:"stage"`
	Reason     string    `json:"reason"`
	Digest     string    `json:"digest"`
	PromotedAt time.Time `json:"promoted_at"`
	PromotedBy string    `json:"promoted_by"`
}

// ChainLink is one bundle of a supersession chain, oldest first.
type ChainLink struct {
	ID              string     `json:"id"`
	State           string     `json:"state"`
	Title           string     `json:"title"`
	Digest          string     `json:"digest,omitempty"`
	SealedAt        *time.Time `json:"sealed_at,omitempty"`
	SupersedeReason string     `json:"supersede_reason,omitempty"`
}

// BundleRequest opens a bundle.
type BundleRequest struct {
	Kind          string            `json:"kind"`
	Subject       Subject           `json:"subject"`
	Title         string            `json:"title"`
	Labels        map[string]string `json:"labels,omitempty"`
	CorrelationID string            `json:"correlation_id,omitempty"`
	Owner         string            `json:"owner,omitempty"`
}

// ItemRequest adds a result to an open bundle.
type ItemRequest struct {
	Type          string          `json:"type"`
	Name          string          `json:"name"`
	Result        string          `json:"result"`
	Counts        Counts          `json:"counts"`
	Summary       string          `json:"summary,omitempty"`
	Links         []Link          `json:"links,omitempty"`
	Source        Source          `json:"source"`
	ObservedAt    string          `json:"observed_at,omitempty"`
	ExpiresAt     string          `json:"expires_at,omitempty"`
	CorrelationID string          `json:"correlation_id,omitempty"`
	Metadata      json.RawMessage `json:"metadata,omitempty"`
}

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

// BundlePage is one page of bundles, newest first.
type BundlePage struct {
	Bundles    []Bundle `json:"bundles"`
	NextCursor *string  `json:"next_cursor"`
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
	status, err := c.doJSON(ctx, http.MethodPost, bundlePath(id, "/promote"), map[string]string{"stage": stage, "reason": reason}, true, p)
	return p, status == http.StatusCreated, err
}

// SupersedeRequest corrects a sealed bundle with a new one.
type SupersedeRequest struct {
	Reason        string            `json:"reason"`
	Title         string            `json:"title,omitempty"`
	Labels        map[string]string `json:"labels,omitempty"`
	CorrelationID string            `json:"correlation_id,omitempty"`
	Owner         string            `json:"owner,omitempty"`
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
