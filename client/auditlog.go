package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aeso-dev/aeso/wire"
)

type (
	// InclusionProof proves that the event seq is leaf seq-1 of the tree of
	// TreeSize leaves; hashes are standard base64, as in RFC 6962.
	InclusionProof = wire.InclusionProof
	// ConsistencyProof proves that the tree of From leaves is a prefix of
	// the tree of To leaves.
	ConsistencyProof = wire.ConsistencyProof
)

// AuditKey returns the log's verifier key (a signed note verifier key).
func (c *Client) AuditKey(ctx context.Context) (string, error) {
	b, err := c.getBytes(ctx, "/v1/audit/key", maxCheckpoint)
	return strings.TrimSpace(string(b)), err
}

// Checkpoint returns the log's latest signed checkpoint, a C2SP signed note.
func (c *Client) Checkpoint(ctx context.Context) ([]byte, error) {
	return c.getBytes(ctx, "/v1/audit/checkpoint", maxCheckpoint)
}

// InclusionProof returns the proof that event seq is in the tree of treeSize.
func (c *Client) InclusionProof(ctx context.Context, seq, treeSize int64) (*InclusionProof, error) {
	p := &InclusionProof{}
	q := url.Values{"seq": {strconv.FormatInt(seq, 10)}, "tree_size": {strconv.FormatInt(treeSize, 10)}}
	return p, c.getJSON(ctx, "/v1/audit/proof/inclusion?"+q.Encode(), maxProof, p)
}

// ConsistencyProof returns the proof that the tree of from leaves is a
// prefix of the tree of to leaves.
func (c *Client) ConsistencyProof(ctx context.Context, from, to int64) (*ConsistencyProof, error) {
	p := &ConsistencyProof{}
	q := url.Values{"from": {strconv.FormatInt(from, 10)}, "to": {strconv.FormatInt(to, 10)}}
	return p, c.getJSON(ctx, "/v1/audit/proof/consistency?"+q.Encode(), maxProof, p)
}

// Tile returns a C2SP tlog-tiles resource of the log by its path, e.g.
// "tile/0/x001/234", "tile/entries/000.p/5" or "checkpoint".
func (c *Client) Tile(ctx context.Context, path string) ([]byte, error) {
	path = strings.TrimPrefix(path, "/")
	limit := int64(maxHashTile)
	switch {
	case path == "checkpoint":
		limit = maxCheckpoint
	case strings.HasPrefix(path, "tile/entries/"):
		limit = maxEntryBundle
	}
	return c.getBytes(ctx, "/v1/audit/tlog/"+path, limit)
}

// ExportLog streams the leaves of the events after seq since (0: from the
// first) as JSON Lines; the caller reads and closes it. It is not bounded
// by the client's timeout, only by ctx: an export may take long.
func (c *Client) ExportLog(ctx context.Context, since int64) (io.ReadCloser, error) {
	resp, err := c.get(ctx, "/v1/audit/export?since="+strconv.FormatInt(since, 10), 0)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// What the log's answers may weigh. They come from a server the verifier
// and the witness do not trust: each is read up to its bound, no further.
const (
	maxCheckpoint  = 64 << 10          // a signed note: a few lines and signatures
	maxHashTile    = 256 * 32          // 256 hashes of 32 bytes
	maxEntryBundle = 256 * (2 + 65535) // 256 entries, each a uint16 length and at most 65,535 bytes
	maxProof       = 64 << 10          // at most 2·64 hashes in base64, in JSON
)

// getBytes reads a non-JSON answer whole, refusing one past limit bytes.
func (c *Client) getBytes(ctx context.Context, path string, limit int64) ([]byte, error) {
	resp, err := c.get(ctx, path, -1)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return readLimited(resp.Body, limit, "GET "+path)
}

// getJSON reads a JSON answer of at most limit bytes into out.
func (c *Client) getJSON(ctx context.Context, path string, limit int64, out any) error {
	b, err := c.getBytes(ctx, path, limit)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("decode answer from GET %s: %w", path, err)
	}
	return nil
}

// get sends a GET and returns a 2xx answer with its body open; an error
// answer becomes an *Error. timeout -1 keeps the client's own.
func (c *Client) get(ctx context.Context, path string, timeout time.Duration) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+path, nil)
	if err != nil {
		return nil, err
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if timeout >= 0 {
		copied := *c.HTTP
		copied.Timeout = timeout
		hc = &copied
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, c.unreachable(err)
	}
	if resp.StatusCode >= 400 {
		defer resp.Body.Close()
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		e := &Error{Problem: wire.Problem{Status: resp.StatusCode}}
		if json.Unmarshal(data, e) != nil || e.Code == "" {
			e.Title, e.Detail, e.Code = resp.Status, strings.TrimSpace(string(data)), "http_"+strconv.Itoa(resp.StatusCode)
		}
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return nil, e
	}
	return resp, nil
}
