package client

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"syscall"
	"time"

	"github.com/sethvargo/go-retry"
)

// Backoff between attempts: exponential from retryBase, capped at
// retryCap, with ±20% jitter so clients cut off together do not return
// together. A Retry-After from the server waits longer when it asks to.
const (
	retryBase = 250 * time.Millisecond
	retryCap  = 5 * time.Second
)

// UnreachableError says the server could not be reached at all (refused,
// reset, timed out, unknown host), as opposed to an answer from it.
type UnreachableError struct {
	URL  string // the base URL tried
	Err  error  // the transport error of the last attempt
	Hint string // what to do about it, from Client.UnreachableHint
}

func (e *UnreachableError) Error() string {
	msg := "cannot reach aeso at " + e.URL + " (" + transportCause(e.Err) + ")"
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// Unwrap returns the transport error.
func (e *UnreachableError) Unwrap() error { return e.Err }

// transportCause is the short reason of a transport error, without the
// method and URL the http package repeats.
func transportCause(err error) string {
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.As(err, &dnsErr):
		return "no such host " + dnsErr.Name
	case errors.As(err, &netErr) && netErr.Timeout():
		return "timed out"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// send performs one call, retrying while RetryFor allows: any call whose
// request never left (the connection was refused), and an idempotent call
// also after a lost connection or a 502, 503 or 504. The server's
// Retry-After is honoured. When the server stays unreachable the error is
// an *UnreachableError naming BaseURL.
func (c *Client) send(ctx context.Context, method, path string, body []byte, idempotent bool, out any) (int, error) {
	attempt := func(ctx context.Context) (int, error) {
		if body != nil {
			return c.doRaw(ctx, method, path, bytes.NewReader(body), int64(len(body)), out)
		}
		return c.doRaw(ctx, method, path, nil, -1, out)
	}
	var status int
	var err error
	if c.RetryFor <= 0 {
		status, err = attempt(ctx)
	} else {
		retried := false
		pace := &serverPace{next: retry.WithCappedDuration(retryCap,
			retry.WithJitterPercent(20, retry.NewExponential(retryBase)))}
		err = retry.Do(ctx, retry.WithMaxDuration(c.RetryFor, pace), func(ctx context.Context) error {
			var err error
			status, err = attempt(ctx)
			if err != nil && retryable(err, idempotent) {
				pace.wait = retryAfter(err)
				if c.OnRetry != nil && !retried {
					retried = true
					c.OnRetry(c.unreachable(err))
				}
				return retry.RetryableError(err)
			}
			return err
		})
	}
	return status, c.unreachable(err)
}

// unreachable turns a transport error into an *UnreachableError naming
// BaseURL; other errors pass through.
func (c *Client) unreachable(err error) error {
	var apiErr *Error
	if err != nil && !errors.As(err, &apiErr) && !errors.Is(err, context.Canceled) && transportError(err) {
		return &UnreachableError{URL: DisplayURL(c.BaseURL), Err: err, Hint: c.UnreachableHint}
	}
	return err
}

// serverPace waits as the backoff says, or as long as the last answer's
// Retry-After asked if that is longer.
type serverPace struct {
	next retry.Backoff
	wait time.Duration
}

func (p *serverPace) Next() (time.Duration, bool) {
	d, stop := p.next.Next()
	if stop {
		return 0, true
	}
	return max(d, p.wait), false
}

// retryable reports whether err is worth another attempt.
func retryable(err error, idempotent bool) bool {
	var apiErr *Error
	if errors.As(err, &apiErr) {
		switch apiErr.Status {
		case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return idempotent
		}
		return false
	}
	if !transportError(err) {
		return false
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return false // a misspelt host does not come back
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true // nothing was sent: safe for any call
	}
	return idempotent
}

// transportError reports whether err came from the connection rather
// than from encoding or decoding.
func transportError(err error) bool {
	var ue *url.Error
	var re *RedirectError
	return errors.As(err, &ue) && !errors.As(err, &re)
}

// retryAfter reads the wait a 503 (or 502/504) asked for, in seconds.
func retryAfter(err error) time.Duration {
	var apiErr *Error
	if errors.As(err, &apiErr) {
		return apiErr.RetryAfter
	}
	return 0
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an
// HTTP date. Anything else, or a wait over a minute, counts as none.
func parseRetryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(h); err == nil && n >= 0 {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now)
	}
	if d < 0 || d > time.Minute {
		return 0
	}
	return d
}
