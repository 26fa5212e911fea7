package wire

import (
	"encoding/json"
	"time"
)

// Subject is what a bundle is evidence about: a name and a ref (a version,
// a commit, an environment).
type Subject struct {
	Name string `json:"name"`
	Ref  string `json:"ref"`
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

// Bundle is a bundle's read model.
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
	DigestVersion   string `json:"digest_version,omitempty"`
	Supersedes      string `json:"supersedes,omitempty"`
	SupersedeReason string `json:"supersede_reason,omitempty"`
	SupersededBy    string `json:"superseded_by,omitempty"`
}

// BundleView is a bundle read by id or as the latest: the bundle with its
// items, promotions and supersession chain.
type BundleView struct {
	Bundle
	Stale      bool        `json:"stale"`
	Stages     []string    `json:"stages"`
	Items      []Item      `json:"items"`
	Promotions []Promotion `json:"promotions"`
	Chain      []ChainLink `json:"chain"`
}

// BundlePage is one page of bundles, newest first; NextCursor is null on
// the last page.
type BundlePage struct {
	Bundles    []Bundle `json:"bundles"`
	NextCursor *string  `json:"next_cursor"`
}

// Counts are an item's results. The SARIF-only counts are absent when 0.
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

// ReportSummary is what the server kept of an uploaded report; the report
// itself is dropped.
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

// PromoteRequest promotes a sealed bundle to a stage.
type PromoteRequest struct {
	Stage  string `json:"stage"`
	Reason string `json:"reason"`
}

// Promotion records a sealed bundle reaching a stage.
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

// SupersedeRequest corrects a sealed bundle with a new one; fields left
// out are taken from the bundle superseded.
type SupersedeRequest struct {
	Reason        string            `json:"reason"`
	Title         string            `json:"title,omitempty"`
	Labels        map[string]string `json:"labels,omitempty"`
	CorrelationID string            `json:"correlation_id,omitempty"`
	Owner         string            `json:"owner,omitempty"`
}
