package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/wire"
)

func (s *Server) eventJSON(e *audit.Event) wire.Event {
	paths := e.RedactedPaths
	if paths == nil {
		paths = []string{}
	}
	return wire.Event{
		ID: e.ID, Seq: e.Seq,
		ActorUserID: e.ActorUserID, ActorServiceAccountID: e.ActorServiceAccountID,
		ActorRole: e.ActorRole, ActorDisplayName: e.ActorDisplayName,
		Action: e.Action, TargetType: e.TargetType, TargetID: e.TargetID,
		TargetDisplayName: e.TargetDisplayName, Result: e.Result,
		CorrelationID: e.CorrelationID, OccurredAt: e.OccurredAt, RecordedAt: e.RecordedAt,
		Metadata: e.Metadata, RedactedPaths: paths, Source: e.Source,
		RequestID: e.RequestID, TraceID: e.TraceID,
		Presentation: presentationJSON(s.Audit.Registry.Present(e)),
	}
}

func presentationJSON(p audit.Presentation) wire.Presentation {
	return wire.Presentation{ActorLabel: p.ActorLabel, TargetLabel: p.TargetLabel, TargetTypeLabel: p.TargetTypeLabel,
		ActionLabel: p.ActionLabel, ActionCategory: p.ActionCategory, ActionFamily: p.ActionFamily, Summary: p.Summary,
		ResultLabel: p.ResultLabel, Severity: p.Severity, SafeDetails: p.SafeDetails,
		DebugRefs: wire.DebugRefs(p.DebugRefs), Registered: p.Registered}
}

func actionDefJSON(d audit.ActionDef) wire.ActionDef {
	return wire.ActionDef{Action: d.Action, Category: d.Category, Family: d.Family, Label: d.Label,
		TargetTypeLabel: d.TargetTypeLabel, Severity: wire.SeverityPair(d.Severity), SafeDetails: d.SafeDetails,
		Summary: d.Summary, BuiltIn: d.BuiltIn}
}

func (s *Server) eventsJSON(events []*audit.Event) []wire.Event {
	out := make([]wire.Event, len(events))
	for i, e := range events {
		out[i] = s.eventJSON(e)
	}
	return out
}

// eventInputs converts decoded events to the domain's inputs.
func eventInputs(in []wire.EventInput) []audit.Input {
	return each(in, func(e wire.EventInput) audit.Input { return audit.Input(e) })
}

// handleIngestEvents accepts one event or {"events":[…]}, all-or-nothing.
func (s *Server) handleIngestEvents(w http.ResponseWriter, r *http.Request) {
	ins, batch, err := s.decodeEvents(r)
	if err == nil {
		ri := requestInfoFrom(r.Context())
		var events []*audit.Event
		var created []bool
		events, created, err = s.Audit.Record(r.Context(), audit.Origin{
			Source: ri.Principal.Name, RequestID: ri.RequestID, TraceID: ri.TraceID,
		}, ins, batch)
		if err == nil {
			receipt := wire.BatchReceipt{Events: make([]wire.Receipt, len(events))}
			for i, e := range events {
				receipt.Events[i] = wire.Receipt{ID: e.ID, Seq: e.Seq, RecordedAt: e.RecordedAt, Status: "replayed"}
				if created[i] {
					receipt.Events[i].Status = "created"
					receipt.Created++
				}
			}
			receipt.Replayed = len(events) - receipt.Created
			s.Metrics.ingested.WithLabelValues("created").Add(float64(receipt.Created))
			s.Metrics.ingested.WithLabelValues("replayed").Add(float64(receipt.Replayed))
			s.Metrics.ingestBatchSize.Observe(float64(len(ins)))
			status := http.StatusCreated
			if receipt.Created == 0 {
				status = http.StatusOK // every event was a replay
			}
			if batch {
				s.writeJSON(w, r, status, receipt)
			} else {
				s.writeJSON(w, r, status, s.eventJSON(events[0]))
			}
			return
		}
	}
	s.Metrics.ingestRejected.WithLabelValues(aeso.ErrorReason(err)).Inc()
	s.writeError(w, r, err)
}

// decodeEvents reads a single event or a batch. Unknown fields are errors,
// so a misspelt field name is caught rather than silently dropped.
func (s *Server) decodeEvents(r *http.Request) ([]audit.Input, bool, error) {
	body, err := readBody(r, s.MaxBody)
	if err != nil {
		return nil, false, err
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, false, aeso.Reasonf(aeso.EINVALID, "malformed_json", "the body must be a JSON object: one event, or {\"events\": [...]}")
	}
	if ins, batch, ok := decodeFast(trimmed); ok {
		if errs := checkEventKeys(trimmed, batch); len(errs) > 0 {
			return nil, batch, &aeso.Error{Code: aeso.EINVALID, Reason: "validation_failed", Message: "request is invalid", Fields: errs}
		}
		return ins, batch, nil
	}
	// The fast path failed: decode again, slowly, to name every bad field
	// with its index.
	var envelope map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &envelope); err != nil {
		return nil, false, malformed(err)
	}
	raw, isBatch := envelope["events"]
	if !isBatch {
		var in wire.EventInput
		if err := decodeObject(trimmed, &in, "", "an audit event"); err != nil {
			return nil, false, err
		}
		return []audit.Input{audit.Input(in)}, false, nil
	}
	if len(envelope) > 1 {
		var v aeso.Validation
		for k := range envelope {
			if k != "events" {
				v.Add(safeFieldName(k), "unknown_field", "a batch body holds only \"events\"")
			}
		}
		return nil, true, v.Err()
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || items == nil {
		return nil, true, &aeso.Error{Code: aeso.EINVALID, Reason: "validation_failed", Message: "request is invalid",
			Fields: []aeso.FieldError{{Field: "events", Code: "type", Message: "must be an array of events"}}}
	}
	if len(items) > audit.MaxBatch {
		return nil, true, &aeso.Error{Code: aeso.EINVALID, Reason: "validation_failed", Message: "request is invalid",
			Fields: []aeso.FieldError{{Field: "events", Code: "too_many", Message: fmt.Sprintf("holds %d events; at most %d are allowed per request", len(items), audit.MaxBatch)}}}
	}
	ins := make([]wire.EventInput, len(items))
	var v aeso.Validation
	for i, item := range items {
		if err := decodeObject(item, &ins[i], fmt.Sprintf("events[%d].", i), "an audit event"); err != nil {
			var e *aeso.Error
			if errors.As(err, &e) && len(e.Fields) > 0 {
				v.Fields = append(v.Fields, e.Fields...)
				continue
			}
			return nil, true, err
		}
	}
	return eventInputs(ins), true, v.Err()
}

// ingestBody is either one event or {"events": […]}; decoding into both at
// once reads a valid body in a single strict pass.
type ingestBody struct {
	Events *[]wire.EventInput `json:"events"`
	wire.EventInput
}

// decodeFast decodes a well-formed body; ok is false on any problem, which
// the caller then diagnoses precisely.
func decodeFast(body []byte) (ins []audit.Input, batch, ok bool) {
	var b ingestBody
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if dec.Decode(&b) != nil || dec.More() {
		return nil, false, false
	}
	if b.Events == nil {
		if reflect.ValueOf(b.EventInput).IsZero() {
			return nil, false, false // {} or {"events": null}: the slow path says which
		}
		return []audit.Input{audit.Input(b.EventInput)}, false, true
	}
	if !reflect.ValueOf(b.EventInput).IsZero() || len(*b.Events) == 0 || len(*b.Events) > audit.MaxBatch {
		return nil, true, false
	}
	return eventInputs(*b.Events), true, true
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "slice", "array":
		return "array"
	case "map", "struct":
		return "object"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return "number"
	case "bool":
		return "boolean (true or false)"
	}
	return "value of another type"
}

func malformed(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return aeso.Reasonf(aeso.EINVALID, "malformed_json", "the body is not valid JSON (at byte %d)", se.Offset)
	}
	return aeso.Reasonf(aeso.EINVALID, "malformed_json", "the body is not valid JSON")
}

func (s *Server) handleListEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := onlyParams(q, "actor_user_id", "actor_service_account_id", "action", "category",
		"target_type", "target_id", "result", "correlation_id", "q", "since", "until", "limit", "cursor"); err != nil {
		s.writeError(w, r, err)
		return
	}
	// A filter given empty is a mistake (an unset variable in a script),
	// not "any": answered as one rather than with the whole trail.
	var empty aeso.Validation
	for k, vs := range q {
		if k != "q" && len(vs) == 1 && vs[0] == "" {
			empty.Add(k, "empty", "is empty: give a value, or leave the parameter out")
		}
	}
	if err := empty.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	var search *string
	if q.Has("q") {
		v := q.Get("q")
		search = &v
	}
	found, err := s.Audit.List(r.Context(), audit.Query{
		ActorUserID:           q.Get("actor_user_id"),
		ActorServiceAccountID: q.Get("actor_service_account_id"),
		Action:                q.Get("action"),
		Category:              q.Get("category"),
		TargetType:            q.Get("target_type"),
		TargetID:              q.Get("target_id"),
		Result:                q.Get("result"),
		CorrelationID:         q.Get("correlation_id"),
		Search:                search,
		Since:                 q.Get("since"),
		Until:                 q.Get("until"),
		Limit:                 q.Get("limit"),
		Cursor:                q.Get("cursor"),
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, wire.EventPage{Events: s.eventsJSON(found.Events), NextCursor: nextCursor(found.NextCursor)})
}

func (s *Server) handleGetEvent(w http.ResponseWriter, r *http.Request) {
	e, err := s.Audit.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, s.eventJSON(e))
}

func (s *Server) handleListActions(w http.ResponseWriter, r *http.Request) {
	// The registry is fixed at start: encode its answer once.
	s.actionsOnce.Do(func() {
		s.actionsBody, s.actionsErr = json.Marshal(wire.ActionList{Actions: each(s.Audit.Registry.All(), actionDefJSON)})
	})
	if s.actionsErr != nil {
		s.writeError(w, r, fmt.Errorf("encode answer: %w", s.actionsErr))
		return
	}
	s.writeEncoded(w, http.StatusOK, s.actionsBody)
}

// boolParam reads a true/false query parameter, false when absent. A
// parameter given without a value (?dry_run, ?dry_run=) is refused rather
// than read either way: a client that wrote it meant something, and
// guessing wrong would record an evaluation meant as a dry run.
func boolParam(v *aeso.Validation, q url.Values, name string) bool {
	vals, ok := q[name]
	if !ok {
		return false
	}
	switch vals[0] {
	case "true":
		return true
	case "false":
		return false
	}
	v.Add(name, "format", "must be true or false (?%s=true)", name)
	return false
}

// onlyParams rejects unknown query parameters, so a misspelt filter is an
// error rather than a silently unfiltered listing, and a parameter given
// twice.
func onlyParams(q map[string][]string, allowed ...string) error {
	return paramProblems(q, allowed, true)
}

// knownParams rejects unknown query parameters only; a route that takes a
// parameter more than once (label=…&label=…) checks repeats itself.
func knownParams(q map[string][]string, allowed ...string) error {
	return paramProblems(q, allowed, false)
}

func paramProblems(q map[string][]string, allowed []string, once bool) error {
	var v aeso.Validation
	for k := range q {
		ok := false
		for _, a := range allowed {
			ok = ok || a == k
		}
		switch {
		case !ok && len(allowed) == 0:
			v.Add(safeFieldName(k), "unknown_parameter", "is not a parameter of this endpoint, which takes none")
		case !ok:
			v.Add(safeFieldName(k), "unknown_parameter", "is not a parameter of this endpoint; use %s", strings.Join(allowed, ", "))
		case once && len(q[k]) > 1:
			v.Add(safeFieldName(k), "repeated", "may be given once")
		}
	}
	return v.Err()
}
