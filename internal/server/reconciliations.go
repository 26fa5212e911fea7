package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/reconcile"
)

// RecordJSON is a reconciliation record's read model.
type RecordJSON struct {
	ID                   string             `json:"id"`
	Component            string             `json:"component,omitempty"`
	InvariantID          string             `json:"invariant_id,omitempty"`
	Kind                 string             `json:"kind"`
	Severity             string             `json:"severity"`
	Owner                string             `json:"owner"`
	CorrelationID        string             `json:"correlation_id,omitempty"`
	Evidence             reconcile.Evidence `json:"evidence"`
	RedactedPaths        []string           `json:"redacted_paths"`
	State                string             `json:"state"`
	Open                 bool               `json:"open"`
	AllowedNext          []string           `json:"allowed_next"`
	NextAction           string             `json:"next_action,omitempty"`
	NextActionOwner      string             `json:"next_action_owner,omitempty"`
	AcceptedUntil        *time.Time         `json:"accepted_until,omitempty"`
	CreatedAt            time.Time          `json:"created_at"`
	CreatedBy            string             `json:"created_by"`
	UpdatedAt            time.Time          `json:"updated_at"`
	ResolvedAt           *time.Time         `json:"resolved_at,omitempty"`
	TimeToResolveSeconds *float64           `json:"time_to_resolve_seconds,omitempty"`
	Timeline             []TransitionJSON   `json:"timeline,omitempty"`
}

// TransitionJSON is one step of a record's timeline.
type TransitionJSON struct {
	From            string     `json:"from,omitempty"`
	To              string     `json:"to"`
	Actor           string     `json:"actor"`
	Reason          string     `json:"reason,omitempty"`
	NextAction      string     `json:"next_action,omitempty"`
	NextActionOwner string     `json:"next_action_owner,omitempty"`
	AcceptedUntil   *time.Time `json:"accepted_until,omitempty"`
	At              time.Time  `json:"at"`
}

func recordJSON(r *reconcile.Record, timeline []*reconcile.Transition) RecordJSON {
	links := r.Evidence.Links
	if links == nil {
		r.Evidence.Links = []reconcile.Link{}
	}
	if r.Evidence.Pairs == nil {
		r.Evidence.Pairs = []reconcile.Pair{}
	}
	paths := r.RedactedPaths
	if paths == nil {
		paths = []string{}
	}
	out := RecordJSON{ID: r.ID, Component: r.Component, InvariantID: r.InvariantID, Kind: r.Kind, Severity: r.Severity,
		Owner: r.Owner, CorrelationID: r.CorrelationID, Evidence: r.Evidence, RedactedPaths: paths, State: r.State,
		Open: r.Open(), AllowedNext: reconcile.Allowed(r.State), NextAction: r.NextAction, NextActionOwner: r.NextActionOwner,
		AcceptedUntil: r.AcceptedUntil, CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy, UpdatedAt: r.UpdatedAt,
		ResolvedAt: r.ResolvedAt}
	if d := r.TimeToResolve(); d != nil {
		secs := d.Seconds()
		out.TimeToResolveSeconds = &secs
	}
	for _, t := range timeline {
		out.Timeline = append(out.Timeline, TransitionJSON{From: t.From, To: t.To, Actor: t.Actor, Reason: t.Reason,
			NextAction: t.NextAction, NextActionOwner: t.NextActionOwner, AcceptedUntil: t.AcceptedUntil, At: t.At})
	}
	return out
}

func (s *Server) handleCreateReconciliation(w http.ResponseWriter, r *http.Request) {
	var req reconcile.CreateRequest
	if !s.decode(w, r, &req, "a reconciliation record (component or invariant_id, kind, severity, owner, evidence, and optionally correlation_id)") {
		return
	}
	_, o := s.origin(r)
	rec, err := s.Reconciliations.Create(r.Context(), o, req)
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
	var req reconcile.TransitionRequest
	if !s.decode(w, r, &req, "a transition (state, and reason, next_action, next_action_owner or accepted_until as the state needs)") {
		return
	}
	_, o := s.origin(r)
	if _, err := s.Reconciliations.Transition(r.Context(), o, r.PathValue("id"), req); err != nil {
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
	if err := onlyParams(q, "component", "invariant_id", "owner", "severity", "open", "limit"); err != nil {
		s.writeError(w, r, err)
		return
	}
	f := reconcile.Filter{Component: q.Get("component"), InvariantID: q.Get("invariant_id"), Owner: q.Get("owner"),
		Severity: q.Get("severity"), Limit: 100}
	var v aeso.Validation
	switch q.Get("open") {
	case "", "false":
	case "true":
		f.Open = true
	default:
		v.Add("open", "format", "must be true or false")
	}
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
	records, err := s.Reconciliations.List(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]RecordJSON, len(records))
	for i, rec := range records {
		out[i] = recordJSON(rec, nil)
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"records": out})
}
