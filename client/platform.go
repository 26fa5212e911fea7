package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Component is a component's definition and where it stands now.
type Component struct {
	Name        string           `json:"name"`
	Owner       string           `json:"owner"`
	Critical    bool             `json:"critical"`
	StaleAfter  string           `json:"stale_after"`
	DeadAfter   string           `json:"dead_after"`
	Description string           `json:"description,omitempty"`
	Status      string           `json:"status"`
	Freshness   string           `json:"freshness"`
	Latest      *ComponentReport `json:"latest,omitempty"`
}

// ComponentReport is one status a component pushed.
type ComponentReport struct {
	ID            string    `json:"id"`
	Component     string    `json:"component"`
	Status        string    `json:"status"`
	Detail        string    `json:"detail,omitempty"`
	Source        string    `json:"source"`
	SourceURL     string    `json:"source_url,omitempty"`
	ObservedAt    time.Time `json:"observed_at"`
	RecordedAt    time.Time `json:"recorded_at"`
	CorrelationID string    `json:"correlation_id,omitempty"`
}

// ComponentReportPage is one page of a component's history.
type ComponentReportPage struct {
	Reports    []ComponentReport `json:"reports"`
	NextCursor *string           `json:"next_cursor"`
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

// InvariantResult is one reported invariant result.
type InvariantResult struct {
	ID            string          `json:"id"`
	InvariantID   string          `json:"invariant_id"`
	Status        string          `json:"status"`
	Environment   string          `json:"environment"`
	ObservedAt    time.Time       `json:"observed_at"`
	RecordedAt    time.Time       `json:"recorded_at"`
	CorrelationID string          `json:"correlation_id,omitempty"`
	BundleID      string          `json:"bundle_id,omitempty"`
	ItemID        string          `json:"item_id,omitempty"`
	Details       json.RawMessage `json:"details"`
	RedactedPaths []string        `json:"redacted_paths"`
	Source        string          `json:"source"`
}

// InvariantResultPage is one page of an invariant's history.
type InvariantResultPage struct {
	Results    []InvariantResult `json:"results"`
	NextCursor *string           `json:"next_cursor"`
}

// GuardCounts are a guard run's findings by severity.
type GuardCounts struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	Info     int `json:"info"`
}

// GuardFinding is one normalized finding of a guard run.
type GuardFinding struct {
	RuleID      string `json:"rule_id"`
	Severity    string `json:"severity"`
	Location    string `json:"location,omitempty"`
	Message     string `json:"message,omitempty"`
	Fingerprint string `json:"fingerprint"`
}

// GuardReport is a guard run's summary.
type GuardReport struct {
	ID            string         `json:"id"`
	Guard         string         `json:"guard"`
	Subject       string         `json:"subject"`
	Mode          string         `json:"mode"`
	Open          bool           `json:"open"`
	Counts        GuardCounts    `json:"counts"`
	Findings      []GuardFinding `json:"findings"`
	Duplicates    int            `json:"duplicates"`
	SourceURL     string         `json:"source_url,omitempty"`
	ObservedAt    time.Time      `json:"observed_at"`
	RecordedAt    time.Time      `json:"recorded_at"`
	CorrelationID string         `json:"correlation_id,omitempty"`
	Source        string         `json:"source"`
}

// GuardReportPage is one page of a guard's reports.
type GuardReportPage struct {
	Reports    []GuardReport `json:"reports"`
	NextCursor *string       `json:"next_cursor"`
}

// GateResultPage is one page of a gate's results.
type GateResultPage struct {
	Results    []GateResult `json:"results"`
	NextCursor *string      `json:"next_cursor"`
}

// Ref is what a ref in a reason names: its kind, the route that answers
// it, and the row as that route answers it.
type Ref struct {
	Kind   string          `json:"kind"`
	Ref    string          `json:"ref"`
	URL    string          `json:"url"`
	Object json.RawMessage `json:"object"`
}

// pageQuery adds the non-empty parameters to path.
func pageQuery(path string, params ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		if params[i+1] != "" && params[i+1] != "0" {
			q.Set(params[i], params[i+1])
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

func (c *Client) read(ctx context.Context, path string, out any) error {
	_, err := c.do(ctx, http.MethodGet, path, nil, out)
	return err
}

// ResolveRef opens the row a ref names, the ref exactly as a reason
// prints it.
func (c *Client) ResolveRef(ctx context.Context, ref string) (*Ref, error) {
	r := &Ref{}
	return r, c.read(ctx, "/v1/refs/"+url.PathEscape(ref), r)
}

// Components lists every component with its current status.
func (c *Client) Components(ctx context.Context) ([]Component, error) {
	var out struct {
		Components []Component `json:"components"`
	}
	err := c.read(ctx, "/v1/components", &out)
	return out.Components, err
}

// Component returns one component with its current status.
func (c *Client) Component(ctx context.Context, name string) (*Component, error) {
	out := &Component{}
	return out, c.read(ctx, "/v1/components/"+url.PathEscape(name), out)
}

// ComponentHistory lists a component's reports, newest first.
func (c *Client) ComponentHistory(ctx context.Context, name, cursor string, limit int) (*ComponentReportPage, error) {
	out := &ComponentReportPage{}
	return out, c.read(ctx, pageQuery("/v1/components/"+url.PathEscape(name)+"/history",
		"cursor", cursor, "limit", strconv.Itoa(limit)), out)
}

// Invariants lists every invariant with its state, in environment when set.
func (c *Client) Invariants(ctx context.Context, environment string) ([]Invariant, error) {
	var out struct {
		Invariants []Invariant `json:"invariants"`
	}
	err := c.read(ctx, pageQuery("/v1/invariants", "environment", environment), &out)
	return out.Invariants, err
}

// Invariant returns one invariant with its state per environment.
func (c *Client) Invariant(ctx context.Context, id, environment string) (*Invariant, error) {
	out := &Invariant{}
	return out, c.read(ctx, pageQuery("/v1/invariants/"+url.PathEscape(id), "environment", environment), out)
}

// InvariantHistory lists an invariant's results, newest first.
func (c *Client) InvariantHistory(ctx context.Context, id, environment, cursor string, limit int) (*InvariantResultPage, error) {
	out := &InvariantResultPage{}
	return out, c.read(ctx, pageQuery("/v1/invariants/"+url.PathEscape(id)+"/results",
		"environment", environment, "cursor", cursor, "limit", strconv.Itoa(limit)), out)
}

// GuardReports lists a guard's reports, newest first, for subject when set.
func (c *Client) GuardReports(ctx context.Context, guard, subject, cursor string, limit int) (*GuardReportPage, error) {
	out := &GuardReportPage{}
	return out, c.read(ctx, pageQuery("/v1/guards/"+url.PathEscape(guard)+"/reports",
		"subject", subject, "cursor", cursor, "limit", strconv.Itoa(limit)), out)
}

// GuardReport returns one report of a guard by id.
func (c *Client) GuardReport(ctx context.Context, guard, id string) (*GuardReport, error) {
	out := &GuardReport{}
	return out, c.read(ctx, "/v1/guards/"+url.PathEscape(guard)+"/reports/"+url.PathEscape(id), out)
}

// LatestGuardReport returns a guard's newest report for a subject.
func (c *Client) LatestGuardReport(ctx context.Context, guard, subject string) (*GuardReport, error) {
	out := &GuardReport{}
	return out, c.read(ctx, pageQuery("/v1/guards/"+url.PathEscape(guard)+"/reports/latest", "subject", subject), out)
}

// GateResults lists a gate's results, newest first, for subject when set.
func (c *Client) GateResults(ctx context.Context, gate, subject, cursor string, limit int) (*GateResultPage, error) {
	out := &GateResultPage{}
	return out, c.read(ctx, pageQuery("/v1/gates/"+url.PathEscape(gate)+"/results",
		"subject", subject, "cursor", cursor, "limit", strconv.Itoa(limit)), out)
}

// GateWaivers lists a gate's waivers, newest first, for subject when set.
func (c *Client) GateWaivers(ctx context.Context, gate, subject string) ([]Waiver, error) {
	var out struct {
		Waivers []Waiver `json:"waivers"`
	}
	err := c.read(ctx, pageQuery("/v1/gates/"+url.PathEscape(gate)+"/waivers", "subject", subject), &out)
	return out.Waivers, err
}
