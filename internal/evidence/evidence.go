// Package evidence holds evidence bundles: packaged proof (test reports,
// scans, drills, attestations) that is sealed with a digest, promoted to
// stages, and corrected only by supersession. It imports no database
// driver and no net/http.
package evidence

import (
	"encoding/json"
	"time"

	"github.com/aeso-dev/aeso/internal/report"
)

// Kinds of bundle.
var Kinds = []string{"release", "uat", "security", "drill", "guard", "smoke", "operator", "incident"}

// ItemTypes are the kinds of proof an item holds.
var ItemTypes = []string{"test_report", "scan", "check", "manual_attestation", "drill_record", "artifact", "invariant_result", "guard_summary"}

// Results an item may carry.
var Results = []string{"pass", "fail", "warn", "skip", "error"}

// Bundle states. A bundle is stored open or sealed; a sealed bundle with
// at least one promotion reads as promoted.
const (
	StateOpen     = "open"
	StateSealed   = "sealed"
	StatePromoted = "promoted"
)

// Subject is what a bundle is evidence about: a name and a ref (a
// version, a commit, an environment). Its JSON, Link's and Source's are
// part of the sealed document the digest covers, and of what an item keeps
// in storage, so they never change.
type Subject struct {
	Name string `json:"name"`
	Ref  string `json:"ref"`
}

// Bundle is a package of evidence.
type Bundle struct {
	ID              string
	Kind            string
	Subject         Subject
	Title           string
	Labels          map[string]string
	CorrelationID   string
	Owner           string
	State           string
	CreatedAt       time.Time
	CreatedBy       string
	SealedAt        *time.Time
	SealedBy        string
	Digest          string // "sha256:<hex>" once sealed
	Document        []byte // the canonical document the digest covers, once sealed
	Promoted        bool   // has at least one promotion (set on reads)
	Supersedes      string
	SupersedeReason string
	SupersededBy    string
}

// DigestVersion is the encoding the bundle's digest covers (DigestV1 or
// DigestV2), read from its sealed document; "" while the bundle is open.
func (b *Bundle) DigestVersion() string {
	if len(b.Document) == 0 {
		return ""
	}
	return DocumentVersion(b.Document)
}

// DisplayState is the state readers see: promoted once a sealed bundle has
// a promotion.
func (b *Bundle) DisplayState() string {
	if b.State == StateSealed && b.Promoted {
		return StatePromoted
	}
	return b.State
}

// Link points at an artifact kept elsewhere, pinned by its digest.
type Link struct {
	URL    string `json:"url"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Name   string `json:"name,omitempty"`
}

// Source says where an item came from.
type Source struct {
	URL    string `json:"url,omitempty"`    // e.g. the CI job
	Runner string `json:"runner,omitempty"` // e.g. the runner or host
}

// Item is one result within a bundle.
type Item struct {
	ID            string
	BundleID      string
	Position      int // 1-based order within the bundle
	Type          string
	Name          string
	Result        string
	Counts        report.Counts
	Summary       string
	Links         []Link
	Source        Source
	ObservedAt    time.Time
	ExpiresAt     *time.Time
	CorrelationID string
	Metadata      json.RawMessage // canonical, redacted
	RedactedPaths []string
	Report        *report.Summary // set when the item came from an uploaded report
	CreatedAt     time.Time
	CreatedBy     string
}

// Stale reports whether the item's proof has expired at now.
func (it *Item) Stale(now time.Time) bool {
	return it.ExpiresAt != nil && !now.Before(*it.ExpiresAt)
}

// Proves reports whether the item is proof at now: a result that ran to
// its end (pass, warn or fail; not skip or error) and has not expired. A
// bundle is as old as the oldest of its proving items, when that is older
// than its seal.
func (it *Item) Proves(now time.Time) bool {
	switch it.Result {
	case "pass", "warn", "fail":
		return !it.Stale(now)
	}
	return false
}

// Promotion records that a sealed bundle reached a stage: who, when, why,
// and which digest they promoted.
type Promotion struct {
	ID         string
	BundleID   string
	Stage      string
	Reason     string
	Digest     string
	PromotedAt time.Time
	PromotedBy string
}

// Filter selects bundles for a listing; zero values mean "any".
type Filter struct {
	Kind        string
	SubjectName string
	SubjectRef  string
	State       string
	Stage       string
	Labels      map[string]string
	Since       time.Time // created at or after
	Until       time.Time // created before
	BeforeID    string    // keyset cursor: ids are time-ordered UUIDv7
	Limit       int
}
