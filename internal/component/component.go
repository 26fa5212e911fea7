// Package component holds the health of the platform's components: their
// definitions, the statuses they push, and the state read from those by the
// clock (a component that stops reporting goes stale, then dead, with no
// writer having to notice). It imports no database driver and no net/http.
package component

import (
	"regexp"
	"strings"
	"time"

	"github.com/aeso-dev/aeso"
)

// Statuses a component reports.
const (
	StatusHealthy  = "healthy"
	StatusDegraded = "degraded"
	StatusDown     = "down"
	StatusUnknown  = "unknown"
)

// Statuses lists them in order of gravity.
var Statuses = []string{StatusHealthy, StatusDegraded, StatusDown, StatusUnknown}

// Freshness of the latest report, computed at read time.
const (
	FreshnessFresh = "fresh"
	FreshnessStale = "stale" // older than stale_after
	FreshnessDead  = "dead"  // older than dead_after: treated as down
	FreshnessNever = "never" // no report at all
)

// NamePattern is the shape of a component name.
var NamePattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$`)

// Def is a component's definition, from the config's components section.
type Def struct {
	Name        string        `json:"name" yaml:"name"`
	Owner       string        `json:"owner" yaml:"owner"`
	Critical    bool          `json:"critical" yaml:"critical"`
	StaleAfter  aeso.Duration `json:"stale_after" yaml:"stale_after"`
	DeadAfter   aeso.Duration `json:"dead_after" yaml:"dead_after"`
	Description string        `json:"description,omitempty" yaml:"description"`
}

// Validate returns problems with fields relative to the definition.
func (d *Def) Validate() []aeso.FieldError {
	var v aeso.Validation
	if !NamePattern.MatchString(d.Name) {
		v.Add("name", "pattern", "must be lowercase letters, digits, '.', '_' or '-', at most 64 characters")
	}
	if strings.TrimSpace(d.Owner) == "" || len(d.Owner) > 128 {
		v.Add("owner", "required", "is required (the team that answers for it), at most 128 characters")
	}
	if d.StaleAfter.Duration < time.Second {
		v.Add("stale_after", "required", "is required: how long without a report before the component is stale, at least 1s (e.g. 5m)")
	}
	if d.DeadAfter.Duration <= d.StaleAfter.Duration {
		v.Add("dead_after", "order", "is required and must exceed stale_after: how long without a report before it counts as down (e.g. 30m)")
	}
	if len(d.Description) > 512 {
		v.Add("description", "too_long", "must be at most 512 characters")
	}
	return v.Fields
}

// Report is one status a component pushed.
type Report struct {
	ID            string
	Component     string
	Status        string
	Detail        string
	Source        string // the principal that pushed it
	SourceURL     string
	ObservedAt    time.Time
	RecordedAt    time.Time
	CorrelationID string
	// StatusSince is when the component began reporting this status: the
	// observed_at of the first of the reports in a row that carry it. A
	// history row's is its own observed_at.
	StatusSince time.Time
}

// Freshness tells how old the latest report is at now.
func Freshness(d Def, latest *Report, now time.Time) string {
	switch {
	case latest == nil:
		return FreshnessNever
	case now.Sub(latest.ObservedAt) > d.DeadAfter.Duration:
		return FreshnessDead
	case now.Sub(latest.ObservedAt) > d.StaleAfter.Duration:
		return FreshnessStale
	}
	return FreshnessFresh
}

// Effective is the status readers should act on: down once dead, unknown
// when it never reported, the reported status otherwise.
func Effective(d Def, latest *Report, now time.Time) string {
	switch Freshness(d, latest, now) {
	case FreshnessNever:
		return StatusUnknown
	case FreshnessDead:
		return StatusDown
	}
	return latest.Status
}
