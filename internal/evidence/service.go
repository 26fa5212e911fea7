package evidence

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/invariant"
	"github.com/aeso-dev/aeso/internal/redact"
	"github.com/aeso-dev/aeso/internal/report"
)

// Store is what evidence needs from storage. Mutations take a callback
// that runs inside the store's transaction with the bundle row locked, so
// the rules stay here while "check, then change" stays atomic: an item
// cannot slip into a bundle between its seal's check and its digest.
type Store interface {
	CreateBundle(ctx context.Context, b *Bundle) error
	// AddItem locks the bundle, calls add with it and its item count, and
	// stores the item add returns and, when add returns one, the invariant
	// result the item carries, in one transaction.
	AddItem(ctx context.Context, bundleID string, add func(b *Bundle, count int) (*Item, *invariant.Result, error)) (*Item, error)
	// SealBundle locks the bundle, calls seal with it and its items (which
	// sets the seal fields), stores the bundle and the audit event.
	SealBundle(ctx context.Context, id string, seal func(b *Bundle, items []*Item) (*audit.Event, error)) (*Bundle, error)
	// PromoteBundle locks the bundle; promote returns a new promotion and
	// its audit event, or (nil, nil, nil) when the stage is already held.
	PromoteBundle(ctx context.Context, id string, promote func(b *Bundle, held []*Promotion) (*Promotion, *audit.Event, error)) error
	// SupersedeBundle locks the old bundle; build returns the new bundle and
	// the audit event; the store links both ways.
	SupersedeBundle(ctx context.Context, oldID string, build func(old *Bundle) (*Bundle, *audit.Event, error)) (*Bundle, error)

	GetBundle(ctx context.Context, id string) (*Bundle, error)
	BundleItems(ctx context.Context, id string) ([]*Item, error)
	BundlePromotions(ctx context.Context, id string) ([]*Promotion, error)
	GetItem(ctx context.Context, id string) (*Item, error)
	ListBundles(ctx context.Context, f Filter) ([]*Bundle, error)
	// LatestBundle returns the most recently sealed bundle of kind for the
	// subject name (and ref, when set), promoted to stage when stage is set,
	// superseded or not; not_found when there is none.
	LatestBundle(ctx context.Context, kind, subject, ref, stage string) (*Bundle, error)
	// StandingBundle returns the newest sealed bundle of a kind (promoted to
	// stage, when set) that no correction supersedes, or nil.
	StandingBundle(ctx context.Context, kind, stage string) (*Bundle, error)
}

// Service runs the evidence lifecycle.
type Service struct {
	Store Store
	Audit *audit.Service
	// Invariants checks and builds the invariant result that an item of
	// type invariant_result carries.
	Invariants *invariant.Service
	Now        func() time.Time
	NewID      func() string
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// Create opens a new bundle.
func (s *Service) Create(ctx context.Context, o audit.Origin, req BundleRequest) (*Bundle, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	b := &Bundle{
		ID: s.NewID(), Kind: req.Kind, Subject: req.Subject, Title: req.Title, Labels: req.Labels,
		CorrelationID: req.CorrelationID, Owner: req.Owner, State: StateOpen,
		CreatedAt: s.now(), CreatedBy: o.Source,
	}
	if err := s.Store.CreateBundle(ctx, b); err != nil {
		return nil, err
	}
	return b, nil
}

// ErrSealed is the answer to any change of a sealed bundle.
func errSealed(b *Bundle) error {
	return aeso.Reasonf(aeso.ECONFLICT, "bundle_sealed", "bundle %s is sealed (%s); correct it by superseding it", b.ID, b.Digest)
}

// MaxItems bounds the items of one bundle, so a bundle, its export and
// every gate that judges it stay a bounded read.
const MaxItems = 1000

// TypeInvariantResult is the item type that is also an invariant result.
const TypeInvariantResult = "invariant_result"

// TypeTestReport is the item type of a test run's results.
const TypeTestReport = "test_report"

// AddItem adds a result to an open bundle. An invariant_result item is also
// an invariant result: its link is checked before anything is written, and
// the item and the result are stored together or not at all.
func (s *Service) AddItem(ctx context.Context, o audit.Origin, bundleID string, req ItemRequest) (*Item, error) {
	var link *invariant.ItemLink
	if req.Type == TypeInvariantResult {
		if s.Invariants == nil {
			return nil, aeso.Errorf(aeso.EINTERNAL, "invariant results are not wired to evidence")
		}
		var err error
		if link, err = s.Invariants.CheckItemLink(ctx, req.Metadata, req.Result); err != nil {
			return nil, err
		}
	}
	return s.addItem(ctx, o, bundleID, req, nil, link)
}

// RequireOpen answers bundle_sealed (or not_found) before a caller reads a
// large upload for a bundle that cannot take it. AddItem checks again under
// the bundle's lock, so this is an early answer, not the guarantee.
func (s *Service) RequireOpen(ctx context.Context, id string) error {
	b, err := s.Store.GetBundle(ctx, id)
	if err != nil {
		return err
	}
	if b.State != StateOpen {
		return errSealed(b)
	}
	return nil
}

// AddReport adds an item summarising an uploaded report. req carries the
// item's type, name and optional fields; result and counts come from the
// report.
func (s *Service) AddReport(ctx context.Context, o audit.Origin, bundleID string, req ItemRequest, sum *report.Summary) (*Item, error) {
	if req.Type == TypeInvariantResult {
		// An upload has no metadata to name the invariant; an item of this
		// type that is not also an invariant result would contradict itself.
		var v aeso.Validation
		v.Add("type", "not_a_report", "an invariant_result item names its invariant in metadata; add it as an item, not as an uploaded report")
		return nil, v.Err()
	}
	req.Result, req.Counts = sum.Result, sum.Counts
	if req.Summary == "" {
		req.Summary = describe(sum)
	}
	return s.addItem(ctx, o, bundleID, req, sum, nil)
}

func describe(sum *report.Summary) string {
	c := sum.Counts
	d := time.Duration(sum.DurationMS) * time.Millisecond
	if sum.Format == report.FormatSARIF {
		text := fmt.Sprintf("%s: %d findings (%d errors, %d warnings, %d notes, %d none, %d suppressed)",
			orTool(sum), c.Total, c.Failed, c.Warnings, c.Notes, c.None, c.Suppressed)
		if c.Errored > 0 {
			text += fmt.Sprintf("; %d runs did not finish", c.Errored)
		}
		return text
	}
	text := fmt.Sprintf("%s: %d tests, %d passed, %d failed, %d errored, %d skipped in %s",
		orTool(sum), c.Total, c.Passed, c.Failed, c.Errored, c.Skipped, d.Round(time.Millisecond))
	if sum.ProvesNothing() {
		text += "; the report lists no test, so it proves nothing"
	}
	return text
}

func orTool(sum *report.Summary) string {
	if sum.Tool != "" {
		return sum.Tool
	}
	return sum.Format
}

func (s *Service) addItem(ctx context.Context, o audit.Origin, bundleID string, req ItemRequest, sum *report.Summary, link *invariant.ItemLink) (*Item, error) {
	now := s.now()
	observed, expires, md, err := req.validate(now, sum)
	if err != nil {
		return nil, err
	}
	return s.Store.AddItem(ctx, bundleID, func(b *Bundle, count int) (*Item, *invariant.Result, error) {
		if b.State != StateOpen {
			return nil, nil, errSealed(b)
		}
		if count >= MaxItems {
			return nil, nil, aeso.Reasonf(aeso.ECONFLICT, "too_many_items",
				"bundle %s holds %d items, the most a bundle holds; put what is left in a bundle of its own, or summarise it in one item", b.ID, count)
		}
		it := &Item{
			ID: s.NewID(), BundleID: b.ID, Position: count + 1, Type: req.Type, Name: req.Name,
			Result: req.Result, Counts: req.Counts, Summary: req.Summary, Links: req.Links, Source: req.Source,
			ObservedAt: observed, ExpiresAt: expires, CorrelationID: req.CorrelationID,
			Metadata: md.JSON, RedactedPaths: md.Paths, Report: sum, CreatedAt: now, CreatedBy: o.Source,
		}
		if link == nil {
			return it, nil, nil
		}
		return it, s.Invariants.ItemResult(o, link, it.BundleID, it.ID, it.ObservedAt, it.ExpiresAt, it.CorrelationID), nil
	})
}

// bundleEvent is the audit record of a privileged evidence change.
func (s *Service) bundleEvent(o audit.Origin, action string, b *Bundle, details map[string]string) (*audit.Event, error) {
	md := map[string]string{"kind": b.Kind, "subject": b.Subject.Name, "ref": b.Subject.Ref}
	for k, v := range details {
		md[k] = v
	}
	raw, err := json.Marshal(md)
	if err != nil {
		return nil, err
	}
	return s.Audit.Prepare(o, audit.Input{
		ActorServiceAccountID: o.Source, Action: action, TargetType: "evidence_bundle", TargetID: b.ID,
		TargetDisplayName: b.Title, Result: audit.ResultSuccess, CorrelationID: b.CorrelationID,
		OccurredAt: s.now().Format(time.RFC3339Nano), Metadata: raw,
	})
}

// Seal freezes a bundle: its digest covers the bundle and every item.
// Sealing a sealed bundle is an error rather than a no-op, so a pipeline
// that seals twice learns the bundle was already final.
func (s *Service) Seal(ctx context.Context, o audit.Origin, id string) (*Bundle, error) {
	return s.Store.SealBundle(ctx, id, func(b *Bundle, items []*Item) (*audit.Event, error) {
		if b.State != StateOpen {
			return nil, errSealed(b)
		}
		digest, doc, err := Seal(b, items)
		var inexact *InexactNumberError
		if errors.As(err, &inexact) {
			// Only an item added before the check at ingest gets here.
			var v aeso.Validation
			v.Add(inexact.Path, redact.CodeNumberNotExact, "%s; the item was added before aeso refused such numbers: open a new bundle without it", inexactMessage)
			return nil, v.Err()
		}
		if err != nil {
			return nil, err
		}
		at := s.now()
		b.State, b.SealedAt, b.SealedBy, b.Digest, b.Document = StateSealed, &at, o.Source, digest, doc
		return s.bundleEvent(o, audit.ActionEvidenceSeal, b, map[string]string{
			"digest": digest, "digest_version": DigestVersion, "items": fmt.Sprint(len(items)),
		})
	})
}

// Promote records that a sealed bundle reached a stage. Promoting to a
// stage it already holds returns that promotion and created false.
func (s *Service) Promote(ctx context.Context, o audit.Origin, id string, req PromoteRequest) (*Promotion, bool, error) {
	if err := req.Validate(); err != nil {
		return nil, false, err
	}
	var result *Promotion
	created := false
	err := s.Store.PromoteBundle(ctx, id, func(b *Bundle, held []*Promotion) (*Promotion, *audit.Event, error) {
		if b.State != StateSealed {
			return nil, nil, aeso.Reasonf(aeso.ECONFLICT, "bundle_not_sealed", "bundle %s is open; seal it before promoting it", b.ID)
		}
		for _, p := range held {
			if p.Stage == req.Stage {
				result = p
				return nil, nil, nil
			}
		}
		if b.SupersededBy != "" {
			return nil, nil, aeso.Reasonf(aeso.ECONFLICT, "bundle_superseded", "bundle %s is superseded by %s; promote that one", b.ID, b.SupersededBy)
		}
		p := &Promotion{ID: s.NewID(), BundleID: b.ID, Stage: req.Stage, Reason: req.Reason,
			Digest: b.Digest, PromotedAt: s.now(), PromotedBy: o.Source}
		ev, err := s.bundleEvent(o, audit.ActionEvidencePromote, b, map[string]string{"stage": p.Stage, "digest": p.Digest,
			"digest_version": b.DigestVersion(), "reason": p.Reason})
		result, created = p, true
		return p, ev, err
	})
	if err != nil {
		return nil, false, err
	}
	return result, created, nil
}

// Supersede corrects a sealed bundle: a new open bundle names the old one
// and why; the old one stays readable and points at the new one. A bundle
// is superseded at most once, so the chain never forks.
func (s *Service) Supersede(ctx context.Context, o audit.Origin, oldID string, req SupersedeRequest) (*Bundle, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return s.Store.SupersedeBundle(ctx, oldID, func(old *Bundle) (*Bundle, *audit.Event, error) {
		switch {
		case old.State != StateSealed:
			return nil, nil, aeso.Reasonf(aeso.ECONFLICT, "bundle_not_sealed", "bundle %s is still open: add to it instead of superseding it", old.ID)
		case old.SupersededBy != "":
			return nil, nil, aeso.Reasonf(aeso.ECONFLICT, "already_superseded", "bundle %s is already superseded by %s; supersede that one", old.ID, old.SupersededBy)
		}
		b := &Bundle{
			ID: s.NewID(), Kind: old.Kind, Subject: old.Subject, Title: firstOf(req.Title, old.Title),
			Labels: req.Labels, CorrelationID: firstOf(req.CorrelationID, old.CorrelationID),
			Owner: firstOf(req.Owner, old.Owner), State: StateOpen, CreatedAt: s.now(), CreatedBy: o.Source,
			Supersedes: old.ID, SupersedeReason: req.Reason,
		}
		if b.Labels == nil {
			b.Labels = old.Labels
		}
		ev, err := s.bundleEvent(o, audit.ActionEvidenceSupersede, old, map[string]string{"superseded_by": b.ID, "reason": req.Reason,
			"digest": old.Digest, "digest_version": old.DigestVersion()})
		return b, ev, err
	})
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
