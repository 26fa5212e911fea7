package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/aeso-dev/aeso/wire"
)

type (
	// StatusReason is one contribution to a posture.
	StatusReason = wire.StatusReason
	// ComponentPosture is one component's share of a posture.
	ComponentPosture = wire.ComponentPosture
	// Status is a posture with its reasons: current truth when Kind is
	// "current", history when it is "snapshot".
	Status = wire.Status
	// SnapshotMeta describes a readiness snapshot.
	SnapshotMeta = wire.SnapshotMeta
	// SnapshotPage is one page of snapshots, newest first.
	SnapshotPage = wire.SnapshotPage
)

// Status returns the posture now.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	s := &Status{}
	_, err := c.do(ctx, http.MethodGet, "/v1/status", nil, s)
	return s, err
}

// TakeSnapshot stores the posture now as a readiness snapshot.
func (c *Client) TakeSnapshot(ctx context.Context, note string) (*Status, error) {
	s := &Status{}
	_, err := c.do(ctx, http.MethodPost, "/v1/status/snapshots", wire.SnapshotRequest{Note: note}, s)
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
