package server

import (
	"net/http"
	"net/url"
	"time"

	"github.com/aeso-dev/aeso/internal/component"
)

// ComponentReportJSON is one status a component pushed.
type ComponentReportJSON struct {
	ID            string    `json:"id"`
	Component     string    `json:"component"`
	Status        string    `json:"status"`
	Detail        string    `json:"detail,omitempty"`
	Source        string    `json:"source"`
	SourceURL     string    `json:"source_url,omitempty"`
	ObservedAt    time.Time `json:"observed_at"`
	RecordedAt    time.Time `json:"recorded_at"`
	CorrelationID string    `json:"correlation_id,omitempty"`
}

// ComponentJSON is a component's definition and where it stands now:
// status is what to act on (down once dead, unknown before any report),
// freshness how old the latest report is.
type ComponentJSON struct {
	Name        string               `json:"name"`
	Owner       string               `json:"owner"`
	Critical    bool                 `json:"critical"`
	StaleAfter  string               `json:"stale_after"`
	DeadAfter   string               `json:"dead_after"`
	Description string               `json:"description,omitempty"`
	Status      string               `json:"status"`
	Freshness   string               `json:"freshness"`
	Latest      *ComponentReportJSON `json:"latest,omitempty"`
}

func componentReportJSON(r *component.Report) *ComponentReportJSON {
	return &ComponentReportJSON{ID: r.ID, Component: r.Component, Status: r.Status, Detail: r.Detail, Source: r.Source,
		SourceURL: r.SourceURL, ObservedAt: r.ObservedAt, RecordedAt: r.RecordedAt, CorrelationID: r.CorrelationID}
}

func componentJSON(v *component.View) ComponentJSON {
	out := ComponentJSON{Name: v.Def.Name, Owner: v.Def.Owner, Critical: v.Def.Critical,
		StaleAfter: v.Def.StaleAfter.String(), DeadAfter: v.Def.DeadAfter.String(), Description: v.Def.Description,
		Status: v.Effective, Freshness: v.Freshness}
	if v.Latest != nil {
		out.Latest = componentReportJSON(v.Latest)
	}
	return out
}

func (s *Server) handleListComponents(w http.ResponseWriter, r *http.Request) {
	views, err := s.Components.Views(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]ComponentJSON, len(views))
	for i, v := range views {
		out[i] = componentJSON(v)
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"components": out})
}

func (s *Server) handleGetComponent(w http.ResponseWriter, r *http.Request) {
	v, err := s.Components.View(r.Context(), r.PathValue("name"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, componentJSON(v))
}

func (s *Server) handlePushComponentStatus(w http.ResponseWriter, r *http.Request) {
	var req component.ReportRequest
	if !s.decode(w, r, &req, "a component status (status, and optionally detail, source_url, observed_at, correlation_id)") {
		return
	}
	_, o := s.origin(r)
	rep, err := s.Components.Record(r.Context(), o.Source, r.PathValue("name"), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, componentReportJSON(rep))
}

func (s *Server) handleComponentHistory(w http.ResponseWriter, r *http.Request) {
	serveHistory(s, w, r, history{key: "reports", def: 100, max: 1000},
		func(_ url.Values, cursor string, limit int) ([]*component.Report, string, error) {
			return s.Components.History(r.Context(), r.PathValue("name"), cursor, limit)
		}, componentReportJSON)
}
