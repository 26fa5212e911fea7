package e2e

import (
	"context"
	"database/sql"
	"net/http"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/store"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// TestSQLiteLockedPastTheDeadline holds SQLite's write lock from another
// connection (as a backup tool or a stuck `aeso migrate` would): writes
// answer 503 unavailable with Retry-After within the deadline instead of
// waiting, reads still answer, and writes succeed once the lock is gone.
func TestSQLiteLockedPastTheDeadline(t *testing.T) {
	tg := testdb.Target{Dialect: "sqlite", DataDir: t.TempDir()}
	e := start(t, tg, withDBTimeout(300*time.Millisecond))
	before := e.countEvents()
	other, err := sql.Open("sqlite", "file:"+filepath.Join(tg.DataDir, store.SQLiteFile))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := context.Background()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}

	event := validEvent()
	for i := range 3 {
		began := time.Now()
		r := e.do("POST", "/v1/audit/events", adminToken, event)
		took := time.Since(began)
		p := r.problem(t)
		if r.status != http.StatusServiceUnavailable || p.Code != "unavailable" {
			t.Fatalf("write %d under a held lock: %d %+v, want 503 unavailable", i, r.status, p)
		}
		if n, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || n != 1 {
			t.Errorf("Retry-After %q, want 1 (the 300ms deadline rounded up)", r.header.Get("Retry-After"))
		}
		if took > 300*time.Millisecond+outageMargin {
			t.Errorf("write %d waited %s for the lock; the deadline is 300ms", i, took)
		}
	}
	if _, err := e.admin.ListEvents(ctx, client.ListOptions{Limit: 1}); err != nil {
		t.Errorf("reads need no write lock (WAL), yet: %v", err)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if r := e.do("POST", "/v1/audit/events", adminToken, event); r.status != http.StatusCreated {
		t.Fatalf("write after the lock was released: %d %s", r.status, r.body)
	}
	if n := e.countEvents(); n != before+1 {
		t.Errorf("%d events after one accepted write, want %d: a refused write left something behind", n, before+1)
	}
}
