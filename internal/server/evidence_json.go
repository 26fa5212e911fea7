package server

import (
	"encoding/json"
	"time"

	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/report"
)

// BundleJSON is a bundle's read model.
type BundleJSON struct {
	ID              string            `json:"id"`
	Kind            string            `json:"kind"`
	Subject         evidence.Subject  `json:"subject"`
	Title           string            `json:"title"`
	Labels          map[string]string `json:"labels"`
	CorrelationID   string            `json:"correlation_id,omitempty"`
	Owner           string            `json:"owner,omitempty"`
	State           string            `json:"state"`
	CreatedAt       time.Time         `json:"created_at"`
	CreatedBy       string            `json:"created_by"`
	SealedAt        *time.Time        `json:"sealed_at,omitempty"`
	SealedBy        string            `json:"sealed_by,omitempty"`
	Digest          string            `json:"digest,omitempty"`
	DigestVersion   string            `json:"digest_version,omitempty"`
	Supersedes      string            `json:"supersedes,omitempty"`
	SupersedeReason string            `json:"supersede_reason,omitempty"`
	SupersededBy    string            `json:"superseded_by,omitempty"`
}

// BundleViewJSON is a bundle with its items, promotions and chain.
type BundleViewJSON struct {
	BundleJSON
	Stale      bool            `json:"stale"`
	Stages     []string        `json:"stages"`
	Items      []ItemJSON      `json:"items"`
	Promotions []PromotionJSON `json:"promotions"`
	Chain      []ChainLinkJSON `json:"chain"`
}

// ItemJSON is an item's read model.
type ItemJSON struct {
	ID            string          `json:"id"`
	BundleID      string          `json:"bundle_id"`
	Position      int             `json:"position"`
	Type          string          `json:"type"`
	Name          string          `json:"name"`
	Result        string          `json:"result"`
	Counts        report.Counts   `json:"counts"`
	Summary       string          `json:"summary,omitempty"`
	Links         []evidence.Link `json:"links"`
	Source        evidence.Source `json:"source"`
	ObservedAt    time.Time       `json:"observed_at"`
	ExpiresAt     *time.Time      `json:"expires_at,omitempty"`
	Stale         bool            `json:"stale"`
	CorrelationID string          `json:"correlation_id,omitempty"`
	Metadata      json.RawMessage `json:"metadata"`
	RedactedPaths []string        `json:"redacted_paths"`
	Report        *report.Summary `json:"report,omitempty"`
	CreatedAt     time.Time       `json:"created_at"`
	CreatedBy     string          `json:"created_by"`
}

// PromotionJSON is a promotion's read model.
type PromotionJSON struct {
	ID         string    `json:"id"`
	BundleID   string    `json:"bundle_id"`
	Stage      string    `json:"stage"`
	Reason     string    `json:"reason"`
	Digest     string    `json:"digest"`
	PromotedAt time.Time `json:"promoted_at"`
	PromotedBy string    `json:"promoted_by"`
}

// ChainLinkJSON is one bundle of a supersession chain, oldest first.
type ChainLinkJSON struct {
	ID              string     `json:"id"`
	State           string     `json:"state"`
	Title           string     `json:"title"`
	Digest          string     `json:"digest,omitempty"`
	SealedAt        *time.Time `json:"sealed_at,omitempty"`
	SupersedeReason string     `json:"supersede_reason,omitempty"`
}

func bundleJSON(b *evidence.Bundle) BundleJSON {
	labels := b.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	return BundleJSON{
		ID: b.ID, Kind: b.Kind, Subject: b.Subject, Title: b.Title, Labels: labels,
		CorrelationID: b.CorrelationID, Owner: b.Owner, State: b.DisplayState(), CreatedAt: b.CreatedAt,
		CreatedBy: b.CreatedBy, SealedAt: b.SealedAt, SealedBy: b.SealedBy, Digest: b.Digest,
		DigestVersion: b.DigestVersion(), Supersedes: b.Supersedes, SupersedeReason: b.SupersedeReason, SupersededBy: b.SupersededBy,
	}
}

func itemJSON(it *evidence.Item, now time.Time) ItemJSON {
	links, paths := it.Links, it.RedactedPaths
	if links == nil {
		links = []evidence.Link{}
	}
	if paths == nil {
		paths = []string{}
	}
	md := it.Metadata
	if len(md) == 0 {
		md = json.RawMessage("{}")
	}
	return ItemJSON{
		ID: it.ID, BundleID: it.BundleID, Position: it.Position, Type: it.Type, Name: it.Name,
		Result: it.Result, Counts: it.Counts, Summary: it.Summary, Links: links, Source: it.Source,
		ObservedAt: it.ObservedAt, ExpiresAt: it.ExpiresAt, Stale: it.Stale(now),
		CorrelationID: it.CorrelationID, Metadata: md, RedactedPaths: paths, Report: it.Report,
		CreatedAt: it.CreatedAt, CreatedBy: it.CreatedBy,
	}
}

func promotionJSON(p *evidence.Promotion) PromotionJSON {
	return PromotionJSON{ID: p.ID, BundleID: p.BundleID, Stage: p.Stage, Reason: p.Reason,
		Digest: p.Digest, PromotedAt: p.PromotedAt, PromotedBy: p.PromotedBy}
}

func viewJSON(v *evidence.View) BundleViewJSON {
	out := BundleViewJSON{
		BundleJSON: bundleJSON(v.Bundle), Stale: v.Stale(), Stages: []string{},
		Items: make([]ItemJSON, len(v.Items)), Promotions: make([]PromotionJSON, len(v.Promotions)),
		Chain: make([]ChainLinkJSON, len(v.Chain)),
	}
	for i, it := range v.Items {
		out.Items[i] = itemJSON(it, v.Now)
	}
	for i, p := range v.Promotions {
		out.Promotions[i] = promotionJSON(p)
		out.Stages = append(out.Stages, p.Stage)
	}
	for i, b := range v.Chain {
		out.Chain[i] = ChainLinkJSON{ID: b.ID, State: b.DisplayState(), Title: b.Title, Digest: b.Digest,
			SealedAt: b.SealedAt, SupersedeReason: b.SupersedeReason}
	}
	return out
}
