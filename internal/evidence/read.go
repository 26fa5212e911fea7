package evidence

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/paging"
)

// View is a bundle as read back: its items, promotions and the whole
// supersession chain, oldest first, with staleness computed at now.
type View struct {
	Bundle     *Bundle
	Items      []*Item
	Promotions []*Promotion
	Chain      []*Bundle
	Now        time.Time
	// MaxAge, when set, makes the bundle stale once it is older than that
	// (see Stale).
	MaxAge time.Duration
}

// Stale reports whether the bundle is older than the MaxAge asked for. A
// bundle is as old as what it proves, as a gate judges it: its age runs
// from its seal (or, while open, its creation), or from when its oldest
// proving item was observed where that is older, so proof gathered long
// ago is not made fresh by sealing it today.
func (v *View) Stale() bool {
	if v.MaxAge <= 0 {
		return false
	}
	at := v.Bundle.CreatedAt
	if v.Bundle.SealedAt != nil {
		at = *v.Bundle.SealedAt
	}
	for _, it := range v.Items {
		if it.Proves(v.Now) && it.ObservedAt.Before(at) {
			at = it.ObservedAt
		}
	}
	return v.Now.Sub(at) > v.MaxAge
}

// MaxChain bounds how far a supersession chain is followed.
const MaxChain = 100

// Get returns a bundle with everything a reader needs.
func (s *Service) Get(ctx context.Context, id string, maxAge time.Duration) (*View, error) {
	b, err := s.Store.GetBundle(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, b, maxAge)
}

func (s *Service) view(ctx context.Context, b *Bundle, maxAge time.Duration) (*View, error) {
	v := &View{Bundle: b, Now: s.Now(), MaxAge: maxAge}
	var err error
	if v.Items, err = s.Store.BundleItems(ctx, b.ID); err != nil {
		return nil, err
	}
	if v.Promotions, err = s.Store.BundlePromotions(ctx, b.ID); err != nil {
		return nil, err
	}
	v.Chain, err = s.chain(ctx, b)
	return v, err
}

// chain walks supersedes back to the first bundle and superseded_by forward
// to the newest, so the chain reads the same from either end.
func (s *Service) chain(ctx context.Context, b *Bundle) ([]*Bundle, error) {
	if b.Supersedes == "" && b.SupersededBy == "" {
		return []*Bundle{}, nil
	}
	var back []*Bundle
	for cur := b; cur.Supersedes != "" && len(back) < MaxChain; {
		prev, err := s.Store.GetBundle(ctx, cur.Supersedes)
		if err != nil {
			return nil, err
		}
		back = append(back, prev)
		cur = prev
	}
	out := make([]*Bundle, 0, len(back)+1)
	for i := len(back) - 1; i >= 0; i-- {
		out = append(out, back[i])
	}
	out = append(out, b)
	for cur := b; cur.SupersededBy != "" && len(out) < 2*MaxChain; {
		next, err := s.Store.GetBundle(ctx, cur.SupersededBy)
		if err != nil {
			return nil, err
		}
		out = append(out, next)
		cur = next
	}
	return out, nil
}

// Exists returns the bundle's id when the bundle (and the item, inside it)
// are stored, the item's bundle when only an item is named, and a
// not_found error otherwise.
func (s *Service) Exists(ctx context.Context, bundleID, itemID string) (string, error) {
	if itemID != "" {
		it, err := s.Store.GetItem(ctx, itemID)
		if err != nil {
			return "", err
		}
		if bundleID != "" && it.BundleID != bundleID {
			return "", aeso.Reasonf(aeso.ENOTFOUND, "item_not_found", "the item is not in that bundle")
		}
		return it.BundleID, nil
	}
	if _, err := s.Store.GetBundle(ctx, bundleID); err != nil {
		return "", err
	}
	return bundleID, nil
}

// GetItem returns one item.
func (s *Service) GetItem(ctx context.Context, id string) (*Item, error) {
	return s.Store.GetItem(ctx, id)
}

// Latest returns the newest sealed, unsuperseded bundle of kind for a
// subject, optionally promoted to stage: the question release gates ask.
func (s *Service) Latest(ctx context.Context, kind, subject, ref, stage string, maxAge time.Duration) (*View, error) {
	var v aeso.Validation
	oneOf(&v, "kind", kind, Kinds)
	if subject == "" {
		v.Add("subject", "required", "is required")
	}
	if stage != "" && !stagePattern.MatchString(stage) {
		v.Add("stage", "pattern", "must be a stage name such as production-ready")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	b, err := s.Store.LatestBundle(ctx, kind, subject, ref, stage)
	if err != nil {
		return nil, err
	}
	if b.SupersededBy != "" {
		// The newest matching evidence was corrected and its correction does
		// not match (yet): an older bundle is no answer while it is pending.
		// The subject is not repeated: it is free text from the query.
		return nil, aeso.Reasonf(aeso.ENOTFOUND, "no_bundle",
			"the newest matching %s bundle (%s) is superseded by %s, which is not sealed or not promoted yet", kind, b.ID, b.SupersededBy)
	}
	return s.view(ctx, b, maxAge)
}

// Items returns a bundle's items, in their order.
func (s *Service) Items(ctx context.Context, bundleID string) ([]*Item, error) {
	return s.Store.BundleItems(ctx, bundleID)
}

// Standing returns the newest sealed bundle of kind, for any subject and
// promoted to stage when set, that no correction supersedes, or nil: the
// evidence the posture weighs for a gate that requires it.
func (s *Service) Standing(ctx context.Context, kind, stage string) (*Bundle, error) {
	return s.Store.StandingBundle(ctx, kind, stage)
}

// Query is a listing request as the API receives it.
type Query struct {
	Kind, Subject, Ref, State, Stage string
	Labels                           []string // "key=value"
	Since, Until, Limit, Cursor      string
}

// Page is one page of bundles, newest first.
type Page struct {
	Bundles    []*Bundle
	NextCursor string
}

// List returns bundles matching q, newest first, with keyset paging on the
// time-ordered ids.
func (s *Service) List(ctx context.Context, q Query) (*Page, error) {
	var v aeso.Validation
	f := Filter{Kind: q.Kind, SubjectName: q.Subject, SubjectRef: q.Ref, State: q.State, Stage: q.Stage, Limit: 50}
	if q.Kind != "" {
		oneOf(&v, "kind", q.Kind, Kinds)
	}
	switch q.State {
	case "", StateOpen, StateSealed, StatePromoted:
	default:
		v.Add("state", "enum", "must be open, sealed (and not promoted) or promoted")
	}
	if q.Stage != "" && !stagePattern.MatchString(q.Stage) {
		v.Add("stage", "pattern", "must be a stage name such as production-ready")
	}
	for _, l := range q.Labels {
		k, val, ok := strings.Cut(l, "=")
		if !ok || !labelKeyPattern.MatchString(k) {
			v.Add("label", "format", "must be key=value")
			continue
		}
		if f.Labels == nil {
			f.Labels = map[string]string{}
		}
		f.Labels[k] = val
	}
	if q.Since != "" {
		f.Since = parseTime(&v, "since", q.Since)
	}
	if q.Until != "" {
		f.Until = parseTime(&v, "until", q.Until)
	}
	if q.Limit != "" {
		n, err := strconv.Atoi(q.Limit)
		if err != nil || n < 1 || n > 500 {
			v.Add("limit", "range", "must be an integer from 1 to 500")
		}
		f.Limit = n
	}
	f.BeforeID = paging.ID(&v, q.Cursor)
	if err := v.Err(); err != nil {
		return nil, err
	}
	bundles, next, err := paging.Read(f.Limit, func(n int) ([]*Bundle, error) {
		f.Limit = n
		return s.Store.ListBundles(ctx, f)
	}, func(b *Bundle) string { return paging.AfterID(b.ID) })
	if err != nil {
		return nil, err
	}
	return &Page{Bundles: bundles, NextCursor: next}, nil
}
