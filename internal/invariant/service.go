package invariant

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/redact"
)

// Stored is a definition as the database remembers it, so that an ID keeps
// its meaning across restarts and a retired ID keeps its history.
type Stored struct {
	Def
	FirstSeen time.Time
	RetiredAt *time.Time
}

// Store is what invariants need from storage.
type Store interface {
	InvariantDefinitions(ctx context.Context) ([]*Stored, error)
	// SaveInvariantDefinitions writes new and changed definitions, marks
	// retired ones, and appends the audit events, in one transaction.
	SaveInvariantDefinitions(ctx context.Context, save []*Stored, retire []string, at time.Time, events []*audit.Event) error
	AddInvariantResult(ctx context.Context, r *Result) error
	// InvariantResults lists results newest first (by id, which is
	// time-ordered); environment filters when set; beforeID pages.
	InvariantResults(ctx context.Context, invariantID, environment, beforeID string, limit int) ([]*Result, error)
	// LatestInvariantResults returns the newest result that counts
	// (Result.Counts) per invariant and environment; none where no result
	// counts.
	LatestInvariantResults(ctx context.Context) ([]*Result, error)
	// InvariantResult returns one result by id, or not_found.
	InvariantResult(ctx context.Context, id string) (*Result, error)
}

// Service keeps definitions stable and records results.
type Service struct {
	Store Store
	Audit *audit.Service
	Now   func() time.Time
	NewID func() string
	// EvidenceExists checks that a result's link points at stored evidence
	// (the item, when given, inside the bundle, when given).
	EvidenceExists func(ctx context.Context, bundleID, itemID string) (string, error)
}

// Sync reconciles the configured definitions with the stored ones at
// start. An ID whose title changed is an error: the ID would start to mean
// something else while its history still speaks of the old meaning.
// Changes and retirements are audited.
func (s *Service) Sync(ctx context.Context, defs []Def) error {
	stored, err := s.Store.InvariantDefinitions(ctx)
	if err != nil {
		return err
	}
	byID := map[string]*Stored{}
	for _, st := range stored {
		byID[st.ID] = st
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	o := audit.Origin{Source: "aeso"}
	var save []*Stored
	var events []*audit.Event
	seen := map[string]bool{}
	var problems []string
	for _, d := range defs {
		seen[d.ID] = true
		old := byID[d.ID]
		switch {
		case old == nil:
			save = append(save, &Stored{Def: d, FirstSeen: now})
		case old.Title != d.Title:
			problems = append(problems, fmt.Sprintf("%s was defined as %q and cannot be redefined as %q: give the new invariant a new ID", d.ID, old.Title, d.Title))
			continue
		case old.Def == d && old.RetiredAt == nil:
			continue
		default:
			save = append(save, &Stored{Def: d, FirstSeen: old.FirstSeen})
		}
		ev, err := s.definitionEvent(o, audit.ActionInvariantDefine, d, now)
		if err != nil {
			return err
		}
		events = append(events, ev)
	}
	if len(problems) > 0 {
		return fmt.Errorf("invariant IDs are stable: %s", strings.Join(problems, "; "))
	}
	var retire []string
	for _, st := range stored {
		if !seen[st.ID] && st.RetiredAt == nil {
			retire = append(retire, st.ID)
			ev, err := s.definitionEvent(o, audit.ActionInvariantRetire, st.Def, now)
			if err != nil {
				return err
			}
			events = append(events, ev)
		}
	}
	if len(save) == 0 && len(retire) == 0 {
		return nil
	}
	return s.Store.SaveInvariantDefinitions(ctx, save, retire, now, events)
}

func (s *Service) definitionEvent(o audit.Origin, action string, d Def, now time.Time) (*audit.Event, error) {
	md, err := json.Marshal(map[string]any{"owner": d.Owner, "severity": d.Severity,
		"critical": d.Critical, "required": d.Required, "max_age": d.MaxAge.String()})
	if err != nil {
		return nil, err
	}
	return s.Audit.Prepare(o, audit.Input{
		ActorServiceAccountID: "aeso", Action: action, TargetType: "invariant", TargetID: d.ID,
		TargetDisplayName: d.Title, Result: audit.ResultSuccess, OccurredAt: now.Format(time.RFC3339Nano), Metadata: md,
	})
}

// ResultRequest reports one outcome.
type ResultRequest struct {
	Status        string
	Environment   string
	ObservedAt    string
	CorrelationID string
	BundleID      string
	ItemID        string
	Details       json.RawMessage
}

// Definitions returns the configured definitions, and the retired ones with
// their retirement time.
func (s *Service) Definitions(ctx context.Context) ([]*Stored, error) {
	defs, err := s.Store.InvariantDefinitions(ctx)
	if err != nil {
		return nil, err
	}
	sort.Slice(defs, func(i, j int) bool { return defs[i].ID < defs[j].ID })
	return defs, nil
}

func (s *Service) definition(ctx context.Context, id string) (*Stored, error) {
	defs, err := s.Store.InvariantDefinitions(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range defs {
		if d.ID == id {
			return d, nil
		}
	}
	return nil, aeso.Reasonf(aeso.ENOTFOUND, "unknown_invariant", "no invariant has this ID; define it in the config's invariants section")
}

// Record stores a result of a defined, not retired, invariant.
func (s *Service) Record(ctx context.Context, o audit.Origin, id string, req ResultRequest) (*Result, error) {
	d, err := s.definition(ctx, id)
	if err != nil {
		return nil, err
	}
	if d.RetiredAt != nil {
		return nil, aeso.Reasonf(aeso.ECONFLICT, "invariant_retired", "invariant %s is retired; its history stays readable but it takes no new results", id)
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	var v aeso.Validation
	switch req.Status {
	case StatusPass, StatusFail, StatusError:
	default:
		v.Add("status", "enum", "must be one of pass, fail, error")
	}
	env := strings.TrimSpace(req.Environment)
	switch {
	case env == "" || len(env) > 64 || !envPattern.MatchString(env):
		v.Add("environment", "pattern", "is required: lowercase letters, digits, '.', '_' or '-', at most 64 (e.g. production)")
	case redact.ValueLooksSecret(env):
		v.Add("environment", "secret_detected", "looks like a secret (a card number); name the environment (e.g. production)")
	}
	observed := aeso.ObservedAt(&v, req.ObservedAt, now)
	if len(req.CorrelationID) > 128 || redact.ValueLooksSecret(req.CorrelationID) {
		v.Add("correlation_id", "invalid", "must be at most 128 characters and no secret")
	}
	for field, ref := range map[string]string{"bundle_id": req.BundleID, "item_id": req.ItemID} {
		if ref != "" && !uuidPattern.MatchString(strings.ToLower(ref)) {
			v.Add(field, "format", "must be the id of an evidence %s", strings.TrimSuffix(field, "_id"))
		}
	}
	bundleID := strings.ToLower(req.BundleID)
	if v.Err() == nil && (req.BundleID != "" || req.ItemID != "") && s.EvidenceExists != nil {
		// A result that names an item proves through the item's bundle,
		// named or not (see Result.Counts).
		var err error
		if bundleID, err = s.EvidenceExists(ctx, bundleID, strings.ToLower(req.ItemID)); err != nil {
			if aeso.ErrorCode(err) != aeso.ENOTFOUND {
				return nil, err
			}
			field := "bundle_id"
			if req.ItemID != "" {
				field = "item_id"
			}
			v.Add(field, "unknown_evidence", "does not name stored evidence (an item must belong to the bundle given)")
		}
	}
	details, p := redact.Object(req.Details, redact.MetadataLimits())
	if p != nil {
		v.Add("details", p.Code, "%s", p.Message)
	} else if path, found := redact.InexactNumber(details.JSON); found {
		// Details are free-form JSON like evidence metadata, and answer to
		// the same rule: a number must survive canonical JSON unchanged.
		v.Add(redact.Field("details", path), redact.CodeNumberNotExact, "%s", redact.InexactNumberMessage)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	r := &Result{
		ID: s.NewID(), InvariantID: d.ID, Status: req.Status, Environment: env, ObservedAt: observed,
		RecordedAt: now, CorrelationID: req.CorrelationID, BundleID: bundleID,
		ItemID: strings.ToLower(req.ItemID), Details: details.JSON, RedactedPaths: details.Paths, Source: o.Source,
	}
	if err := s.Store.AddInvariantResult(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}
