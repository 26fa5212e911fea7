package server

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/auditlog"
	"github.com/aeso-dev/aeso/wire"
	"golang.org/x/mod/sumdb/tlog"
)

// The audit log's endpoints: its verifier key, signed checkpoints, proofs,
// the tree as C2SP tlog-tiles, and the export of its leaves.

func (s *Server) handleAuditKey(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	// Exactly the key, no newline: note.NewVerifier takes the body as it is.
	_, _ = w.Write([]byte(s.Log.VerifierKey()))
}

func (s *Server) handleCheckpoint(w http.ResponseWriter, r *http.Request) {
	if err := onlyParams(r.URL.Query()); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.Log.Latest(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(c.Note)
}

func (s *Server) handleInclusionProof(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := onlyParams(q, "seq", "tree_size"); err != nil {
		s.writeError(w, r, err)
		return
	}
	var v aeso.Validation
	seq, size := intParam(&v, q.Get("seq"), "seq", true), intParam(&v, q.Get("tree_size"), "tree_size", true)
	if err := v.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Log.ProveInclusion(r.Context(), seq, size)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, wire.InclusionProof{Seq: p.Seq, LeafIndex: p.Seq - 1, TreeSize: p.TreeSize,
		LeafHash: base64.StdEncoding.EncodeToString(p.LeafHash[:]), Hashes: hashStrings(p.Hashes)})
}

func (s *Server) handleConsistencyProof(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := onlyParams(q, "from", "to"); err != nil {
		s.writeError(w, r, err)
		return
	}
	var v aeso.Validation
	from, to := intParam(&v, q.Get("from"), "from", true), intParam(&v, q.Get("to"), "to", true)
	if err := v.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Log.ProveConsistency(r.Context(), from, to)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, wire.ConsistencyProof{From: from, To: to, Hashes: hashStrings(p)})
}

func hashStrings(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}

// intParam reads a decimal integer parameter into v's problems.
func intParam(v *aeso.Validation, raw, name string, required bool) int64 {
	if raw == "" {
		if required {
			v.Add(name, "required", "is required")
		}
		return 0
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		v.Add(name, "format", "must be a non-negative decimal integer")
		return 0
	}
	return n
}

// tilePrefix is where the C2SP tlog-tiles resources live.
const tilePrefix = "/v1/audit/tlog/"

func (s *Server) handleTile(w http.ResponseWriter, r *http.Request) {
	if err := onlyParams(r.URL.Query()); err != nil {
		s.writeError(w, r, err)
		return
	}
	t, ok := parseTilePath(strings.TrimPrefix(r.URL.Path, tilePrefix))
	if !ok {
		s.writeError(w, r, aeso.Reasonf(aeso.ENOTFOUND, "tile_not_found",
			"not a tile path: tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>], N as in C2SP tlog-tiles (e.g. x001/234)"))
		return
	}
	data, err := s.Log.Tile(r.Context(), t)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	if t.W == 1<<auditlog.TileHeight {
		// A full tile never changes (its events and hashes are append-only).
		w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-store")
	}
	_, _ = w.Write(data)
}

// parseTilePath reads a C2SP tlog-tiles path ("tile/0/x001/234.p/7",
// "tile/entries/005") with the parser of sumdb's tile paths, which differ
// only in naming the height and calling entries "data".
func parseTilePath(p string) (tlog.Tile, bool) {
	rest, ok := strings.CutPrefix(p, "tile/")
	if !ok {
		return tlog.Tile{}, false
	}
	if e, ok := strings.CutPrefix(rest, "entries/"); ok {
		rest = "data/" + e
	}
	t, err := tlog.ParseTilePath("tile/" + strconv.Itoa(auditlog.TileHeight) + "/" + rest)
	if err != nil || t.H != auditlog.TileHeight || t.L > 63/auditlog.TileHeight {
		return tlog.Tile{}, false
	}
	// Only the canonical spelling names a tile, so a cache never holds two
	// copies of one.
	canon := strings.Replace(t.Path(), "tile/8/", "tile/", 1)
	if t.L == -1 {
		canon = strings.Replace(canon, "tile/data/", "tile/entries/", 1)
	}
	return t, canon == p
}

func (s *Server) handleExportLog(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := onlyParams(q, "since"); err != nil {
		s.writeError(w, r, err)
		return
	}
	var v aeso.Validation
	since := intParam(&v, q.Get("since"), "since", false)
	if err := v.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	rc := http.NewResponseController(w)
	started := false
	err := s.Log.Export(r.Context(), since, func(leaf []byte) error {
		if !started {
			started = true
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusOK)
		}
		// A long export outlives the server's write timeout; each write
		// gets a minute of its own.
		if err := rc.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return err
		}
		if _, err := w.Write(leaf); err != nil {
			return err
		}
		_, err := w.Write([]byte{'\n'})
		return err
	})
	switch {
	case err != nil && !started:
		s.writeError(w, r, err)
	case err != nil:
		// The status is sent: end the stream abnormally, so the client sees
		// a broken transfer rather than a short export that looks whole.
		if r.Context().Err() == nil { // not a client that went away
			s.Logger.ErrorContext(r.Context(), "audit export failed", "request_id", requestInfoFrom(r.Context()).RequestID, "err", err)
		}
		panic(http.ErrAbortHandler)
	case !started:
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
	}
}
