// Package reconcile holds reconciliation records: detected drift or a
// failed invariant, classified by severity and owner, with bounded evidence
// and a timeline of transitions that is appended to, never rewritten. It
// imports no database driver and no net/http.
package reconcile

import (
	"sort"
	"time"

	"github.com/aeso-dev/aeso"
)

// States of a record.
const (
	StateDetected  = "detected"
	StateRepairing = "repairing"
	StateRetrying  = "retrying"
	StateRepaired  = "repaired"
	StateCleanedUp = "cleaned_up"
	StateBlocked   = "blocked"
	StateAccepted  = "accepted"
	StateResolved  = "resolved"
)

// Severities of a record, least to most severe: those of aeso.Severities
// from low, since drift is never merely informational.
var Severities = aeso.Severities[1:]

// next lists the states each state may move to.
var next = map[string][]string{
	StateDetected:  {StateRepairing, StateBlocked, StateAccepted, StateResolved},
	StateRepairing: {StateRepaired, StateCleanedUp, StateRetrying, StateBlocked, StateAccepted},
	StateRetrying:  {StateRepairing, StateRepaired, StateCleanedUp, StateBlocked, StateAccepted},
	StateRepaired:  {StateResolved, StateRepairing},
	StateCleanedUp: {StateResolved, StateRepairing},
	StateBlocked:   {StateRepairing, StateRetrying, StateAccepted, StateResolved},
	StateAccepted:  {StateRepairing, StateBlocked, StateResolved},
	StateResolved:  {},
}

// Allowed returns the states a record in state may move to, sorted.
func Allowed(state string) []string {
	out := append([]string{}, next[state]...)
	sort.Strings(out)
	return out
}

// Pair is an observed value beside the expected one.
type Pair struct {
	Field    string `json:"field"`
	Observed string `json:"observed"`
	Expected string `json:"expected"`
}

// Link pins an artifact by URL and digest.
type Link struct {
	URL    string `json:"url"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Evidence is what a record carries of the drift: bounded and redacted.
// Its JSON (with Link's and Pair's) is a storage shape: a record keeps its
// evidence in it.
type Evidence struct {
	Summary string `json:"summary"`
	Links   []Link `json:"links"`
	Pairs   []Pair `json:"pairs"`
}

// Record is a reconciliation record with its current projection.
type Record struct {
	ID              string
	Component       string
	InvariantID     string
	Kind            string
	Severity        string
	Owner           string
	CorrelationID   string
	Evidence        Evidence
	RedactedPaths   []string
	State           string
	NextAction      string
	NextActionOwner string
	AcceptedUntil   *time.Time
	CreatedAt       time.Time
	CreatedBy       string
	UpdatedAt       time.Time
	ResolvedAt      *time.Time
}

// Open reports whether the record still asks for attention.
func (r *Record) Open() bool { return r.State != StateResolved }

// Lapsed reports whether the record is accepted but its acceptance has
// expired at now: it counts again, as if it had not been accepted.
func (r *Record) Lapsed(now time.Time) bool {
	return r.State == StateAccepted && r.AcceptedUntil != nil && !now.Before(*r.AcceptedUntil)
}

// TimeToResolve is how long the record was open, once resolved.
func (r *Record) TimeToResolve() *time.Duration {
	if r.ResolvedAt == nil {
		return nil
	}
	d := r.ResolvedAt.Sub(r.CreatedAt)
	return &d
}

// Transition is one step of a record's timeline.
type Transition struct {
	ID              string
	RecordID        string
	From            string
	To              string
	Actor           string
	Reason          string
	NextAction      string
	NextActionOwner string
	AcceptedUntil   *time.Time
	At              time.Time
}
