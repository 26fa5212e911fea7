package server

import (
	"bytes"
	"net/http"
	"net/url"
	"time"

	"github.com/aeso-dev/aeso/internal/status"
)

// StatusJSON is a posture with its reasons. Kind tells current truth
// ("current", computed for this request) from history ("snapshot", as it
// stood when taken); a snapshot also carries its id, when and by whom it
// was taken, and why.
type StatusJSON struct {
	Kind string `json:"kind"`
	*status.Posture
	Snapshot *SnapshotMetaJSON `json:"snapshot,omitempty"`
}

// SnapshotMetaJSON describes a readiness snapshot.
type SnapshotMetaJSON struct {
	ID           string    `json:"id"`
	TakenAt      time.Time `json:"taken_at"`
	TakenBy      string    `json:"taken_by"`
	Cause        string    `json:"cause"`
	Note         string    `json:"note,omitempty"`
	Posture      string    `json:"posture"`
	InputsDigest string    `json:"inputs_digest"`
}

func snapshotMeta(s *status.Snapshot) *SnapshotMetaJSON {
	return &SnapshotMetaJSON{ID: s.ID, TakenAt: s.TakenAt, TakenBy: s.TakenBy, Cause: s.Cause, Note: s.Note,
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
	s.writeJSON(w, r, http.StatusOK, StatusJSON{Kind: "current", Posture: p})
}

func (s *Server) snapshotJSON(w http.ResponseWriter, r *http.Request, code int, snap *status.Snapshot) {
	p, err := snap.Decode()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, code, StatusJSON{Kind: "snapshot", Posture: p, Snapshot: snapshotMeta(snap)})
}

func (s *Server) handleTakeSnapshot(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r, s.MaxBody)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req struct {
		Note string `json:"note"`
	}
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
	serveHistory(s, w, r, history{key: "snapshots", def: 100, max: 1000},
		func(_ url.Values, cursor string, limit int) ([]*status.Snapshot, string, error) {
			return s.Status.Snapshots(r.Context(), cursor, limit)
		}, snapshotMeta)
}
