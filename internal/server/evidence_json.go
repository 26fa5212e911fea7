package server

import (
	"encoding/json"
	"time"

	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/report"
	"github.com/aeso-dev/aeso/wire"
)

// The evidence API's shapes, converted from and to the domain in one place.

func bundleJSON(b *evidence.Bundle) wire.Bundle {
	labels := b.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	return wire.Bundle{
		ID: b.ID, Kind: b.Kind, Subject: wire.Subject(b.Subject), Title: b.Title, Labels: labels,
		CorrelationID: b.CorrelationID, Owner: b.Owner, State: b.DisplayState(), CreatedAt: b.CreatedAt,
		CreatedBy: b.CreatedBy, SealedAt: b.SealedAt, SealedBy: b.SealedBy, Digest: b.Digest,
		DigestVersion: b.DigestVersion(), Supersedes: b.Supersedes, SupersedeReason: b.SupersedeReason, SupersededBy: b.SupersededBy,
	}
}

func itemJSON(it *evidence.Item, now time.Time) wire.Item {
	links, paths := each(it.Links, linkJSON), it.RedactedPaths
	if links == nil {
		links = []wire.Link{}
	}
	if paths == nil {
		paths = []string{}
	}
	md := it.Metadata
	if len(md) == 0 {
		md = json.RawMessage("{}")
	}
	return wire.Item{
		ID: it.ID, BundleID: it.BundleID, Position: it.Position, Type: it.Type, Name: it.Name,
		Result: it.Result, Counts: wire.Counts(it.Counts), Summary: it.Summary, Links: links, Source: wire.Source(it.Source),
		ObservedAt: it.ObservedAt, ExpiresAt: it.ExpiresAt, Stale: it.Stale(now),
		CorrelationID: it.CorrelationID, Metadata: md, RedactedPaths: paths, Report: reportJSON(it.Report),
		CreatedAt: it.CreatedAt, CreatedBy: it.CreatedBy,
	}
}

func linkJSON(l evidence.Link) wire.Link { return wire.Link(l) }

func reportJSON(r *report.Summary) *wire.ReportSummary {
	if r == nil {
		return nil
	}
	return &wire.ReportSummary{Format: r.Format, Tool: r.Tool, Result: r.Result, Counts: wire.Counts(r.Counts),
		DurationMS: r.DurationMS, Truncated: r.Truncated, SHA256: r.SHA256, Size: r.Size,
		Failures: each(r.Failures, func(f report.Failure) wire.ReportFailure { return wire.ReportFailure(f) })}
}

func promotionJSON(p *evidence.Promotion) wire.Promotion {
	return wire.Promotion{ID: p.ID, BundleID: p.BundleID, Stage: p.Stage, Reason: p.Reason,
		Digest: p.Digest, PromotedAt: p.PromotedAt, PromotedBy: p.PromotedBy}
}

func viewJSON(v *evidence.View) wire.BundleView {
	out := wire.BundleView{
		Bundle: bundleJSON(v.Bundle), Stale: v.Stale(), Stages: []string{},
		Items: make([]wire.Item, len(v.Items)), Promotions: make([]wire.Promotion, len(v.Promotions)),
		Chain: make([]wire.ChainLink, len(v.Chain)),
	}
	for i, it := range v.Items {
		out.Items[i] = itemJSON(it, v.Now)
	}
	for i, p := range v.Promotions {
		out.Promotions[i] = promotionJSON(p)
		out.Stages = append(out.Stages, p.Stage)
	}
	for i, b := range v.Chain {
		out.Chain[i] = wire.ChainLink{ID: b.ID, State: b.DisplayState(), Title: b.Title, Digest: b.Digest,
			SealedAt: b.SealedAt, SupersedeReason: b.SupersedeReason}
	}
	return out
}

func bundleRequest(r wire.BundleRequest) evidence.BundleRequest {
	return evidence.BundleRequest{Kind: r.Kind, Subject: evidence.Subject(r.Subject), Title: r.Title, Labels: r.Labels,
		CorrelationID: r.CorrelationID, Owner: r.Owner}
}

func itemRequest(r wire.ItemRequest) evidence.ItemRequest {
	return evidence.ItemRequest{Type: r.Type, Name: r.Name, Result: r.Result, Counts: report.Counts(r.Counts),
		Summary: r.Summary, Links: each(r.Links, func(l wire.Link) evidence.Link { return evidence.Link(l) }),
		Source: evidence.Source(r.Source), ObservedAt: r.ObservedAt, ExpiresAt: r.ExpiresAt,
		CorrelationID: r.CorrelationID, Metadata: r.Metadata}
}
