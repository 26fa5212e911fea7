package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/aeso-dev/aeso/internal/invariant"
)

// InvariantJSON is an invariant's definition and its state per environment.
type InvariantJSON struct {
	ID        string         `json:"id"`
	Title     string         `json:"title"`
	Owner     string         `json:"owner"`
	Severity  string         `json:"severity"`
	Critical  bool           `json:"critical"`
	Required  bool           `json:"required"`
	MaxAge    string         `json:"max_age"`
	FirstSeen time.Time      `json:"first_seen"`
	RetiredAt *time.Time     `json:"retired_at,omitempty"`
	States    []EnvStateJSON `json:"states"`
}

// EnvStateJSON is an invariant's state in one environment.
type EnvStateJSON struct {
	Environment string      `json:"environment"`
	State       string      `json:"state"`
	Since       *time.Time  `json:"since,omitempty"`
	Latest      *ResultJSON `json:"latest,omitempty"`
}

// ResultJSON is one reported invariant result.
type ResultJSON struct {
	ID            string          `json:"id"`
	InvariantID   string          `json:"invariant_id"`
	Status        string          `json:"status"`
	Environment   string          `json:"environment"`
	ObservedAt    time.Time       `json:"observed_at"`
	RecordedAt    time.Time       `json:"recorded_at"`
	CorrelationID string          `json:"correlation_id,omitempty"`
	BundleID      string          `json:"bundle_id,omitempty"`
	ItemID        string          `json:"item_id,omitempty"`
	Details       json.RawMessage `json:"details"`
	RedactedPaths []string        `json:"redacted_paths"`
	Source        string          `json:"source"`
}

func resultJSON(r *invariant.Result) *ResultJSON {
	paths := r.RedactedPaths
	if paths == nil {
		paths = []string{}
	}
	details := r.Details
	if len(details) == 0 {
		details = json.RawMessage("{}")
	}
	return &ResultJSON{ID: r.ID, InvariantID: r.InvariantID, Status: r.Status, Environment: r.Environment,
		ObservedAt: r.ObservedAt, RecordedAt: r.RecordedAt, CorrelationID: r.CorrelationID, BundleID: r.BundleID,
		ItemID: r.ItemID, Details: details, RedactedPaths: paths, Source: r.Source}
}

func invariantJSON(v *invariant.View) InvariantJSON {
	d := v.Def
	out := InvariantJSON{ID: d.ID, Title: d.Title, Owner: d.Owner, Severity: d.Severity, Critical: d.Critical,
		Required: d.Required, MaxAge: d.MaxAge.String(), FirstSeen: d.FirstSeen, RetiredAt: d.RetiredAt,
		States: make([]EnvStateJSON, len(v.States))}
	for i, st := range v.States {
		out.States[i] = EnvStateJSON{Environment: st.Environment, State: st.State, Since: st.Since}
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
	views, err := s.Invariants.Views(r.Context(), r.URL.Query().Get("environment"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]InvariantJSON, len(views))
	for i, v := range views {
		out[i] = invariantJSON(v)
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"invariants": out})
}

func (s *Server) handleGetInvariant(w http.ResponseWriter, r *http.Request) {
	if err := onlyParams(r.URL.Query(), "environment"); err != nil {
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
	var req invariant.ResultRequest
	if !s.decode(w, r, &req, "an invariant result (status, environment, and optionally observed_at, correlation_id, bundle_id, item_id, details)") {
		return
	}
	_, o := s.origin(r)
	res, err := s.Invariants.Record(r.Context(), o, r.PathValue("id"), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, resultJSON(res))
}

func (s *Server) handleInvariantHistory(w http.ResponseWriter, r *http.Request) {
	serveHistory(s, w, r, history{key: "results", filters: []string{"environment"}, def: 100, max: 1000},
		func(q url.Values, cursor string, limit int) ([]*invariant.Result, string, error) {
			return s.Invariants.History(r.Context(), r.PathValue("id"), q.Get("environment"), cursor, limit)
		}, resultJSON)
}
