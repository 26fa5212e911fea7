package server

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/report"
	"github.com/aeso-dev/aeso/wire"
)

// MaxReportBody bounds an uploaded report.
const MaxReportBody = 10 << 20

func (s *Server) handleCreateBundle(w http.ResponseWriter, r *http.Request) {
	var req wire.BundleRequest
	if !s.decode(w, r, &req, "an evidence bundle (kind, subject, title, and optionally labels, correlation_id, owner)") {
		return
	}
	_, o := s.origin(r)
	b, err := s.Evidence.Create(r.Context(), o, bundleRequest(req))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, bundleJSON(b))
}

// decode reads a bounded, strictly decoded JSON body into dst, answering
// the error itself; it returns false when it did.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, dst any, expect string) bool {
	body, err := readBody(r, s.MaxBody)
	if err == nil {
		err = decodeObject(body, dst, "", expect)
	}
	if err != nil {
		s.writeError(w, r, err)
		return false
	}
	return true
}

func (s *Server) handleAddItem(w http.ResponseWriter, r *http.Request) {
	var req wire.ItemRequest
	if !s.decode(w, r, &req, "an evidence item (type, name, result, and optionally counts, summary, links, source, observed_at, expires_at, correlation_id, metadata)") {
		return
	}
	_, o := s.origin(r)
	it, err := s.Evidence.AddItem(r.Context(), o, r.PathValue("id"), itemRequest(req))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, itemJSON(it, s.Now()))
}

// handleAddReport turns an uploaded JUnit, SARIF or go test -json report into
// one item. The report itself is summarised and dropped; its digest and size
// stay.
func (s *Server) handleAddReport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := onlyParams(q, "format", "name", "type", "source_url", "runner", "correlation_id", "expires_at"); err != nil {
		s.writeError(w, r, err)
		return
	}
	format := q.Get("format")
	req := evidence.ItemRequest{
		Type: q.Get("type"), Name: q.Get("name"), CorrelationID: q.Get("correlation_id"),
		ExpiresAt: q.Get("expires_at"), Source: evidence.Source{URL: q.Get("source_url"), Runner: q.Get("runner")},
	}
	if req.Type == "" {
		req.Type = "test_report"
		if format == report.FormatSARIF {
			req.Type = "scan"
		}
	}
	if err := s.Evidence.RequireOpen(r.Context(), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	body, release, ok := s.readReport(w, r)
	if !ok {
		return
	}
	defer release()
	sum, err := report.Parse(format, bytes.NewReader(body), MaxReportBody)
	if err != nil {
		s.writeError(w, r, err) // report errors are *aeso.Error values
		return
	}
	if req.Name == "" {
		req.Name = sum.Name(evidence.MaxTextField)
	}
	_, o := s.origin(r)
	it, err := s.Evidence.AddReport(r.Context(), o, r.PathValue("id"), req, sum)
	if err != nil {
		s.writeError(w, r, renameFields(err, reportParams))
		return
	}
	s.writeJSON(w, r, http.StatusCreated, itemJSON(it, s.Now()))
}

// readReport reads an uploaded report (at most MaxReportBody, refused early
// by Content-Length) and then takes a parse slot; release gives it back.
// The body is read before the slot is taken, so slow uploads cannot hold
// the slots. It answers the error itself when ok is false.
func (s *Server) readReport(w http.ResponseWriter, r *http.Request) (body []byte, release func(), ok bool) {
	tooLarge := aeso.Reasonf(aeso.ETOOLARGE, "payload_too_large", "a report may be at most %d bytes", MaxReportBody)
	if r.ContentLength > MaxReportBody {
		s.writeError(w, r, tooLarge)
		return nil, nil, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxReportBody+1))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe) || len(body) > MaxReportBody:
		s.writeError(w, r, tooLarge)
		return nil, nil, false
	case err != nil:
		s.writeError(w, r, aeso.Reasonf(aeso.EINVALID, "unreadable_body", "the report could not be read"))
		return nil, nil, false
	}
	select {
	case s.reportSlots <- struct{}{}:
		return body, func() { <-s.reportSlots }, true
	case <-r.Context().Done():
		return nil, nil, false // the client left while waiting
	}
}

func (s *Server) handleSealBundle(w http.ResponseWriter, r *http.Request) {
	_, o := s.origin(r)
	b, err := s.Evidence.Seal(r.Context(), o, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, bundleJSON(b))
}

func (s *Server) handlePromoteBundle(w http.ResponseWriter, r *http.Request) {
	var req wire.PromoteRequest
	if !s.decode(w, r, &req, "a promotion (stage, reason)") {
		return
	}
	_, o := s.origin(r)
	p, created, err := s.Evidence.Promote(r.Context(), o, r.PathValue("id"), evidence.PromoteRequest(req))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK // already promoted to this stage
	}
	s.writeJSON(w, r, status, promotionJSON(p))
}

func (s *Server) handleSupersedeBundle(w http.ResponseWriter, r *http.Request) {
	var req wire.SupersedeRequest
	if !s.decode(w, r, &req, "a supersession (reason, and optionally title, labels, correlation_id, owner)") {
		return
	}
	_, o := s.origin(r)
	b, err := s.Evidence.Supersede(r.Context(), o, r.PathValue("id"), evidence.SupersedeRequest(req))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, bundleJSON(b))
}

// maxAgeParam reads the optional max_age query parameter (a Go duration).
func maxAgeParam(r *http.Request) (time.Duration, error) {
	v := r.URL.Query().Get("max_age")
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, &aeso.Error{Code: aeso.EINVALID, Reason: "validation_failed", Message: "request is invalid",
			Fields: []aeso.FieldError{{Field: "max_age", Code: "format", Message: "must be a positive duration such as 168h"}}}
	}
	return d, nil
}

func (s *Server) handleGetBundle(w http.ResponseWriter, r *http.Request) {
	if err := onlyParams(r.URL.Query(), "max_age"); err != nil {
		s.writeError(w, r, err)
		return
	}
	maxAge, err := maxAgeParam(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.Evidence.Get(r.Context(), r.PathValue("id"), maxAge)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, viewJSON(v))
}

func (s *Server) handleLatestBundle(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := onlyParams(q, "kind", "subject", "ref", "stage", "max_age"); err != nil {
		s.writeError(w, r, err)
		return
	}
	maxAge, err := maxAgeParam(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.Evidence.Latest(r.Context(), q.Get("kind"), q.Get("subject"), q.Get("ref"), q.Get("stage"), maxAge)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, viewJSON(v))
}

func (s *Server) handleListBundles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k := range q {
		if k != "label" && len(q[k]) > 1 {
			s.writeError(w, r, &aeso.Error{Code: aeso.EINVALID, Reason: "validation_failed", Message: "request is invalid",
				Fields: []aeso.FieldError{{Field: safeFieldName(k), Code: "repeated", Message: "may be given once"}}})
			return
		}
	}
	single := map[string][]string{}
	for k, v := range q {
		if k != "label" {
			single[k] = v
		}
	}
	if err := onlyParams(single, "kind", "subject", "ref", "state", "stage", "since", "until", "limit", "cursor"); err != nil {
		s.writeError(w, r, err)
		return
	}
	found, err := s.Evidence.List(r.Context(), evidence.Query{
		Kind: q.Get("kind"), Subject: q.Get("subject"), Ref: q.Get("ref"), State: q.Get("state"),
		Stage: q.Get("stage"), Labels: q["label"], Since: q.Get("since"), Until: q.Get("until"),
		Limit: q.Get("limit"), Cursor: q.Get("cursor"),
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]wire.Bundle, len(found.Bundles))
	for i, b := range found.Bundles {
		out[i] = bundleJSON(b)
	}
	s.writeJSON(w, r, http.StatusOK, wire.BundlePage{Bundles: out, NextCursor: nextCursor(found.NextCursor)})
}

func (s *Server) handleExportBundle(w http.ResponseWriter, r *http.Request) {
	exp, err := s.Evidence.Export(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="evidence-`+r.PathValue("id")+`.json"`)
	s.writeJSON(w, r, http.StatusOK, exp)
}

func (s *Server) handleGetItem(w http.ResponseWriter, r *http.Request) {
	it, err := s.Evidence.GetItem(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, itemJSON(it, s.Now()))
}

// reportParams names, for each field of an item whose value an upload
// takes from its query string, the parameter that carried it.
var reportParams = map[string]string{"source.url": "source_url", "source.runner": "runner"}

// renameFields returns err with each field problem named as the client
// sent the field: an upload's query parameters carry what an item's body
// names otherwise. Other errors pass unchanged.
func renameFields(err error, names map[string]string) error {
	var e *aeso.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	renamed := *e
	renamed.Fields = make([]aeso.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		if name, ok := names[f.Field]; ok {
			f.Field = name
		}
		renamed.Fields[i] = f
	}
	return &renamed
}
