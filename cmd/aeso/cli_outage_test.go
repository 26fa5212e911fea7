package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// flakyServer answers its first `fail` requests with 503 unavailable and
// Retry-After: 1, then `ok` with status, and records every request body.
type flakyServer struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
}

func newFlakyServer(t *testing.T, fail int, status int, ok string) *flakyServer {
	t.Helper()
	f := &flakyServer{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.bodies = append(f.bodies, string(body))
		n := len(f.bodies)
		f.mu.Unlock()
		if n <= fail {
			w.Header().Set("Content-Type", "application/problem+json")
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"the database is unavailable or too slow to answer; retry later","code":"unavailable"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, ok)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *flakyServer) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.bodies...)
}

const anyToken = "AESO_TOKEN=aeso_e2eADMINtokenAAAAAAAAAAAAAAAAAAAAAAAAA"

func TestClientGivesUpOnAClosedPortNamingTheURL(t *testing.T) {
	t.Parallel()
	url := "http://" + closedAddr(t)
	began := time.Now()
	r := aeso(t, []string{anyToken, "AESO_URL=" + url, "AESO_RETRY_FOR=1500ms"}, "audit", "list")
	took := time.Since(began)
	if r.code == 0 {
		t.Fatalf("exit 0 against a closed port:\n%s", r.stdout)
	}
	want := "aeso: cannot reach aeso at " + url + " (connection refused); start it with `aeso serve`, or set AESO_URL"
	if !strings.HasPrefix(r.stderr, want) {
		t.Errorf("stderr %q, want it to start with %q", r.stderr, want)
	}
	// It kept trying for the time allowed, and no longer.
	if took < 1500*time.Millisecond || took > 5*time.Second {
		t.Errorf("gave up after %s; AESO_RETRY_FOR is 1.5s", took)
	}

	began = time.Now()
	r = aeso(t, []string{anyToken, "AESO_URL=" + url}, "audit", "list", "--retry-for", "0")
	if took := time.Since(began); r.code == 0 || took > time.Second || !strings.Contains(r.stderr, "cannot reach aeso at "+url) {
		t.Errorf("--retry-for 0: exit %d after %s, stderr %q; want one quick attempt", r.code, took, r.stderr)
	}

	// Credentials in AESO_URL are not repeated: the message lands in CI
	// logs.
	addr := strings.TrimPrefix(url, "http://")
	r = aeso(t, []string{anyToken, "AESO_URL=http://deploy:SuperSecretUrlPw@" + addr + "/?token=aeso_TOKENinTHEqueryAAAAAAAAAAAA"}, "audit", "list", "--retry-for", "0")
	if r.code == 0 || strings.Contains(r.stderr, "SuperSecretUrlPw") || strings.Contains(r.stderr, "aeso_TOKEN") ||
		!strings.Contains(r.stderr, "cannot reach aeso at http://[REDACTED]@"+addr+"/?[REDACTED]") {
		t.Errorf("a URL with credentials: exit %d, stderr %q", r.code, r.stderr)
	}

	// A URL without a scheme names no server: said at once, not retried.
	for _, bad := range []string{"localhost:8080", "127.0.0.1:8080", "ftp://127.0.0.1:8080"} {
		began = time.Now()
		r = aeso(t, []string{anyToken, "AESO_URL=" + bad}, "audit", "list")
		if took := time.Since(began); r.code != 2 || took > 2*time.Second || !strings.Contains(r.stderr, "is not an http(s) URL of a server") {
			t.Errorf("AESO_URL=%s: exit %d after %s, stderr %q", bad, r.code, took, r.stderr)
		}
	}

	r = aeso(t, []string{anyToken, "AESO_URL=" + url, "AESO_RETRY_FOR=soon"}, "audit", "list")
	if r.code == 0 || !strings.Contains(r.stderr, "AESO_RETRY_FOR must be a duration") {
		t.Errorf("a malformed AESO_RETRY_FOR: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestClientRetriesReadsThrough503(t *testing.T) {
	t.Parallel()
	srv := newFlakyServer(t, 1, http.StatusOK, `{"events":[],"next_cursor":null}`)
	began := time.Now()
	r := aeso(t, []string{anyToken, "AESO_URL=" + srv.URL}, "audit", "list", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if n := len(srv.requests()); n != 2 {
		t.Errorf("%d requests, want a 503 then a 200", n)
	}
	if took := time.Since(began); took < time.Second {
		t.Errorf("retried after %s; the server asked for Retry-After: 1", took)
	}
}

func TestClientRetriesAnEmitUnderOneID(t *testing.T) {
	t.Parallel()
	srv := newFlakyServer(t, 2, http.StatusCreated, `{"id":"0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d","seq":1,"action":"deploy.release.start",
		"result":"success","occurred_at":"2026-01-01T00:00:00Z","recorded_at":"2026-01-01T00:00:00Z","metadata":{},"redacted_paths":[],"source":"ci",
		"presentation":{"actor_label":"alice","safe_details":{},"debug_refs":{}}}`)
	r := aeso(t, []string{anyToken, "AESO_URL=" + srv.URL}, "audit", "emit", "--action", "deploy.release.start", "--actor-user", "alice")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	reqs := srv.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want two 503s then a 201", len(reqs))
	}
	var ids []string
	for _, body := range reqs {
		var ev struct{ ID string }
		if err := json.Unmarshal([]byte(body), &ev); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ev.ID)
	}
	if ids[0] == "" || ids[0] != ids[1] || ids[1] != ids[2] {
		t.Errorf("ids sent %q; a retried emit must carry one id so the server stores it once", ids)
	}
}

func TestClientDoesNotRetryASealThrough503(t *testing.T) {
	t.Parallel()
	srv := newFlakyServer(t, 5, http.StatusOK, `{}`)
	r := aeso(t, []string{anyToken, "AESO_URL=" + srv.URL}, "evidence", "seal", "0190a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d")
	if r.code == 0 || !strings.Contains(r.stderr, "503 unavailable") {
		t.Errorf("exit %d, stderr %q; want the 503 reported", r.code, r.stderr)
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("a seal was sent %d times; whether the first took effect is unknown, so it is sent once", n)
	}
}

func TestServeRefusesADatabaseDeadlineOutOfBounds(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"zero", nil, []string{"--db-timeout", "0s"}, "--db-timeout 0s: must be between 10ms and 1m0s"},
		{"over a minute", nil, []string{"--db-timeout", "2m"}, "--db-timeout 2m0s: must be between 10ms and 1m0s"},
		{"not a duration", []string{"AESO_DB_TIMEOUT=soon"}, nil, `AESO_DB_TIMEOUT must be a duration such as 5s or 500ms, not "soon"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"serve", "--addr", freeAddr(t), "--data-dir", t.TempDir()}, c.args...)
			r := aeso(t, c.env, args...)
			if r.code == 0 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want %q", r.code, r.stderr, c.want)
			}
		})
	}
}
