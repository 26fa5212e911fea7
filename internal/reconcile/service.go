package reconcile

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/aeso-dev/aeso/internal/paging"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/redact"
)

// Bounds of a record.
const (
	MaxPairs    = 20
	MaxLinks    = 20
	MaxSummary  = 2048
	MaxValue    = 512
	MaxAccepted = 90 * 24 * time.Hour
)

var (
	kindPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	hexPattern  = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// Store is what reconciliation needs from storage.
type Store interface {
	CreateReconciliation(ctx context.Context, r *Record, first *Transition, ev *audit.Event) error
	// TransitionReconciliation locks the record; step returns the
	// transition (already applied to the record) and its audit event.
	TransitionReconciliation(ctx context.Context, id string, step func(r *Record) (*Transition, *audit.Event, error)) (*Record, error)
	GetReconciliation(ctx context.Context, id string) (*Record, error)
	ReconciliationTimeline(ctx context.Context, id string) ([]*Transition, error)
	ListReconciliations(ctx context.Context, f Filter) ([]*Record, error)
	// OpenReconciliations returns up to limit unresolved records, the
	// weightiest first (blocked, then by severity, then newest), and the
	// count of all of them by severity.
	// OpenReconciliations returns at most limit open records, the
	// weightiest first (an acceptance unexpired at now weighs least), and
	// the count of every open record by severity.
	OpenReconciliations(ctx context.Context, limit int, now time.Time) ([]*Record, map[string]int, error)
}

// Filter selects records; zero values mean any. Open true lists only
// records not resolved.
type Filter struct {
	Component, InvariantID, Owner, Severity string
	Open                                    bool
	Limit                                   int
	Before                                  string // only records older than the one with this id
}

// Service records drift and walks it to resolution.
type Service struct {
	Store            Store
	Audit            *audit.Service
	Now              func() time.Time
	NewID            func() string
	KnownComponent   func(name string) bool
	KnownInvariantID func(ctx context.Context, id string) (bool, error) // an error (an outage) fails the request
}

// CreateRequest records detected drift or a failed invariant.
type CreateRequest struct {
	Component     string
	InvariantID   string
	Kind          string
	Severity      string
	Owner         string
	CorrelationID string
	Evidence      Evidence
}

// TransitionRequest moves a record to another state.
type TransitionRequest struct {
	State           string
	Reason          string
	NextAction      string
	NextActionOwner string
	AcceptedUntil   string
}

func text(v *aeso.Validation, field, s string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(s) == "":
		v.Add(field, "required", "is required")
	case len(s) > max:
		v.Add(field, "too_long", "must be at most %d bytes", max)
	case aeso.UnsafeText(s, true):
		v.Add(field, "control_character", "must not contain control characters, bidirectional overrides or line separators")
	case redact.TextLooksSecret(s):
		v.Add(field, "secret_detected", "looks like it holds a secret")
	}
}

// Create records drift. Pair values are redacted like audit metadata: a
// value is replaced when its field name or its shape looks secret.
func (s *Service) Create(ctx context.Context, o audit.Origin, req CreateRequest) (*Record, error) {
	var v aeso.Validation
	if req.Component == "" && req.InvariantID == "" {
		v.Add("component", "required", "name the component or the invariant (invariant_id) the drift concerns")
	}
	if req.Component != "" && (s.KnownComponent == nil || !s.KnownComponent(req.Component)) {
		v.Add("component", "unknown", "is not defined in the config's components section")
	}
	if req.InvariantID != "" {
		known := false
		if s.KnownInvariantID != nil {
			var err error
			if known, err = s.KnownInvariantID(ctx, req.InvariantID); err != nil {
				return nil, err
			}
		}
		if !known {
			v.Add("invariant_id", "unknown", "is not a defined invariant")
		}
	}
	if !kindPattern.MatchString(req.Kind) {
		v.Add("kind", "pattern", "is required: a lowercase word such as drift or invariant_failure")
	}
	if !slices.Contains(Severities, req.Severity) {
		v.Add("severity", "enum", "must be one of %s", strings.Join(Severities, ", "))
	}
	text(&v, "owner", req.Owner, 128, true)
	text(&v, "correlation_id", req.CorrelationID, 128, false)
	text(&v, "evidence.summary", req.Evidence.Summary, MaxSummary, true)
	if len(req.Evidence.Links) > MaxLinks {
		v.Add("evidence.links", "too_many", "at most %d links", MaxLinks)
	}
	for i, l := range req.Evidence.Links {
		f := fmt.Sprintf("evidence.links[%d]", i)
		switch {
		case !strings.HasPrefix(l.URL, "https://") && !strings.HasPrefix(l.URL, "http://") || len(l.URL) > 2048:
			v.Add(f+".url", "format", "must be an http(s) URL without credentials")
		case redact.ValueLooksSecret(l.URL):
			v.Add(f+".url", "secret_detected", "carries a credential (userinfo, or a token or signature parameter); link to the URL without it")
		}
		if !hexPattern.MatchString(l.SHA256) {
			v.Add(f+".sha256", "format", "must be 64 lowercase hex digits")
		}
		if l.Size < 0 {
			v.Add(f+".size", "negative", "must not be negative")
		}
	}
	if len(req.Evidence.Pairs) > MaxPairs {
		v.Add("evidence.pairs", "too_many", "at most %d observed/expected pairs", MaxPairs)
	}
	var redacted []string
	pairs := make([]Pair, 0, len(req.Evidence.Pairs))
	for i, p := range req.Evidence.Pairs {
		f := fmt.Sprintf("evidence.pairs[%d]", i)
		switch {
		case p.Field == "" || len(p.Field) > 128:
			v.Add(f+".field", "required", "is required, at most 128 characters")
		case redact.ValueLooksSecret(p.Field):
			// A field names what drifted, as a metadata key does; a name
			// that is itself a secret is refused, never stored.
			v.Add(f+".field", "secret_detected", "looks like a secret; name the field that drifted (e.g. replicas)")
		}
		if len(p.Observed) > MaxValue || len(p.Expected) > MaxValue {
			v.Add(f, "too_long", "values must be at most %d bytes", MaxValue)
		}
		for _, side := range []struct {
			name string
			val  *string
		}{{"observed", &p.Observed}, {"expected", &p.Expected}} {
			if *side.val != "" && (redact.KeyLooksSecret(p.Field) || redact.ValueLooksSecret(*side.val)) {
				*side.val = redact.Placeholder
				redacted = append(redacted, fmt.Sprintf("%s.%s", f, side.name))
			}
		}
		pairs = append(pairs, p)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	links := req.Evidence.Links
	if links == nil {
		links = []Link{}
	}
	r := &Record{
		ID: s.NewID(), Component: req.Component, InvariantID: req.InvariantID, Kind: req.Kind, Severity: req.Severity,
		Owner: req.Owner, CorrelationID: req.CorrelationID,
		Evidence:      Evidence{Summary: req.Evidence.Summary, Links: links, Pairs: pairs},
		RedactedPaths: redacted, State: StateDetected, CreatedAt: now, CreatedBy: o.Source, UpdatedAt: now,
	}
	if r.RedactedPaths == nil {
		r.RedactedPaths = []string{}
	}
	first := &Transition{ID: s.NewID(), RecordID: r.ID, To: StateDetected, Actor: o.Source, At: now}
	ev, err := s.event(o, audit.ActionReconciliationDetect, r, map[string]string{"state": StateDetected})
	if err != nil {
		return nil, err
	}
	if err := s.Store.CreateReconciliation(ctx, r, first, ev); err != nil {
		return nil, err
	}
	return r, nil
}

func (s *Service) event(o audit.Origin, action string, r *Record, details map[string]string) (*audit.Event, error) {
	md := map[string]string{"kind": r.Kind, "severity": r.Severity, "owner": r.Owner,
		"component": r.Component, "invariant_id": r.InvariantID}
	for k, v := range details {
		md[k] = v
	}
	raw, err := json.Marshal(md)
	if err != nil {
		return nil, err
	}
	target := r.Component
	if target == "" {
		target = r.InvariantID
	}
	return s.Audit.Prepare(o, audit.Input{
		ActorServiceAccountID: o.Source, Action: action, TargetType: "reconciliation", TargetID: r.ID,
		TargetDisplayName: r.Kind + " on " + target, Result: audit.ResultSuccess, CorrelationID: r.CorrelationID,
		OccurredAt: s.Now().UTC().Format(time.RFC3339Nano), Metadata: raw,
	})
}

// Transition appends a step to a record's timeline. blocked needs a next
// action and its owner; accepted needs a reason and an expiry.
func (s *Service) Transition(ctx context.Context, o audit.Origin, id string, req TransitionRequest) (*Record, error) {
	now := s.Now().UTC().Truncate(time.Microsecond)
	var v aeso.Validation
	if _, ok := next[req.State]; !ok {
		v.Add("state", "enum", "must be one of repairing, retrying, repaired, cleaned_up, blocked, accepted, resolved")
	}
	text(&v, "reason", req.Reason, 1024, req.State == StateAccepted)
	text(&v, "next_action", req.NextAction, 1024, req.State == StateBlocked)
	text(&v, "next_action_owner", req.NextActionOwner, 128, req.State == StateBlocked)
	var until *time.Time
	if req.State == StateAccepted {
		t, err := time.Parse(time.RFC3339Nano, req.AcceptedUntil)
		switch {
		case req.AcceptedUntil == "":
			v.Add("accepted_until", "required", "is required for accepted: an RFC 3339 time within 90 days")
		case err != nil:
			v.Add("accepted_until", "format", "must be an RFC 3339 time (e.g. 2026-01-02T15:04:05Z) within 90 days")
		case !t.After(now) || t.Sub(now) > MaxAccepted:
			v.Add("accepted_until", "range", "must lie in the future and within 90 days")
		default:
			u := t.UTC().Truncate(time.Microsecond)
			until = &u
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.Store.TransitionReconciliation(ctx, id, func(r *Record) (*Transition, *audit.Event, error) {
		if !slices.Contains(next[r.State], req.State) {
			allowed := Allowed(r.State)
			msg := "none: the record is resolved"
			if len(allowed) > 0 {
				msg = strings.Join(allowed, ", ")
			}
			return nil, nil, aeso.Reasonf(aeso.ECONFLICT, "invalid_transition",
				"a %s record cannot move to %s; allowed: %s", r.State, req.State, msg)
		}
		t := &Transition{ID: s.NewID(), RecordID: r.ID, From: r.State, To: req.State, Actor: o.Source,
			Reason: req.Reason, NextAction: req.NextAction, NextActionOwner: req.NextActionOwner, AcceptedUntil: until, At: now}
		r.State, r.UpdatedAt = req.State, now
		r.NextAction, r.NextActionOwner, r.AcceptedUntil = req.NextAction, req.NextActionOwner, until
		if req.State == StateResolved {
			r.ResolvedAt = &now
		}
		ev, err := s.event(o, audit.ActionReconciliationTransition, r, map[string]string{"from": t.From, "state": t.To, "reason": t.Reason})
		return t, ev, err
	})
}

// Get returns a record and its timeline.
func (s *Service) Get(ctx context.Context, id string) (*Record, []*Transition, error) {
	r, err := s.Store.GetReconciliation(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	tl, err := s.Store.ReconciliationTimeline(ctx, id)
	return r, tl, err
}

// Open returns up to limit unresolved records, the weightiest first, and
// how many there are of each severity. It is what gates and the posture
// both weigh, so a list cut at limit keeps the same records for both.
func (s *Service) Open(ctx context.Context, limit int) ([]*Record, map[string]int, error) {
	return s.Store.OpenReconciliations(ctx, limit, s.Now())
}

// List returns records matching f, newest first.
func (s *Service) List(ctx context.Context, f Filter) ([]*Record, error) {
	var v aeso.Validation
	if f.Severity != "" && !slices.Contains(Severities, f.Severity) {
		v.Add("severity", "enum", "must be one of %s", strings.Join(Severities, ", "))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	return s.Store.ListReconciliations(ctx, f)
}

// Page lists one page of the records f matches, newest first, after
// cursor (a next cursor an earlier page handed out, "" for the first),
// with the cursor of the next page, "" on the last.
func (s *Service) Page(ctx context.Context, f Filter, cursor string) ([]*Record, string, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	return paging.ReadByID(cursor, limit, func(before string, n int) ([]*Record, error) {
		f.Before, f.Limit = before, n
		return s.List(ctx, f)
	}, func(r *Record) string { return r.ID })
}
