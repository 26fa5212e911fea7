// Package e2e tests aeso end to end: the real server on 127.0.0.1:0 with a
// temp data dir (SQLite) or its own PostgreSQL schema, driven through the
// public client, with every response checked against the OpenAPI document.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/apitest"
	"github.com/aeso-dev/aeso/internal/app"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// adminToken is the fixed bootstrap token of every test server.
const adminToken = "aeso_e2eADMINtokenAAAAAAAAAAAAAAAAAAAAAAAAA"

// syncBuffer collects the server's log for assertions.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is one running server and what a test needs to talk to it.
type env struct {
	t       *testing.T
	tg      testdb.Target
	main    *app.Main
	vt      *apitest.ValidatingTransport
	logs    *syncBuffer
	admin   *client.Client
	ctx     context.Context
	config  app.Config
	stopped bool
}

type option func(*app.Config)

func withConfigFile(path string) option { return func(c *app.Config) { c.ConfigPath = path } }
func withMaxBody(n int64) option        { return func(c *app.Config) { c.MaxBody = n } }
func withoutMigrate() option            { return func(c *app.Config) { c.Migrate = false } }
func withClock(c *clock) option         { return func(cfg *app.Config) { cfg.Now = c.now } }

// clock is the server's clock in a test: it starts at the time it is
// first read, to the second, and moves only when the test advances
// it, so a boundary can be crossed exactly.
type clock struct {
	start  sync.Once
	base   time.Time
	offset atomic.Int64
}

func (c *clock) now() time.Time {
	c.start.Do(func() { c.base = time.Now().UTC().Truncate(time.Second) })
	return c.base.Add(time.Duration(c.offset.Load()))
}

func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// defaultsFor is the configuration of a test server on tg.
func defaultsFor(tg testdb.Target) app.Config {
	cfg := app.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = tg.DataDir
	cfg.DatabaseURL = tg.URL
	cfg.AdminToken = adminToken
	cfg.ShutdownTimeout = 10 * time.Second
	// A batch of a thousand events under the race detector, beside the
	// other parallel tests, can outlast the 5 s served by default; the
	// tests about deadlines set their own (withDBTimeout).
	cfg.DBTimeout = app.MaxDBTimeout
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return cfg
}

func startErr(cfg app.Config) (*app.Main, error) { return app.Start(context.Background(), cfg) }

func start(t *testing.T, tg testdb.Target, opts ...option) *env {
	t.Helper()
	logs := &syncBuffer{}
	cfg := defaultsFor(tg)
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for _, o := range opts {
		o(&cfg)
	}
	m, err := app.Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	vt, err := apitest.NewValidatingTransport(http.DefaultTransport)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, tg: tg, main: m, vt: vt, logs: logs, ctx: context.Background(), config: cfg}
	e.admin = e.client(adminToken)
	t.Cleanup(func() {
		if !e.stopped {
			if err := m.Shutdown(context.Background()); err != nil {
				t.Errorf("shutdown: %v", err)
			}
		}
		vt.Check(t)
	})
	return e
}

// stop shuts the server down before the test ends.
func (e *env) stop() {
	e.t.Helper()
	e.stopped = true
	if err := e.main.Shutdown(context.Background()); err != nil {
		e.t.Fatalf("shutdown: %v", err)
	}
}

// startAgain starts a new server on the same database as e, which must be
// stopped.
func startAgain(t *testing.T, e *env, opts ...option) *env {
	t.Helper()
	return start(t, e.tg, opts...)
}

// client returns an API client whose every answer is checked against the
// OpenAPI document.
func (e *env) client(token string) *client.Client {
	c := client.New(e.main.URL(), token)
	c.HTTP = &http.Client{Transport: e.vt, Timeout: 30 * time.Second}
	return c
}

// response is a raw HTTP answer, for tests about status codes and headers.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r *response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// problem decodes a problem+json answer.
func (r *response) problem(t *testing.T) client.Error {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json; body %s", ct, r.body)
	}
	var p client.Error
	r.json(t, &p)
	return p
}

// do sends a raw request through the validating transport, which checks
// both the request and the answer against the OpenAPI document.
func (e *env) do(method, path, token string, body any, headers ...string) *response {
	e.t.Helper()
	return e.send(e.ctx, method, path, token, body, headers...)
}

// doInvalid sends a request that breaks the OpenAPI document on purpose
// (hostile input, a wrong content type); only its answer is checked.
func (e *env) doInvalid(method, path, token string, body any, headers ...string) *response {
	e.t.Helper()
	return e.send(apitest.InvalidRequest(e.ctx), method, path, token, body, headers...)
}

func (e *env) send(ctx context.Context, method, path, token string, body any, headers ...string) *response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.main.URL()+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := (&http.Client{Transport: e.vt}).Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: data}
}

// countEvents returns how many events the trail holds, through the API.
func (e *env) countEvents() int {
	e.t.Helper()
	n := 0
	opts := client.ListOptions{Limit: 1000}
	for {
		page, err := e.admin.ListEvents(e.ctx, opts)
		if err != nil {
			e.t.Fatal(err)
		}
		n += len(page.Events)
		if page.NextCursor == nil {
			return n
		}
		opts.Cursor = *page.NextCursor
	}
}

// newToken creates a token with the given scopes and returns its secret.
func (e *env) newToken(principal string, scopes ...string) string {
	e.t.Helper()
	tok, err := e.admin.CreateToken(e.ctx, client.TokenRequest{Principal: principal, Scopes: scopes})
	if err != nil {
		e.t.Fatal(err)
	}
	return tok.Secret
}

// validEvent returns a valid event input; tests change what they examine.
func validEvent() map[string]any {
	return map[string]any{
		"actor_user_id":  "alice",
		"actor_role":     "operator",
		"action":         "credentials.api_key.rotate",
		"target_type":    "api_key",
		"target_id":      "key-42",
		"result":         "success",
		"correlation_id": "corr-1",
		"occurred_at":    time.Now().UTC().Format(time.RFC3339Nano),
		"metadata":       map[string]any{"key_name": "deploy", "scope": "write"},
	}
}
