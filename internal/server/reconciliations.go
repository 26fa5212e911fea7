package server

import (
	"net/http"
	"strconv"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/reconcile"
	"github.com/aeso-dev/aeso/wire"
)

func reconciliationRequest(r wire.ReconciliationRequest) reconcile.CreateRequest {
	return reconcile.CreateRequest{Component: r.Component, InvariantID: r.InvariantID, Kind: r.Kind, Severity: r.Severity,
		Owner: r.Owner, CorrelationID: r.CorrelationID, Evidence: reconcile.Evidence{Summary: r.Evidence.Summary,
			Links: each(r.Evidence.Links, func(l wire.ReconciliationLink) reconcile.Link { return reconcile.Link(l) }),
			Pairs: each(r.Evidence.Pairs, func(p wire.ReconciliationPair) reconcile.Pair { return reconcile.Pair(p) })}}
}

func recordJSON(r *reconcile.Record, timeline []*reconcile.Transition) wire.Reconciliation {
	evidence := wire.ReconciliationEvidence{Summary: r.Evidence.Summary,
		Links: each(r.Evidence.Links, func(l reconcile.Link) wire.ReconciliationLink { return wire.ReconciliationLink(l) }),
		Pairs: each(r.Evidence.Pairs, func(p reconcile.Pair) wire.ReconciliationPair { return wire.ReconciliationPair(p) })}
	if evidence.Links == nil {
		evidence.Links = []wire.ReconciliationLink{}
	}
	if evidence.Pairs == nil {
		evidence.Pairs = []wire.ReconciliationPair{}
	}
	paths := r.RedactedPaths
	if paths == nil {
		paths = []string{}
	}
	out := wire.Reconciliation{ID: r.ID, Component: r.Component, InvariantID: r.InvariantID, Kind: r.Kind, Severity: r.Severity,
		Owner: r.Owner, CorrelationID: r.CorrelationID, Evidence: evidence, RedactedPaths: paths, State: r.State,
		Open: r.Open(), AllowedNext: reconcile.Allowed(r.State), NextAction: r.NextAction, NextActionOwner: r.NextActionOwner,
		AcceptedUntil: r.AcceptedUntil, CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy, UpdatedAt: r.UpdatedAt,
		ResolvedAt: r.ResolvedAt}
	if d := r.TimeToResolve(); d != nil {
		secs := d.Seconds()
		out.TimeToResolveSeconds = &secs
	}
	for _, t := range timeline {
		out.Timeline = append(out.Timeline, wire.Transition{From: t.From, To: t.To, Actor: t.Actor, Reason: t.Reason,
			NextAction: t.NextAction, NextActionOwner: t.NextActionOwner, AcceptedUntil: t.AcceptedUntil, At: t.At})
	}
	return out
}

func (s *Server) handleCreateReconciliation(w http.ResponseWriter, r *http.Request) {
	var req wire.ReconciliationRequest
	if !s.decode(w, r, &req, "a reconciliation record (component or invariant_id, kind, severity, owner, evidence, and optionally correlation_id)") {
		return
	}
	_, o := s.origin(r)
	rec, err := s.Reconciliations.Create(r.Context(), o, reconciliationRequest(req))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	_, timeline, err := s.Reconciliations.Get(r.Context(), rec.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, recordJSON(rec, timeline))
}

func (s *Server) handleTransitionReconciliation(w http.ResponseWriter, r *http.Request) {
	var req wire.TransitionRequest
	if !s.decode(w, r, &req, "a transition (state, and reason, next_action, next_action_owner or accepted_until as the state needs)") {
		return
	}
	_, o := s.origin(r)
	if _, err := s.Reconciliations.Transition(r.Context(), o, r.PathValue("id"), reconcile.TransitionRequest(req)); err != nil {
		s.writeError(w, r, err)
		return
	}
	rec, timeline, err := s.Reconciliations.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, recordJSON(rec, timeline))
}

func (s *Server) handleGetReconciliation(w http.ResponseWriter, r *http.Request) {
	rec, timeline, err := s.Reconciliations.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, recordJSON(rec, timeline))
}

func (s *Server) handleListReconciliations(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := onlyParams(q, "component", "invariant_id", "owner", "severity", "open", "limit", "cursor"); err != nil {
		s.writeError(w, r, err)
		return
	}
	f := reconcile.Filter{Component: q.Get("component"), InvariantID: q.Get("invariant_id"), Owner: q.Get("owner"),
		Severity: q.Get("severity"), Limit: 100}
	var v aeso.Validation
	f.Open = boolParam(&v, q, "open")
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			v.Add("limit", "range", "must be an integer from 1 to 500")
		}
		f.Limit = n
	}
	if err := v.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	records, next, err := s.Reconciliations.Page(r.Context(), f, q.Get("cursor"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]wire.Reconciliation, len(records))
	for i, rec := range records {
		out[i] = recordJSON(rec, nil)
	}
	s.writeJSON(w, r, http.StatusOK, wire.ReconciliationList{Records: out, NextCursor: nextCursor(next)})
}
