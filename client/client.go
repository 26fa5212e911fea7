// Package client is the Go client of aeso's HTTP API. The aeso command line
// and the end-to-end tests use it, so it is what the API promises.
package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aeso-dev/aeso/wire"
)

// Client talks to one aeso server.
type Client struct {
	BaseURL string
	Token   string
	HTTP    *http.Client
	// RetryFor bounds how long a call is retried with backoff while the
	// server is unreachable or answers 502, 503 or 504 (see send); zero
	// means a single attempt.
	RetryFor time.Duration
	// UnreachableHint is added to an *UnreachableError, e.g. how to start
	// the server or point the client elsewhere.
	UnreachableHint string
	// OnRetry, when set, is told the first failure of a call that is
	// about to be retried (once per call), so a person waiting on it
	// knows why nothing happens.
	OnRetry func(err error)
}

// New returns a client for baseURL (e.g. http://127.0.0.1:8080) using token.
func New(baseURL, token string) *Client {
	return &Client{
		BaseURL: strings.TrimRight(baseURL, "/"),
		Token:   token,
		HTTP:    &http.Client{Timeout: 60 * time.Second, CheckRedirect: sameOrigin},
	}
}

// sameOrigin follows a redirect only to the scheme, host and port the
// request was sent to. Go's own policy keeps the Authorization header for
// the same host on another port or scheme, so an https server answering
// with a redirect to http:// would have the token sent in clear text; a
// redirect elsewhere means AESO_URL should say where the server is.
func sameOrigin(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	from := via[0].URL
	if req.URL.Scheme != from.Scheme || req.URL.Host != from.Host {
		return &RedirectError{From: from.Scheme + "://" + from.Host, To: req.URL.Scheme + "://" + req.URL.Host}
	}
	return nil
}

// CheckBaseURL refuses a server URL that names no server: a scheme other
// than http or https ("localhost:8080" parses as the scheme "localhost"),
// or no host. Such a URL is a mistake to say at once, not a server to
// retry for half a minute.
func CheckBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		shown := fmt.Sprintf("%q", raw)
		if strings.ContainsAny(raw, "@?#") {
			shown = "(not repeated: it holds credentials or a query)"
		}
		return fmt.Errorf("AESO_URL (or --url) %s is not an http(s) URL of a server: write it as http://host:port", shown)
	}
	return nil
}

// DisplayURL is a server URL as messages show it: credentials in its
// userinfo and its query, which an AESO_URL may carry, replaced.
func DisplayURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the configured URL (unparsable)"
	}
	hidden := "[REDACTED]"
	out := u.Scheme + "://"
	if u.User != nil {
		out += hidden + "@"
	}
	out += u.Host + u.EscapedPath()
	if u.RawQuery != "" || u.ForceQuery {
		out += "?" + hidden
	}
	if u.Fragment != "" {
		out += "#" + hidden
	}
	return out
}

// RedirectError is a redirect to another origin, refused: an answer, not
// an unreachable server, so it is not retried.
type RedirectError struct{ From, To string }

func (e *RedirectError) Error() string {
	return fmt.Sprintf("refused a redirect from %s to %s: the token is sent only where AESO_URL (or --url) points; point it there if that is the server", e.From, e.To)
}

// FieldError names one invalid field of a request.
type FieldError = wire.FieldError

// Error is a problem+json answer from the server.
type Error struct {
	wire.Problem
	// RetryAfter is the wait the server asked for (Retry-After), if any.
	RetryAfter time.Duration `json:"-"`
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%d %s)", e.Detail, e.Status, e.Code)
	for _, f := range e.Errors {
		fmt.Fprintf(&b, "\n  %s: %s", f.Field, f.Message)
	}
	return b.String()
}

// do sends a JSON request and decodes a JSON answer into out. GETs are
// idempotent, so they are retried (see send); other calls only when their
// request never left.
func (c *Client) do(ctx context.Context, method, path string, body, out any) (int, error) {
	return c.doJSON(ctx, method, path, body, method == http.MethodGet, out)
}

// doJSON is do for a call whose idempotence the caller knows: a repeat
// has the effect of one call (an audit event with its id, a promotion).
func (c *Client) doJSON(ctx context.Context, method, path string, body any, idempotent bool, out any) (int, error) {
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			return 0, err
		}
	}
	return c.send(ctx, method, path, data, idempotent, out)
}

// doRaw sends body as it is (size -1 when unknown) and decodes a JSON
// answer into out. It returns the
// status so callers can tell a creation (201) from a replay (200).
func (c *Client) doRaw(ctx context.Context, method, path string, body io.Reader, size int64, out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, body)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		if size >= 0 {
			req.ContentLength = size
		}
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := readLimited(resp.Body, MaxAnswer, method+" "+path)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 400 {
		e := &Error{Problem: wire.Problem{Status: resp.StatusCode}}
		if json.Unmarshal(data, e) != nil || e.Code == "" {
			e.Title, e.Detail, e.Code = resp.Status, strings.TrimSpace(string(data)), "http_"+strconv.Itoa(resp.StatusCode)
		}
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return resp.StatusCode, e
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("decode answer from %s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

// EmitEvent records one event. created is false when it was an idempotent
// replay of an event already stored.
func (c *Client) EmitEvent(ctx context.Context, in EventInput) (ev *Event, created bool, err error) {
	ev = &Event{}
	// With an id, sending it again is a replay: safe to retry.
	status, err := c.doJSON(ctx, http.MethodPost, "/v1/audit/events", in, in.ID != "", ev)
	if err != nil {
		return nil, false, err
	}
	return ev, status == http.StatusCreated, nil
}

// EmitEvents records up to 1000 events all-or-nothing and returns a receipt
// per event, in input order.
func (c *Client) EmitEvents(ctx context.Context, ins []EventInput) (*BatchReceipt, error) {
	out := &BatchReceipt{}
	idempotent := true
	for _, in := range ins {
		idempotent = idempotent && in.ID != ""
	}
	_, err := c.doJSON(ctx, http.MethodPost, "/v1/audit/events", wire.EventBatch{Events: ins}, idempotent, out)
	return out, err
}

// ListEvents returns one page of events, newest first.
func (c *Client) ListEvents(ctx context.Context, o ListOptions) (*EventPage, error) {
	q := url.Values{}
	for k, v := range map[string]string{
		"actor_user_id": o.ActorUserID, "actor_service_account_id": o.ActorServiceAccountID,
		"action": o.Action, "category": o.Category, "target_type": o.TargetType,
		"target_id": o.TargetID, "result": o.Result, "correlation_id": o.CorrelationID,
		"q": o.Search, "cursor": o.Cursor,
	} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if !o.Since.IsZero() {
		q.Set("since", o.Since.Format(time.RFC3339Nano))
	}
	if !o.Until.IsZero() {
		q.Set("until", o.Until.Format(time.RFC3339Nano))
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	path := "/v1/audit/events"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	page := &EventPage{}
	_, err := c.do(ctx, http.MethodGet, path, nil, page)
	return page, err
}

// GetEvent returns one event.
func (c *Client) GetEvent(ctx context.Context, id string) (*Event, error) {
	ev := &Event{}
	_, err := c.do(ctx, http.MethodGet, "/v1/audit/events/"+url.PathEscape(id), nil, ev)
	return ev, err
}

// Actions returns the action registry.
func (c *Client) Actions(ctx context.Context) ([]ActionDef, error) {
	var out wire.ActionList
	_, err := c.do(ctx, http.MethodGet, "/v1/audit/actions", nil, &out)
	return out.Actions, err
}

// CreateToken mints a token; its Secret is shown only here.
func (c *Client) CreateToken(ctx context.Context, req TokenRequest) (*CreatedToken, error) {
	t := &CreatedToken{}
	_, err := c.do(ctx, http.MethodPost, "/v1/tokens", req, t)
	return t, err
}

// ListTokens lists every token (never their secrets).
func (c *Client) ListTokens(ctx context.Context) ([]Token, error) {
	var out wire.TokenList
	_, err := c.do(ctx, http.MethodGet, "/v1/tokens", nil, &out)
	return out.Tokens, err
}

// RevokeToken disables a token at once.
func (c *Client) RevokeToken(ctx context.Context, id string) (*Token, error) {
	t := &Token{}
	_, err := c.do(ctx, http.MethodPost, "/v1/tokens/"+url.PathEscape(id)+"/revoke", nil, t)
	return t, err
}

// Ready returns nil when the server is ready to serve.
func (c *Client) Ready(ctx context.Context) error {
	_, err := c.do(ctx, http.MethodGet, "/readyz", nil, nil)
	return err
}

// MaxAnswer bounds a JSON answer: a server, or whatever answers in its
// place, cannot make the client hold more than this in memory.
const MaxAnswer = 32 << 20

// readLimited reads r whole, refusing more than limit bytes.
func readLimited(r io.Reader, limit int64, what string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read the answer to %s: %w", what, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("the answer to %s is larger than %d bytes: refused", what, limit)
	}
	return data, nil
}
