package server

import (
	"net/http"
	"net/url"

	"github.com/aeso-dev/aeso/internal/auth"
	"github.com/aeso-dev/aeso/internal/guard"
	"github.com/aeso-dev/aeso/internal/report"
	"github.com/aeso-dev/aeso/wire"
)

func guardRequest(r wire.GuardReportRequest) guard.Request {
	return guard.Request{Subject: r.Subject, Mode: r.Mode, Counts: (*guard.Counts)(r.Counts),
		Findings:  each(r.Findings, func(f wire.GuardFinding) guard.Finding { return guard.Finding(f) }),
		SourceURL: r.SourceURL, ObservedAt: r.ObservedAt, CorrelationID: r.CorrelationID}
}

func guardReportJSON(r *guard.Report) wire.GuardReport {
	findings := each(r.Findings, func(f guard.Finding) wire.GuardFinding { return wire.GuardFinding(f) })
	if findings == nil {
		findings = []wire.GuardFinding{}
	}
	return wire.GuardReport{ID: r.ID, Guard: r.Guard, Subject: r.Subject, Mode: r.Mode, Open: r.Open(),
		Counts: wire.GuardCounts(r.Counts), Findings: findings, Duplicates: r.Duplicates, SourceURL: r.SourceURL,
		ObservedAt: r.ObservedAt, RecordedAt: r.RecordedAt, CorrelationID: r.CorrelationID, Source: r.Source}
}

func (s *Server) handleAddGuardReport(w http.ResponseWriter, r *http.Request) {
	var req wire.GuardReportRequest
	if !s.decode(w, r, &req, "a guard report (subject, mode, findings, and optionally counts, source_url, observed_at, correlation_id)") {
		return
	}
	p, o := s.origin(r)
	gr := guardRequest(req)
	gr.MayWeakenMode = p.Has(auth.ScopeGatesOverride)
	rep, err := s.Guards.Record(r.Context(), o.Source, r.PathValue("name"), gr)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, guardReportJSON(rep))
}

// handleAddGuardSARIF turns a SARIF log into a guard report; the query
// carries subject, mode, source_url and correlation_id.
func (s *Server) handleAddGuardSARIF(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := onlyParams(q, "subject", "mode", "source_url", "correlation_id", "observed_at"); err != nil {
		s.writeError(w, r, err)
		return
	}
	body, release, ok := s.readReport(w, r)
	if !ok {
		return
	}
	defer release()
	log, err := report.ReadSARIF(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, o := s.origin(r)
	rep, err := s.Guards.RecordSARIF(r.Context(), o.Source, r.PathValue("name"), guard.Request{
		Subject: q.Get("subject"), Mode: q.Get("mode"), SourceURL: q.Get("source_url"),
		CorrelationID: q.Get("correlation_id"), ObservedAt: q.Get("observed_at"),
		MayWeakenMode: p.Has(auth.ScopeGatesOverride),
	}, log)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, guardReportJSON(rep))
}

func (s *Server) handleLatestGuardReport(w http.ResponseWriter, r *http.Request) {
	if err := onlyParams(r.URL.Query(), "subject"); err != nil {
		s.writeError(w, r, err)
		return
	}
	rep, err := s.Guards.Latest(r.Context(), r.PathValue("name"), r.URL.Query().Get("subject"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, guardReportJSON(rep))
}

func (s *Server) handleGuardReports(w http.ResponseWriter, r *http.Request) {
	serveHistory(s, w, r, history{filters: []string{"subject"}, def: 50, max: 500},
		func(q url.Values, cursor string, limit int) ([]*guard.Report, string, error) {
			return s.Guards.History(r.Context(), r.PathValue("name"), q.Get("subject"), cursor, limit)
		}, guardReportJSON, func(items []wire.GuardReport, next *string) wire.GuardReportPage {
			return wire.GuardReportPage{Reports: items, NextCursor: next}
		})
}
