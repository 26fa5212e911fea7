package server

import (
	"bytes"
	"net/http"
	"net/url"

	"github.com/aeso-dev/aeso/internal/status"
	"github.com/aeso-dev/aeso/wire"
)

// statusJSON is a posture with its reasons. kind tells current truth
// ("current", computed for this request) from history ("snapshot", as it
// stood when taken); a snapshot also carries its id, when and by whom it
// was taken, and why.
func statusJSON(kind string, p *status.Posture, snap *status.Snapshot) wire.Status {
	out := wire.Status{Kind: kind, Posture: p.Posture, EvaluatedAt: p.EvaluatedAt, Environment: p.Environment,
		Reasons: each(p.Reasons, statusReasonJSON), OpenReconciliations: p.OpenReconciliations, InputsDigest: p.InputsDigest,
		Components: each(p.Components, func(c status.ComponentPosture) wire.ComponentPosture {
			return wire.ComponentPosture{Name: c.Name, Owner: c.Owner, Critical: c.Critical, Status: c.Status,
				Freshness: c.Freshness, ObservedAt: c.ObservedAt, Posture: c.Posture, Reasons: each(c.Reasons, statusReasonJSON)}
		})}
	if snap != nil {
		out.Snapshot = snapshotMeta(snap)
	}
	return out
}

func statusReasonJSON(r status.Reason) wire.StatusReason { return wire.StatusReason(r) }

func snapshotMeta(s *status.Snapshot) *wire.SnapshotMeta {
	return &wire.SnapshotMeta{ID: s.ID, TakenAt: s.TakenAt, TakenBy: s.TakenBy, Cause: s.Cause, Note: s.Note,
		Posture: s.Posture, InputsDigest: s.InputsDigest}
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	if err := onlyParams(r.URL.Query()); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Status.Current(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, statusJSON("current", p, nil))
}

func (s *Server) snapshotJSON(w http.ResponseWriter, r *http.Request, code int, snap *status.Snapshot) {
	p, err := snap.Decode()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, code, statusJSON("snapshot", p, snap))
}

func (s *Server) handleTakeSnapshot(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r, s.MaxBody)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req wire.SnapshotRequest
	if len(bytes.TrimSpace(body)) > 0 {
		if err := decodeObject(body, &req, "", "a snapshot request: {} or {\"note\": \"why it was taken\"}"); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	_, o := s.origin(r)
	snap, err := s.Status.TakeSnapshot(r.Context(), o, req.Note)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.snapshotJSON(w, r, http.StatusCreated, snap)
}

func (s *Server) handleGetSnapshot(w http.ResponseWriter, r *http.Request) {
	snap, err := s.Status.GetSnapshot(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.snapshotJSON(w, r, http.StatusOK, snap)
}

// handleListSnapshots lists snapshots newest first, each as its summary;
// the full posture is one GET away.
func (s *Server) handleListSnapshots(w http.ResponseWriter, r *http.Request) {
	serveHistory(s, w, r, history{def: 100, max: 1000},
		func(_ url.Values, cursor string, limit int) ([]*status.Snapshot, string, error) {
			return s.Status.Snapshots(r.Context(), cursor, limit)
		}, func(x *status.Snapshot) wire.SnapshotMeta { return *snapshotMeta(x) }, func(items []wire.SnapshotMeta, next *string) wire.SnapshotPage {
			return wire.SnapshotPage{Snapshots: items, NextCursor: next}
		})
}
