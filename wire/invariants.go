package wire

import (
	"encoding/json"
	"time"
)

// InvariantResultRequest reports one outcome of an invariant.
type InvariantResultRequest struct {
	Status        string          `json:"status"`
	Environment   string          `json:"environment"`
	ObservedAt    string          `json:"observed_at,omitempty"`
	CorrelationID string          `json:"correlation_id,omitempty"`
	BundleID      string          `json:"bundle_id,omitempty"`
	ItemID        string          `json:"item_id,omitempty"`
	Details       json.RawMessage `json:"details,omitempty"`
}

// InvariantResult is one reported invariant result.
type InvariantResult struct {
	ID            string     `json:"id"`
	InvariantID   string     `json:"invariant_id"`
	Status        string     `json:"status"`
	Environment   string     `json:"environment"`
	ObservedAt    time.Time  `json:"observed_at"`
	RecordedAt    time.Time  `json:"recorded_at"`
	CorrelationID string     `json:"correlation_id,omitempty"`
	BundleID      string     `json:"bundle_id,omitempty"`
	ItemID        string     `json:"item_id,omitempty"`
	ExpiresAt     *time.Time `json:"expires_at,omitempty"` // the carrying item's
	// The state of the bundle it names ("open" or "sealed"), and the
	// bundle that corrected it, when one did, and when.
	BundleState        string          `json:"bundle_state,omitempty"`
	BundleSupersededBy string          `json:"bundle_superseded_by,omitempty"`
	BundleSupersededAt *time.Time      `json:"bundle_superseded_at,omitempty"`
	Details            json.RawMessage `json:"details"`
	RedactedPaths      []string        `json:"redacted_paths"`
	Source             string          `json:"source"`
}

// Invariant is an invariant's definition and its state per environment.
type Invariant struct {
	ID        string           `json:"id"`
	Title     string           `json:"title"`
	Owner     string           `json:"owner"`
	Severity  string           `json:"severity"`
	Critical  bool             `json:"critical"`
	Required  bool             `json:"required"`
	MaxAge    string           `json:"max_age"`
	FirstSeen time.Time        `json:"first_seen"`
	RetiredAt *time.Time       `json:"retired_at,omitempty"`
	States    []InvariantState `json:"states"`
}

// InvariantState is an invariant's state in one environment.
type InvariantState struct {
	Environment string           `json:"environment"`
	State       string           `json:"state"`
	Since       *time.Time       `json:"since,omitempty"`
	Latest      *InvariantResult `json:"latest,omitempty"`
}

// InvariantList lists every invariant with its states.
type InvariantList struct {
	Invariants []Invariant `json:"invariants"`
}

// InvariantResultPage is one page of an invariant's history, newest first.
type InvariantResultPage struct {
	Results    []InvariantResult `json:"results"`
	NextCursor *string           `json:"next_cursor"`
}
