package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// StatusReason is one contribution to a posture.
type StatusReason struct {
	Source    string     `json:"source"`
	Ref       string     `json:"ref"`
	Level     string     `json:"level"`
	Message   string     `json:"message"`
	Since     *time.Time `json:"since"`
	Component string     `json:"component,omitempty"`
}

// ComponentPosture is one component's share of a posture.
type ComponentPosture struct {
	Name       string         `json:"name"`
	Owner      string         `json:"owner"`
	Critical   bool           `json:"critical"`
	Status     string         `json:"status"`
	Freshness  string         `json:"freshness"`
	ObservedAt *time.Time     `json:"observed_at"`
	Posture    string         `json:"posture"`
	Reasons    []StatusReason `json:"reasons"`
}

// Status is a posture with its reasons: current truth when Kind is
// "current", history when it is "snapshot".
type Status struct {
	Kind                string             `json:"kind"`
	Posture             string             `json:"posture"`
	EvaluatedAt         time.Time          `json:"evaluated_at"`
	Environment         string             `json:"environment,omitempty"`
	Reasons             []StatusReason     `json:"reasons"`
	Components          []ComponentPosture `json:"components"`
	OpenReconciliations map[string]int     `json:"open_reconciliations"`
	InputsDigest        string             `json:"inputs_digest"`
	Snapshot            *SnapshotMeta      `json:"snapshot,omitempty"`
}

// SnapshotMeta describes a readiness snapshot.
type SnapshotMeta struct {
	ID           string    `json:"id"`
	TakenAt      time.Time `json:"taken_at"`
	TakenBy      string    `json:"taken_by"`
	Cause        string    `json:"cause"`
	Note         string    `json:"note,omitempty"`
	Posture      string    `json:"posture"`
	InputsDigest string    `json:"inputs_digest"`
}

// SnapshotPage is one page of snapshots, newest first.
type SnapshotPage struct {
	Snapshots  []SnapshotMeta `json:"snapshots"`
	NextCursor *string        `json:"next_cursor"`
}

// Status returns the posture now.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	s := &Status{}
	_, err := c.do(ctx, http.MethodGet, "/v1/status", nil, s)
	return s, err
}

// TakeSnapshot stores the posture now as a readiness snapshot.
func (c *Client) TakeSnapshot(ctx context.Context, note string) (*Status, error) {
	s := &Status{}
	_, err := c.do(ctx, http.MethodPost, "/v1/status/snapshots", map[string]string{"note": note}, s)
	return s, err
}

// Snapshot returns one readiness snapshot.
func (c *Client) Snapshot(ctx context.Context, id string) (*Status, error) {
	s := &Status{}
	_, err := c.do(ctx, http.MethodGet, "/v1/status/snapshots/"+url.PathEscape(id), nil, s)
	return s, err
}

// Snapshots lists readiness snapshots, newest first.
func (c *Client) Snapshots(ctx context.Context, cursor string, limit int) (*SnapshotPage, error) {
	q := url.Values{}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	path := "/v1/status/snapshots"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	p := &SnapshotPage{}
	_, err := c.do(ctx, http.MethodGet, path, nil, p)
	return p, err
}
