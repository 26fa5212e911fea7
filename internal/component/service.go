package component

import (
	"context"
	"strings"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/paging"
	"github.com/aeso-dev/aeso/internal/redact"
)

// Store is what component status needs from storage. Reports are
// append-only history; the latest per component is a projection kept
// beside them and overwritten with each newer report.
type Store interface {
	AddComponentReport(ctx context.Context, r *Report) error
	// LatestComponentReports returns the latest report of every component
	// that ever reported.
	LatestComponentReports(ctx context.Context) ([]*Report, error)
	// ComponentReports lists a component's history newest first; beforeID pages.
	ComponentReports(ctx context.Context, component, beforeID string, limit int) ([]*Report, error)
	// ComponentReport returns one report of the history by id, or not_found.
	ComponentReport(ctx context.Context, id string) (*Report, error)
}

// Service records component statuses and reads them back by the clock.
type Service struct {
	Defs  []Def
	Store Store
	Now   func() time.Time
	NewID func() string
}

// Def returns a component's definition, or unknown_component.
func (s *Service) Def(name string) (*Def, error) {
	for i := range s.Defs {
		if s.Defs[i].Name == name {
			return &s.Defs[i], nil
		}
	}
	return nil, aeso.Reasonf(aeso.ENOTFOUND, "unknown_component", "no component has this name; define it in the config's components section")
}

// ReportRequest is a status push.
type ReportRequest struct {
	Status        string
	Detail        string
	SourceURL     string
	ObservedAt    string
	CorrelationID string
}

// MaxDetail bounds a report's detail.
const MaxDetail = 1024

// Record stores a status push of a defined component.
func (s *Service) Record(ctx context.Context, source, name string, req ReportRequest) (*Report, error) {
	if _, err := s.Def(name); err != nil {
		return nil, err
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	var v aeso.Validation
	ok := false
	for _, st := range Statuses {
		ok = ok || st == req.Status
	}
	if !ok {
		v.Add("status", "enum", "must be one of %s", strings.Join(Statuses, ", "))
	}
	switch {
	case len(req.Detail) > MaxDetail:
		v.Add("detail", "invalid", "must be at most %d bytes and hold no secret", MaxDetail)
	case redact.TextLooksSecret(req.Detail):
		v.Add("detail", "secret_detected", "looks like it holds a secret; describe the status without credentials")
	}
	checkSourceURL(&v, req.SourceURL)
	switch {
	case len(req.CorrelationID) > 128:
		v.Add("correlation_id", "invalid", "must be at most 128 characters and no secret")
	case redact.ValueLooksSecret(req.CorrelationID):
		v.Add("correlation_id", "secret_detected", "looks like a secret")
	}
	observed := aeso.ObservedAt(&v, req.ObservedAt, now)
	if err := v.Err(); err != nil {
		return nil, err
	}
	r := &Report{ID: s.NewID(), Component: name, Status: req.Status, Detail: req.Detail, Source: source,
		SourceURL: req.SourceURL, ObservedAt: observed, RecordedAt: now, CorrelationID: req.CorrelationID}
	if err := s.Store.AddComponentReport(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}

// View is a component's definition and where it stands now.
type View struct {
	Def       Def
	Latest    *Report
	Freshness string
	Effective string
}

// Views returns every defined component, in definition order, read now.
func (s *Service) Views(ctx context.Context) ([]*View, error) { return s.ViewsAt(ctx, s.Now()) }

// ViewsAt returns every defined component as it stands at now.
func (s *Service) ViewsAt(ctx context.Context, now time.Time) ([]*View, error) {
	latest, err := s.Store.LatestComponentReports(ctx)
	if err != nil {
		return nil, err
	}
	byName := map[string]*Report{}
	for _, r := range latest {
		byName[r.Component] = r
	}
	out := make([]*View, len(s.Defs))
	for i, d := range s.Defs {
		r := byName[d.Name]
		out[i] = &View{Def: d, Latest: r, Freshness: Freshness(d, r, now), Effective: Effective(d, r, now)}
	}
	return out, nil
}

// View returns one component.
func (s *Service) View(ctx context.Context, name string) (*View, error) {
	if _, err := s.Def(name); err != nil {
		return nil, err
	}
	views, err := s.Views(ctx)
	if err != nil {
		return nil, err
	}
	for _, v := range views {
		if v.Def.Name == name {
			return v, nil
		}
	}
	return nil, aeso.Reasonf(aeso.ENOTFOUND, "unknown_component", "no component has this name")
}

// History lists a component's reports, newest first.
func (s *Service) History(ctx context.Context, name, cursor string, limit int) ([]*Report, string, error) {
	if _, err := s.Def(name); err != nil {
		return nil, "", err
	}
	return paging.ReadByID(cursor, limit, func(before string, n int) ([]*Report, error) {
		return s.Store.ComponentReports(ctx, name, before, n)
	}, func(r *Report) string { return r.ID })
}

// checkSourceURL accepts an http(s) URL without credentials. One that
// carries them (userinfo, a token or signature parameter, raw or
// percent-encoded) is refused rather than stored with the credential cut
// out: the caller learns its pipeline leaks the credential, and no link is
// kept that points somewhere other than what was sent.
func checkSourceURL(v *aeso.Validation, u string) {
	switch {
	case u == "":
	case len(u) > 2048 || !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://"):
		v.Add("source_url", "format", "must be an http(s) URL without credentials, at most 2048 bytes")
	case redact.ValueLooksSecret(u):
		v.Add("source_url", "secret_detected", "carries a credential (userinfo, or a token or signature parameter); send the URL without it")
	}
}
