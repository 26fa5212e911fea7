package audit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/paging"
)

// Store is what the audit trail needs from storage.
type Store interface {
	// AppendEvents stores, in one transaction, every event next yields
	// whose id is not stored yet, assigning gap-free seq numbers in order.
	// An id already stored with the same content is a replay: the stored
	// event is returned in its place and created[i] is false. An id stored
	// with different content (an *IDConflictError), or an error from next,
	// fails the whole call and nothing is written.
	AppendEvents(ctx context.Context, next Chunks) (stored []*Event, created []bool, err error)
	// AppendEvent stores one event as AppendEvents would, committed
	// together with the single events that arrive at the same time.
	AppendEvent(ctx context.Context, e *Event) (stored *Event, created bool, err error)
	// GetEvent returns one event or a not_found error.
	GetEvent(ctx context.Context, id string) (*Event, error)
	// ListEvents returns events matching f, highest seq first.
	ListEvents(ctx context.Context, f Filter) ([]*Event, error)
}

// Preparer is a Store that can do part of an append's work per event
// before it numbers the events under its lock: the service calls
// PrepareEvent on each event once every stored field but seq is final
// (validated, stamped), while the previous append may still hold the lock.
// It may set e.Prepared, and nothing else.
type Preparer interface {
	PrepareEvent(e *Event)
}

// Chunks yields the events of one append in order, a chunk per call, and
// nil when there are no more. Yielding chunks lets validation of the next
// chunk overlap the insert of this one.
type Chunks func() ([]*Event, error)

// Slice yields events as a single chunk.
func Slice(events []*Event) Chunks {
	done := false
	return func() ([]*Event, error) {
		if done {
			return nil, nil
		}
		done = true
		return events, nil
	}
}

// Origin describes who sent events and through which request.
type Origin struct {
	Source    string // the principal of the authenticated token
	RequestID string
	TraceID   string
}

// Service records and reads the audit trail.
type Service struct {
	Store    Store
	Registry *Registry
	Now      func() time.Time
	NewID    func() string
}

// Record validates and stores events all-or-nothing. It returns the stored
// events in input order and, for each, whether this call created it (false
// for a replay of an event already stored, or sent twice in one batch).
// batch says whether ins came as {"events":[…]}, which decides how fields
// are named in errors.
func (s *Service) Record(ctx context.Context, o Origin, ins []Input, batch bool) ([]*Event, []bool, error) {
	if err := s.refuseBuiltIn(ins, batch); err != nil {
		return nil, nil, err
	}
	if !batch {
		e, err := Normalize(&ins[0], s.Now(), s.NewID)
		if err != nil {
			return nil, nil, err
		}
		d := newDeduper(s.Now(), false, 1)
		stamp(e, o, d.now)
		s.prepare(e)
		unique, err := d.add([]*Event{e}, 0) // one event cannot repeat itself
		if err != nil {
			return nil, nil, err
		}
		stored, created, err := s.Store.AppendEvent(ctx, unique[0])
		if err != nil {
			return d.finish(nil, nil, err)
		}
		return d.finish([]*Event{stored}, []bool{created}, nil)
	}
	if err := checkBatchSize(len(ins)); err != nil {
		return nil, nil, err
	}
	return s.recordBatch(ctx, o, ins)
}

// ReservedPrefix begins every action aeso records itself; no client and no
// config definition may use it, so an event under it is always aeso's.
const ReservedPrefix = "aeso."

// refuseBuiltIn refuses events that claim an action aeso records itself
// (a seal, a promotion, a verdict, a token): a client able to write
// "aeso.evidence.seal" could otherwise put a seal of a bundle that never
// existed into the signed log, and a verifier would find it there.
func (s *Service) refuseBuiltIn(ins []Input, batch bool) error {
	if s.Registry == nil {
		return nil
	}
	var v aeso.Validation
	for i, in := range ins {
		if d := s.Registry.Lookup(in.Action); (d != nil && d.BuiltIn) || strings.HasPrefix(in.Action, ReservedPrefix) {
			field := "action"
			if batch {
				field = "events[" + strconv.Itoa(i) + "].action"
			}
			v.Add(field, "reserved", "actions under %q are recorded by aeso itself and cannot be sent", ReservedPrefix)
		}
	}
	return v.Err()
}

// pipelineChunk is how many events of a batch are validated before the
// store starts inserting them, while the next chunk is validated.
const pipelineChunk = 250

// recordBatch validates a batch chunk by chunk in a goroutine of its own
// while the store inserts the chunks already validated, inside one
// transaction. The first invalid event makes the store roll back, after
// every chunk was validated so that all problems are reported at once.
func (s *Service) recordBatch(ctx context.Context, o Origin, ins []Input) ([]*Event, []bool, error) {
	now := s.Now()
	out := make([]*Event, len(ins))
	type span struct {
		start, end int
		errs       []aeso.FieldError
	}
	nChunks := (len(ins) + pipelineChunk - 1) / pipelineChunk
	spans := make(chan span, nChunks) // never blocks the validator, even if the store gives up
	go func() {
		for start := 0; start < len(ins); start += pipelineChunk {
			end := min(start+pipelineChunk, len(ins))
			errs := normalizeRange(ins, out, start, end, now, s.NewID)
			if len(errs) == 0 {
				for _, e := range out[start:end] {
					stamp(e, o, now)
					s.prepare(e)
				}
			}
			spans <- span{start, end, errs}
		}
		close(spans)
	}()
	d := newDeduper(now, true, len(ins))
	return d.finish(s.Store.AppendEvents(ctx, func() ([]*Event, error) {
		sp, ok := <-spans
		if !ok {
			return nil, nil
		}
		if len(sp.errs) > 0 {
			var v aeso.Validation
			v.Fields = sp.errs
			for rest := range spans {
				v.Fields = append(v.Fields, rest.errs...)
			}
			return nil, v.Err()
		}
		return d.add(out[sp.start:sp.end], sp.start)
	}))
}

// deduper stamps events as they reach the store and folds repeats: two
// events of one batch with the same id are one event sent twice when their
// content agrees, and a conflict when it does not.
type deduper struct {
	now   time.Time
	batch bool
	first map[string]int // id → index of its first occurrence
	all   []*Event       // every event, in input order
}

func newDeduper(now time.Time, batch bool, n int) *deduper {
	return &deduper{now: now, batch: batch, first: make(map[string]int, n), all: make([]*Event, 0, n)}
}

// add takes stamped events (whose first index in the input is offset) and
// returns those the store has not been given yet.
func (d *deduper) add(events []*Event, offset int) ([]*Event, error) {
	unique := make([]*Event, 0, len(events))
	for k, e := range events {
		i := offset + k
		d.all = append(d.all, e)
		if j, ok := d.first[e.ID]; ok {
			if !d.all[j].SameContent(e) {
				return nil, inBatchConflict(i, j)
			}
			continue
		}
		d.first[e.ID] = i
		unique = append(unique, e)
	}
	return unique, nil
}

// finish maps the store's answer, given per unique event, back to input
// order.
func (d *deduper) finish(stored []*Event, created []bool, err error) ([]*Event, []bool, error) {
	var idc *IDConflictError
	if errors.As(err, &idc) {
		return nil, nil, conflict(d.first[idc.ID], d.batch)
	} else if err != nil {
		return nil, nil, err
	}
	out := make([]*Event, len(d.all))
	outCreated := make([]bool, len(d.all))
	for u, e := range stored {
		i := d.first[e.ID]
		out[i], outCreated[i] = e, created[u]
	}
	for i, e := range d.all {
		if out[i] == nil { // a repeat within the batch
			out[i] = out[d.first[e.ID]]
		}
	}
	return out, outCreated, nil
}

// Prepare validates one event without storing it, for callers that store it
// in their own transaction beside another change (token creation).
func (s *Service) Prepare(o Origin, in Input) (*Event, error) {
	e, err := Normalize(&in, s.Now(), s.NewID)
	if err != nil {
		return nil, err
	}
	stamp(e, o, s.Now())
	return e, nil
}

// prepare lets a Preparer store work on e before its lock.
func (s *Service) prepare(e *Event) {
	if p, ok := s.Store.(Preparer); ok {
		p.PrepareEvent(e)
	}
}

// stamp sets the fields the server, not the caller, decides. It comes
// before prepare: nothing but seq may change after it.
func stamp(e *Event, o Origin, now time.Time) {
	e.Source = o.Source
	e.RequestID = o.RequestID
	e.TraceID = o.TraceID
	e.RecordedAt = now.UTC().Truncate(time.Microsecond)
}

// IDConflictError is what a Store returns when an id is already stored
// with different content.
type IDConflictError struct{ ID string }

func (e *IDConflictError) Error() string {
	return "event id " + e.ID + " is stored with different content"
}

func conflict(index int, batch bool) error {
	field := "id"
	if batch {
		field = fmt.Sprintf("events[%d].id", index)
	}
	return &aeso.Error{
		Code: aeso.ECONFLICT, Reason: "idempotency_conflict",
		Message: "an event with this id is already stored with different content",
		Fields:  []aeso.FieldError{{Field: field, Code: "conflict", Message: "id already used for a different event"}},
	}
}

// inBatchConflict is the answer to a batch that gives one id to two
// events of different content: nothing of it is stored.
func inBatchConflict(index, first int) error {
	return &aeso.Error{
		Code: aeso.ECONFLICT, Reason: "idempotency_conflict",
		Message: fmt.Sprintf("events[%d] and events[%d] have the same id and different content; nothing of the batch was stored", first, index),
		Fields:  []aeso.FieldError{{Field: fmt.Sprintf("events[%d].id", index), Code: "conflict", Message: fmt.Sprintf("id already used by events[%d] for a different event", first)}},
	}
}

// Get returns one event.
func (s *Service) Get(ctx context.Context, id string) (*Event, error) {
	return s.Store.GetEvent(ctx, id)
}

// Query is a listing request as the API receives it.
type Query struct {
	ActorUserID           string
	ActorServiceAccountID string
	Action                string // exact, or "prefix.*"
	Category              string
	TargetType            string
	TargetID              string
	Result                string
	CorrelationID         string
	// Search is q=, the words to look for; nil when q= was not given,
	// so that an empty q= is refused rather than ignored.
	Search *string
	Since  string
	Until  string
	Limit  string
	Cursor string
}

// Page is one page of a listing; NextCursor is empty on the last page.
type Page struct {
	Events     []*Event
	NextCursor string
}

// DefaultLimit and MaxLimit bound a page.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// List returns events matching q, newest (highest seq) first. Paging is by
// seq, so events recorded while a client pages never shift later pages.
func (s *Service) List(ctx context.Context, q Query) (*Page, error) {
	f, err := s.filter(q)
	if err != nil {
		return nil, err
	}
	events, next, err := paging.Read(f.Limit, func(n int) ([]*Event, error) {
		f.Limit = n
		return s.Store.ListEvents(ctx, f)
	}, func(e *Event) string { return paging.AfterSeq(e.Seq) })
	if err != nil {
		return nil, err
	}
	return &Page{Events: events, NextCursor: next}, nil
}

func (s *Service) filter(q Query) (Filter, error) {
	var v aeso.Validation
	f := Filter{
		ActorUserID:           q.ActorUserID,
		ActorServiceAccountID: q.ActorServiceAccountID,
		TargetType:            q.TargetType,
		TargetID:              q.TargetID,
		CorrelationID:         q.CorrelationID,
		Result:                q.Result,
		Limit:                 DefaultLimit,
	}
	switch a := q.Action; {
	case a == "":
	case strings.HasSuffix(a, ".*"):
		f.ActionPrefix = strings.TrimSuffix(a, "*")
		// "credentials.*" is valid when "credentials.x" would be an action.
		if !actionPattern.MatchString(f.ActionPrefix + "x") {
			v.Add("action", "pattern", "must be an action or a prefix ending in .* (e.g. credentials.*)")
		}
	case actionPattern.MatchString(a):
		f.Action = a
	default:
		v.Add("action", "pattern", "must be an action or a prefix ending in .* (e.g. credentials.*)")
	}
	if q.Category != "" {
		if strings.EqualFold(q.Category, CategoryUncategorized) {
			f.ExcludeActions = s.Registry.RegisteredActions()
		} else if f.Actions = s.Registry.ActionsInCategory(q.Category); len(f.Actions) == 0 {
			v.Add("category", "unknown", "no registered action has this category; known: %s",
				strings.Join(append(s.Registry.Categories(), CategoryUncategorized), ", "))
		}
	}
	if q.Search != nil {
		f.Search = searchTerms(*q.Search, &v)
	}
	switch q.Result {
	case "", ResultSuccess, ResultFailure, ResultDenied:
	default:
		v.Add("result", "enum", "must be one of success, failure, denied")
	}
	for _, t := range []struct {
		name, value string
		dst         *time.Time
	}{{"since", q.Since, &f.Since}, {"until", q.Until, &f.Until}} {
		if t.value == "" {
			continue
		}
		ts, err := time.Parse(time.RFC3339Nano, t.value)
		if err != nil {
			v.Add(t.name, "format", "must be an RFC 3339 timestamp (e.g. 2026-01-02T15:04:05Z)")
			continue
		}
		if y := ts.UTC().Year(); y < 1 || y > 9999 {
			v.Add(t.name, "range", "must lie between the years 0001 and 9999 in UTC")
			continue
		}
		*t.dst = ts.UTC()
	}
	if q.Limit != "" {
		n, err := strconv.Atoi(q.Limit)
		if err != nil || n < 1 || n > MaxLimit {
			v.Add("limit", "range", "must be an integer from 1 to %d", MaxLimit)
		} else {
			f.Limit = n
		}
	}
	f.BeforeSeq = paging.Seq(&v, q.Cursor)
	return f, v.Err()
}
