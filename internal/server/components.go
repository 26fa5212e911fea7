package server

import (
	"net/http"
	"net/url"

	"github.com/aeso-dev/aeso/internal/component"
	"github.com/aeso-dev/aeso/wire"
)

func componentReportJSON(r *component.Report) *wire.ComponentReport {
	return &wire.ComponentReport{ID: r.ID, Component: r.Component, Status: r.Status, Detail: r.Detail, Source: r.Source,
		SourceURL: r.SourceURL, ObservedAt: r.ObservedAt, RecordedAt: r.RecordedAt, CorrelationID: r.CorrelationID}
}

func componentJSON(v *component.View) wire.Component {
	out := wire.Component{Name: v.Def.Name, Owner: v.Def.Owner, Critical: v.Def.Critical,
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
	out := make([]wire.Component, len(views))
	for i, v := range views {
		out[i] = componentJSON(v)
	}
	s.writeJSON(w, r, http.StatusOK, wire.ComponentList{Components: out})
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
	var req wire.ComponentReportRequest
	if !s.decode(w, r, &req, "a component status (status, and optionally detail, source_url, observed_at, correlation_id)") {
		return
	}
	_, o := s.origin(r)
	rep, err := s.Components.Record(r.Context(), o.Source, r.PathValue("name"), component.ReportRequest(req))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, componentReportJSON(rep))
}

func (s *Server) handleComponentHistory(w http.ResponseWriter, r *http.Request) {
	serveHistory(s, w, r, history{def: 100, max: 1000},
		func(_ url.Values, cursor string, limit int) ([]*component.Report, string, error) {
			return s.Components.History(r.Context(), r.PathValue("name"), cursor, limit)
		}, func(x *component.Report) wire.ComponentReport { return *componentReportJSON(x) }, func(items []wire.ComponentReport, next *string) wire.ComponentReportPage {
			return wire.ComponentReportPage{Reports: items, NextCursor: next}
		})
}
