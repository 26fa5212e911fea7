package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/apitest"
	"github.com/aeso-dev/aeso/internal/app"
	"github.com/aeso-dev/aeso/internal/testdb"
)

func withDBTimeout(d time.Duration) option { return func(c *app.Config) { c.DBTimeout = d } }

// outageDeadline is the database deadline of the outage tests, short so
// they run quickly; outageMargin is what a loaded machine adds to it (CI
// runs this under the race detector beside other packages). A hang would
// last until the client's 30 s timeout, far beyond both.
const (
	outageDeadline = 500 * time.Millisecond
	outageMargin   = 1500 * time.Millisecond
)

// answer is one HTTP exchange seen by a tallyTransport.
type answer struct {
	method, path string
	swept        bool // sent by sweepRoutes
	status       int
	retryAfter   string
	code, detail string
	leak         bool // the body holds the database password
	took         time.Duration
}

// tallyTransport records every answer, so a test can count the requests
// it made and assert that none was a 500 or took too long.
type tallyTransport struct {
	base    http.RoundTripper
	mu      sync.Mutex
	answers []answer
}

var (
	problemCodeRE   = regexp.MustCompile(`"code":"([a-z_]+)"`)
	problemDetailRE = regexp.MustCompile(`"detail":"([^"]*)"`)
)

// outagePassword is in the database URL (trust authentication ignores
// it), so the test can look for it where it must never be.
const outagePassword = "outage-canary-pw"

func (tt *tallyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	began := time.Now()
	resp, err := tt.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(strings.NewReader(string(body)))
	a := answer{method: req.Method, path: req.URL.Path, swept: req.Header.Get(sweepHeader) != "", status: resp.StatusCode,
		retryAfter: resp.Header.Get("Retry-After"), took: time.Since(began)}
	if m := problemCodeRE.FindSubmatch(body); m != nil && resp.StatusCode >= 400 {
		a.code = string(m[1])
	}
	if m := problemDetailRE.FindSubmatch(body); m != nil && resp.StatusCode >= 400 {
		a.detail = string(m[1])
	}
	a.leak = strings.Contains(string(body), outagePassword)
	tt.mu.Lock()
	tt.answers = append(tt.answers, a)
	tt.mu.Unlock()
	return resp, nil
}

func (tt *tallyTransport) since(n int) []answer {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	return append([]answer(nil), tt.answers[n:]...)
}

func (tt *tallyTransport) count() int {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	return len(tt.answers)
}

// checkUnavailable asserts that a answered 503 unavailable, told when to
// retry, and did so within the deadline.
func checkUnavailable(t *testing.T, a answer, limit time.Duration) {
	t.Helper()
	if a.status != http.StatusServiceUnavailable || a.code != "unavailable" {
		t.Errorf("%s %s: %d %q, want 503 unavailable", a.method, a.path, a.status, a.code)
	}
	if a.detail != "the database is unavailable or too slow to answer; retry later" {
		t.Errorf("%s %s: detail %q; the driver's text must stay in the log", a.method, a.path, a.detail)
	}
	if n, err := strconv.Atoi(a.retryAfter); err != nil || n < 1 {
		t.Errorf("%s %s: Retry-After %q, want whole seconds", a.method, a.path, a.retryAfter)
	}
	if a.took > limit {
		t.Errorf("%s %s took %s, more than the deadline %s plus %s", a.method, a.path, a.took, outageDeadline, outageMargin)
	}
}

// sweepHeader marks the requests of sweepRoutes for the tally.
const sweepHeader = "X-Test-Sweep"

// sweepRoutes sends one request to every operation the OpenAPI document
// lists, all at once, so every route is asked while the database is out.
// Path parameters get a well-formed id; bodies are an empty object.
func (e *env) sweepRoutes(t *testing.T, hc *http.Client, token string) {
	t.Helper()
	type call struct{ method, path string }
	var calls []call
	for path, item := range e.vt.Spec.Paths.Map() {
		for method := range item.Operations() {
			p := regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(path, "0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d")
			calls = append(calls, call{method, p})
		}
	}
	sort.Slice(calls, func(i, j int) bool { return calls[i].path+calls[i].method < calls[j].path+calls[j].method })
	var wg sync.WaitGroup
	errs := make(chan error, len(calls))
	for _, c := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var body io.Reader
			if c.method == http.MethodPost {
				body = strings.NewReader("{}")
			}
			// An empty body breaks most schemas on purpose: the database is
			// out, so the answer must be 503 whatever the body says.
			req, err := http.NewRequestWithContext(apitest.InvalidRequest(context.Background()), c.method, e.main.URL()+c.path, body)
			if err != nil {
				errs <- err
				return
			}
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set(sweepHeader, "1")
			if body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := hc.Do(req)
			if err != nil {
				errs <- fmt.Errorf("%s %s: %w", c.method, c.path, err)
				return
			}
			resp.Body.Close()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(calls) < 40 {
		t.Fatalf("swept only %d operations; the OpenAPI document lists more", len(calls))
	}
}

// expectOutage checks the sweep's answers: every route that needs the
// database answers 503 unavailable with Retry-After within the deadline;
// liveness, the document, metrics and the log's verifier key still
// answer 200; readiness 503.
func expectOutage(t *testing.T, answers []answer) {
	t.Helper()
	limit := outageDeadline + outageMargin
	for _, a := range answers {
		switch a.path {
		case "/healthz", "/openapi.json", "/metrics", "/v1/audit/key":
			if a.status != http.StatusOK {
				t.Errorf("%s answered %d during the outage; it needs no database", a.path, a.status)
			}
		case "/readyz":
			if a.status != http.StatusServiceUnavailable || a.code != "not_ready" || a.retryAfter == "" {
				t.Errorf("/readyz: %d %q Retry-After %q, want 503 not_ready with Retry-After", a.status, a.code, a.retryAfter)
			}
		default:
			checkUnavailable(t, a, limit)
		}
	}
}

// metrics returns the /metrics exposition.
func (e *env) metrics(t *testing.T, hc *http.Client) string {
	t.Helper()
	resp, err := hc.Get(e.main.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

// expectRecovered checks, without restarting aeso, that reads and writes
// succeed again once the database is back.
func (e *env) expectRecovered(t *testing.T, c *client.Client, bundleID string) {
	t.Helper()
	ctx := context.Background()
	// The first probe may still meet the pool's dead connections, or a new
	// one slower than the deadline on a loaded machine: readiness is polled,
	// as an orchestrator's probe would.
	err := c.Ready(ctx)
	for deadline := time.Now().Add(15 * time.Second); err != nil && time.Now().Before(deadline); err = c.Ready(ctx) {
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("readyz after the database came back: %v", err)
	}
	// Each write is retried on 503 for a while, as a client is told to
	// (Retry-After): on a loaded machine the pool's first new connections
	// may still miss the deadline once. A 500, or a 503 that lasts, fails.
	again := func(what string, f func() error) {
		t.Helper()
		err := f()
		for deadline := time.Now().Add(15 * time.Second); unavailable(err) && time.Now().Before(deadline); err = f() {
			time.Sleep(200 * time.Millisecond)
		}
		if err != nil {
			t.Fatalf("%s after recovery: %v", what, err)
		}
	}
	id := uuid.NewString()
	var ev *client.Event
	again("emit", func() (err error) {
		ev, _, err = c.EmitEvent(ctx, client.EventInput{ID: id, ActorUserID: "alice", Action: "deploy.release.finish",
			Result: "success", OccurredAt: time.Now().UTC().Format(time.RFC3339Nano)})
		return err
	})
	again("read back", func() error {
		got, err := c.GetEvent(ctx, ev.ID)
		if err == nil && got.Seq != ev.Seq {
			err = fmt.Errorf("seq %d, want %d", got.Seq, ev.Seq)
		}
		return err
	})
	again("add an item", func() error {
		_, err := c.AddItem(ctx, bundleID, client.ItemRequest{Type: "check", Name: "after", Result: "pass", Counts: client.Counts{Total: 1, Passed: 1}})
		return err
	})
	again("posture", func() error { _, err := c.Status(ctx); return err })
	again("create a token", func() error {
		_, err := c.CreateToken(ctx, client.TokenRequest{Principal: "after-outage", Scopes: []string{"audit:read"}})
		return err
	})
}

// unavailable reports a 503 answer.
func unavailable(err error) bool {
	var e *client.Error
	return errors.As(err, &e) && e.Status == http.StatusServiceUnavailable
}

// outagePhase runs writers, takes the database away with down, sweeps
// every route, brings it back with up, and checks recovery and that
// nothing was written in part.
func (e *env) outagePhase(t *testing.T, name string, tt *tallyTransport, c *client.Client, bundleID string, down, up func()) {
	t.Helper()
	hc := c.HTTP
	w := newOutageWriter(e, c, "outage-"+name)
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- w.run(context.Background(), stop) }()
	// Let the writers get going, so the outage cuts into their work.
	deadline := time.After(time.Minute)
	for ok, _ := w.counts(); ok < 6; ok, _ = w.counts() {
		select {
		case err := <-done:
			t.Fatalf("%s: writer ended before the outage: %v", name, err)
		case <-deadline:
			t.Fatalf("%s: the writer stored %d things in a minute before the outage, want 6", name, ok)
		case <-time.After(10 * time.Millisecond):
		}
	}
	// The sweep's token was never used: a server trusts a token it
	// verified for up to a second without asking the database, so only a
	// token it has not seen lately makes every route need the database,
	// as every token does once an outage lasts past that second.
	// Made while the database is up, but on a loaded machine a write may
	// still miss the short deadline once: it is retried on 503, as a
	// client is told to.
	sweep, err := c.CreateToken(context.Background(), client.TokenRequest{Principal: "sweep-" + name, Scopes: []string{"admin"}})
	for deadline := time.Now().Add(15 * time.Second); unavailable(err) && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
		sweep, err = c.CreateToken(context.Background(), client.TokenRequest{Principal: "sweep-" + name, Scopes: []string{"admin"}})
	}
	if err != nil {
		t.Fatal(err)
	}
	down()
	mark := tt.count()
	e.sweepRoutes(t, hc, sweep.Secret)
	var swept []answer
	for _, a := range tt.since(mark) {
		if a.swept {
			swept = append(swept, a)
		}
	}
	expectOutage(t, swept)
	if body := e.metrics(t, hc); !strings.Contains(body, "\naeso_status_up 0\n") {
		t.Errorf("%s: /metrics does not say the posture is unknown (aeso_status_up 0)", name)
	}
	// The writer is refused at least twice before the database returns.
	deadline = time.After(time.Minute)
	for _, failed := w.counts(); failed < 2; _, failed = w.counts() {
		select {
		case err := <-done:
			t.Fatalf("%s: writer ended during the outage: %v", name, err)
		case <-deadline:
			t.Fatalf("%s: the writer was refused %d times in a minute of outage, want 2: some of the database still answers", name, failed)
		case <-time.After(10 * time.Millisecond):
		}
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	up()
	e.expectRecovered(t, c, bundleID)
	w.checkWhole(t)
	ok, failed := w.counts()
	t.Logf("%s: writers saw %d successes and %d refusals (503); %d batches and %d bundles checked whole",
		name, ok, failed, len(w.batches), len(w.bundles))
}

// TestPostgresOutage stops, then freezes, a PostgreSQL of the test's own
// under a running aeso: every route answers 503 unavailable with
// Retry-After within the database deadline, never a 500 or a hang, and
// aeso recovers without a restart once the database is back.
func TestPostgresOutage(t *testing.T) {
	pg := newPGCluster(t)
	tg := testdb.Target{Dialect: "postgres", DataDir: t.TempDir(),
		URL: strings.Replace(pg.URL(), "postgres@", "postgres:"+outagePassword+"@", 1)}
	e := start(t, tg, withDBTimeout(outageDeadline))
	// The tally sits under the OpenAPI check, so it times the server alone.
	tt := &tallyTransport{base: http.DefaultTransport}
	vt, err := apitest.NewValidatingTransport(tt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { vt.Check(t) })
	c := client.New(e.main.URL(), adminToken)
	c.HTTP = &http.Client{Transport: vt, Timeout: 30 * time.Second}
	b, err := c.CreateBundle(e.ctx, client.BundleRequest{Kind: "smoke", Subject: client.Subject{Name: "api", Ref: "v1"}, Title: "steady"})
	if err != nil {
		t.Fatal(err)
	}

	t.Cleanup(func() {
		if t.Failed() {
			for _, l := range strings.Split(e.logs.String(), "\n") {
				if strings.Contains(l, "request failed") {
					t.Log(l)
				}
			}
		}
	})
	e.outagePhase(t, "stopped", tt, c, b.ID, pg.stop, pg.start)
	e.outagePhase(t, "frozen", tt, c, b.ID, pg.freeze, pg.thaw)

	all := tt.since(0)
	byStatus := map[int]int{}
	var slowest time.Duration
	for _, a := range all {
		byStatus[a.status]++
		if a.leak {
			t.Errorf("%s %s answered with the database password", a.method, a.path)
		}
		if a.status >= 500 && a.status != http.StatusServiceUnavailable {
			t.Errorf("%s %s answered %d %q; an outage must answer 503", a.method, a.path, a.status, a.code)
		}
		if a.status == http.StatusServiceUnavailable {
			slowest = max(slowest, a.took)
			if a.took > outageDeadline+outageMargin {
				t.Errorf("%s %s answered 503 after %s", a.method, a.path, a.took)
			}
		}
	}
	t.Logf("%d requests: by status %v; slowest 503 took %s (deadline %s)", len(all), byStatus, slowest, outageDeadline)
	if byStatus[http.StatusServiceUnavailable] < 80 {
		t.Errorf("only %d answers were 503; the outages were not seen", byStatus[http.StatusServiceUnavailable])
	}
	if logs := e.logs.String(); !strings.Contains(logs, "database unavailable") {
		t.Error("the server log does not record the outage")
	} else if strings.Contains(logs, outagePassword) {
		t.Error("the server log holds the database password")
	}
}
