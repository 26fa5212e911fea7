package e2e

// A database that holds a lock (an operator's session, a migration, a
// standby's settings) rather than going away: every answer is a 503
// within the request's own deadline, in flight or at shutdown.

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/app"
	"github.com/aeso-dev/aeso/internal/store"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// A lock held longer than the database's lock_timeout (an operator's
// setting on the database, the role or the URL) is the database too busy
// to answer: 503 with Retry-After, which clients retry, never 500; and
// the writes go through once the lock is gone.
func TestALockTimeoutIsAnOutage(t *testing.T) {
	t.Parallel()
	tg := testdb.Postgres(t)
	base := tg.URL
	tg.URL = withSetting(t, tg.URL, "lock_timeout", "100ms")
	e := start(t, tg)
	locker, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close()
	tx, err := locker.BeginTx(e.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(e.ctx, `LOCK TABLE audit_logs IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	event := `{"actor_user_id":"alice","action":"app.deploy","result":"success","occurred_at":"2026-12-03T19:00:00Z"}`
	for _, c := range []struct{ name, method, path, body string }{
		{"a single event", "POST", "/v1/audit/events", event},
		{"a batch", "POST", "/v1/audit/events", `{"events":[` + event + `,` + event + `]}`},
		{"a listing", "GET", "/v1/audit/events", ""},
	} {
		var body any
		if c.body != "" {
			body = c.body
		}
		r := e.do(c.method, c.path, adminToken, body)
		if p := r.problem(t); r.status != http.StatusServiceUnavailable || p.Code != "unavailable" || r.header.Get("Retry-After") == "" {
			t.Errorf("%s behind a lock past lock_timeout: %d %s", c.name, r.status, r.body)
		}
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if r := e.do("POST", "/v1/audit/events", adminToken, event); r.status != http.StatusCreated {
		t.Errorf("once the lock is gone: %d %s", r.status, r.body)
	}
}

// A single event that queues behind a group the database holds up gets
// its answer within its own deadline: its group never runs past the
// earliest deadline of its members, so it is not given a fresh one when
// it is finally written.
func TestASingleEventBehindAStuckGroupAnswersWithinItsDeadline(t *testing.T) {
	t.Parallel()
	const deadline = 3 * time.Second
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg, withDBTimeout(deadline))
		release := holdAuditLogs(t, e, tg)
		defer release()
		event := `{"actor_user_id":"alice","action":"app.deploy","result":"success","occurred_at":"2026-12-03T19:00:00Z"}`
		took := make([]time.Duration, 2)
		var wg sync.WaitGroup
		for i := range took {
			wg.Add(1)
			go func() {
				defer wg.Done()
				t0 := time.Now()
				r := e.send(e.ctx, "POST", "/v1/audit/events", adminToken, event)
				took[i] = time.Since(t0)
				if r.status != http.StatusServiceUnavailable {
					t.Errorf("event %d behind the lock: %d %s", i, r.status, r.body)
				}
			}()
			time.Sleep(deadline / 2) // the second arrives while the first's group is stuck
		}
		wg.Wait()
		for i, d := range took {
			if d > deadline+time.Second {
				t.Errorf("event %d answered 503 after %s, past its deadline of %s", i, d, deadline)
			}
		}
		release()
		if r := e.do("POST", "/v1/audit/events", adminToken, event); r.status != http.StatusCreated {
			t.Errorf("once the lock is gone: %d %s", r.status, r.body)
		}
	})
}

// holdAuditLogs takes a write lock on audit_logs from a connection of its
// own, so the server's writes wait on it; the returned func lets it go.
func holdAuditLogs(t *testing.T, e *env, tg testdb.Target) (release func()) {
	t.Helper()
	if tg.Dialect == "postgres" {
		db, err := sql.Open("pgx", tg.URL)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := db.BeginTx(e.ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(e.ctx, `LOCK TABLE audit_logs IN ACCESS EXCLUSIVE MODE`); err != nil {
			t.Fatal(err)
		}
		return func() { tx.Rollback(); db.Close() }
	}
	db, err := sql.Open("sqlite", filepath.Join(tg.DataDir, store.SQLiteFile))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(e.ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	return func() { conn.ExecContext(context.Background(), `ROLLBACK`); conn.Close(); db.Close() }
}

// A shutdown waits for a request held up by the database as long as its
// deadline lets it wait, when that is longer than the shutdown timeout:
// the request gets its 503, not a dropped connection.
func TestAShutdownWaitsForARequestWithinItsDeadline(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg, withDBTimeout(2*time.Second), func(c *app.Config) { c.ShutdownTimeout = 500 * time.Millisecond })
		release := holdAuditLogs(t, e, tg)
		defer release()
		answer := make(chan string, 1)
		go func() {
			req, err := http.NewRequest("POST", e.main.URL()+"/v1/audit/events", strings.NewReader(
				`{"actor_user_id":"alice","action":"app.deploy","result":"success","occurred_at":"2026-12-03T19:00:00Z"}`))
			if err != nil {
				answer <- err.Error()
				return
			}
			req.Header.Set("Authorization", "Bearer "+adminToken)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				answer <- err.Error()
				return
			}
			resp.Body.Close()
			answer <- resp.Status
		}()
		time.Sleep(300 * time.Millisecond) // the request waits on the lock
		e.stop()
		if got := <-answer; got != "503 Service Unavailable" {
			t.Errorf("the request in flight: %s, want 503", got)
		}
	})
}

// withSetting is a PostgreSQL URL that sets a run-time parameter on every
// connection it opens, as an operator's URL or role would.
func withSetting(t *testing.T, raw, name, value string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(name, value)
	u.RawQuery = q.Encode()
	return u.String()
}
