// Package invariant holds product invariants: stable IDs such as
// INV-BILLING-001 whose results prove a product flow works, and the state
// each is in per environment. It imports no database driver and no
// net/http.
package invariant

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"

	"github.com/aeso-dev/aeso"
)

// IDPattern is the shape of an invariant ID.
var IDPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$`)

// Result statuses a reporter sends.
const (
	StatusPass  = "pass"
	StatusFail  = "fail"
	StatusError = "error"
)

// States of an invariant in an environment, computed at read time.
const (
	StatePassing  = "passing"
	StateFailing  = "failing"
	StateStale    = "stale"
	StateUnproven = "unproven"
)

// Def is an invariant's definition, from the config file.
type Def struct {
	ID       string        `json:"id" yaml:"id"`
	Title    string        `json:"title" yaml:"title"`
	Owner    string        `json:"owner" yaml:"owner"`
	Severity string        `json:"severity" yaml:"severity"`
	Critical bool          `json:"critical" yaml:"critical"`
	Required bool          `json:"required" yaml:"required"`
	MaxAge   aeso.Duration `json:"max_age" yaml:"max_age"`
}

// Validate returns one FieldError per problem, with fields relative to the
// definition so the config loader can point at the YAML line.
func (d *Def) Validate() []aeso.FieldError {
	var v aeso.Validation
	if !IDPattern.MatchString(d.ID) || len(d.ID) > 64 {
		v.Add("id", "pattern", "must look like INV-BILLING-001: capital letters and digits in dash-separated parts, at most 64 characters")
	}
	if strings.TrimSpace(d.Title) == "" || len(d.Title) > 200 {
		v.Add("title", "required", "is required, at most 200 characters")
	}
	if strings.TrimSpace(d.Owner) == "" || len(d.Owner) > 128 {
		v.Add("owner", "required", "is required (the team that answers for it), at most 128 characters")
	}
	if aeso.SeverityRank(d.Severity) < 0 {
		v.Add("severity", "enum", "must be one of %s", strings.Join(aeso.Severities, ", "))
	}
	if d.MaxAge.Duration < time.Second || d.MaxAge.Duration%time.Second != 0 {
		v.Add("max_age", "required", "is required in whole seconds, at least 1s: how old a result may be before the invariant is stale, e.g. 24h")
	}
	return v.Fields
}

// Result is one reported outcome of an invariant in an environment.
//
// A result that names a bundle proves only through it: it counts once the
// bundle is sealed, and no longer once a correction supersedes it (see
// Counts).
type Result struct {
	ID            string
	InvariantID   string
	Status        string
	Environment   string
	ObservedAt    time.Time
	RecordedAt    time.Time
	CorrelationID string
	BundleID      string // the evidence that proves it, when linked
	ItemID        string
	// ExpiresAt is the linked item's expires_at: the result is stale from
	// then on. Nil for results not carried by an item, or by one that
	// does not expire.
	ExpiresAt *time.Time
	// BundleState, SupersededBy and SupersededAt are read, not stored:
	// the state of the bundle the result names (BundleID), "open" or
	// "sealed", and the bundle that corrected it, when one did, and when.
	BundleState  string
	SupersededBy string
	SupersededAt *time.Time
	// FailingSince is read for the newest result of an invariant that did
	// not pass: when the run of results without a pass it ends began.
	FailingSince  *time.Time
	Details       json.RawMessage // bounded, redacted
	RedactedPaths []string
	Source        string // the principal that reported it
}

// Counts reports whether the result counts for its invariant's state: a
// failure always does (fail closed: no state of its bundle lifts it), and
// a pass that names no bundle, or a sealed one that no correction
// supersedes. The state is read from the newest result that counts, so a
// pass in a bundle still open or since corrected lifts no failure.
func (r *Result) Counts() bool {
	return r.Status != StatusPass || r.BundleID == "" || r.BundleState == "sealed" && r.SupersededBy == ""
}
