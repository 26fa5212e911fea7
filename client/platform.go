package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/aeso-dev/aeso/wire"
)

type (
	// Component is a component's definition and where it stands now.
	Component = wire.Component
	// ComponentReport is one status a component pushed.
	ComponentReport = wire.ComponentReport
	// ComponentReportPage is one page of a component's history.
	ComponentReportPage = wire.ComponentReportPage
	// Invariant is an invariant's definition and its state per environment.
	Invariant = wire.Invariant
	// InvariantState is an invariant's state in one environment.
	InvariantState = wire.InvariantState
	// InvariantResult is one reported invariant result.
	InvariantResult = wire.InvariantResult
	// InvariantResultPage is one page of an invariant's history.
	InvariantResultPage = wire.InvariantResultPage
	// GuardCounts are a guard run's findings by severity.
	GuardCounts = wire.GuardCounts
	// GuardFinding is one normalized finding of a guard run.
	GuardFinding = wire.GuardFinding
	// GuardReport is a guard run's summary.
	GuardReport = wire.GuardReport
	// GuardReportPage is one page of a guard's reports.
	GuardReportPage = wire.GuardReportPage
	// GateResultPage is one page of a gate's results.
	GateResultPage = wire.GateResultPage
	// Ref is what a ref in a reason names: its kind, the route that answers
	// it, and the row as that route answers it.
	Ref = wire.Ref
)

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
	var out wire.ComponentList
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
	var out wire.InvariantList
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

// GateWaivers lists the first page of a gate's waivers, newest first, for
// subject when set.
func (c *Client) GateWaivers(ctx context.Context, gate, subject string) ([]Waiver, error) {
	page, err := c.GateWaiverPage(ctx, gate, subject, "", 0)
	if err != nil {
		return nil, err
	}
	return page.Waivers, nil
}

// GateWaiverPage lists one page of a gate's waivers, newest first, for
// subject when set, after cursor; limit 0 is the server's default.
func (c *Client) GateWaiverPage(ctx context.Context, gate, subject, cursor string, limit int) (*WaiverList, error) {
	out := &WaiverList{}
	return out, c.read(ctx, pageQuery("/v1/gates/"+url.PathEscape(gate)+"/waivers",
		"subject", subject, "cursor", cursor, "limit", strconv.Itoa(limit)), out)
}
