package server

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/aeso-dev/aeso/internal/invariant"
	"github.com/aeso-dev/aeso/wire"
)

func resultJSON(r *invariant.Result) *wire.InvariantResult {
	paths := r.RedactedPaths
	if paths == nil {
		paths = []string{}
	}
	details := r.Details
	if len(details) == 0 {
		details = json.RawMessage("{}")
	}
	return &wire.InvariantResult{ID: r.ID, InvariantID: r.InvariantID, Status: r.Status, Environment: r.Environment,
		ObservedAt: r.ObservedAt, RecordedAt: r.RecordedAt, CorrelationID: r.CorrelationID, BundleID: r.BundleID,
		ItemID: r.ItemID, ExpiresAt: r.ExpiresAt, BundleState: r.BundleState, BundleSupersededBy: r.SupersededBy, BundleSupersededAt: r.SupersededAt,
		Details: details, RedactedPaths: paths, Source: r.Source}
}

func invariantJSON(v *invariant.View) wire.Invariant {
	d := v.Def
	out := wire.Invariant{ID: d.ID, Title: d.Title, Owner: d.Owner, Severity: d.Severity, Critical: d.Critical,
		Required: d.Required, MaxAge: d.MaxAge.String(), FirstSeen: d.FirstSeen, RetiredAt: d.RetiredAt,
		States: make([]wire.InvariantState, len(v.States))}
	for i, st := range v.States {
		out.States[i] = wire.InvariantState{Environment: st.Environment, State: st.State, Since: st.Since}
		if st.Latest != nil {
			out.States[i].Latest = resultJSON(st.Latest)
		}
	}
	return out
}

func (s *Server) handleListInvariants(w http.ResponseWriter, r *http.Request) {
	if err := onlyParams(r.URL.Query(), "environment"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := invariant.CheckEnvironment(r.URL.Query().Get("environment")); err != nil {
		s.writeError(w, r, err)
		return
	}
	views, err := s.Invariants.Views(r.Context(), r.URL.Query().Get("environment"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]wire.Invariant, len(views))
	for i, v := range views {
		out[i] = invariantJSON(v)
	}
	s.writeJSON(w, r, http.StatusOK, wire.InvariantList{Invariants: out})
}

func (s *Server) handleGetInvariant(w http.ResponseWriter, r *http.Request) {
	if err := onlyParams(r.URL.Query(), "environment"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := invariant.CheckEnvironment(r.URL.Query().Get("environment")); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.Invariants.View(r.Context(), r.PathValue("id"), r.URL.Query().Get("environment"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, invariantJSON(v))
}

func (s *Server) handleAddInvariantResult(w http.ResponseWriter, r *http.Request) {
	var req wire.InvariantResultRequest
	if !s.decode(w, r, &req, "an invariant result (status, environment, and optionally observed_at, correlation_id, bundle_id, item_id, details)") {
		return
	}
	_, o := s.origin(r)
	res, err := s.Invariants.Record(r.Context(), o, r.PathValue("id"), invariant.ResultRequest(req))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, resultJSON(res))
}

func (s *Server) handleInvariantHistory(w http.ResponseWriter, r *http.Request) {
	serveHistory(s, w, r, history{filters: []string{"environment"}, def: 100, max: 1000},
		func(q url.Values, cursor string, limit int) ([]*invariant.Result, string, error) {
			return s.Invariants.History(r.Context(), r.PathValue("id"), q.Get("environment"), cursor, limit)
		}, func(x *invariant.Result) wire.InvariantResult { return *resultJSON(x) }, func(items []wire.InvariantResult, next *string) wire.InvariantResultPage {
			return wire.InvariantResultPage{Results: items, NextCursor: next}
		})
}
