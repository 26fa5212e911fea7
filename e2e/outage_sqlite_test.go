package e2e

import (
	"context"
	"database/sql"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
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

// TestSQLiteDiskFullIsUnavailable: a write SQLite cannot make for want of
// space answers 503 unavailable with Retry-After, as a held lock does,
// never a 500, and a single event's sender is told so rather than losing
// it silently; once there is room again, writes go through. The disk is
// made full by capping the database's pages (PRAGMA max_page_count) on
// the server's one writing connection.
func TestSQLiteDiskFullIsUnavailable(t *testing.T) {
	t.Parallel()
	tg := testdb.Target{Dialect: "sqlite", DataDir: t.TempDir()}
	e := start(t, tg)
	ctx := context.Background()
	w := e.main.DB.WriteConn()
	var pages int64
	if err := w.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ExecContext(ctx, "PRAGMA max_page_count = "+strconv.FormatInt(pages, 10)); err != nil {
		t.Fatal(err)
	}
	before := e.countEvents()
	big := validEvent()
	big["metadata"] = map[string]any{"note": strings.Repeat("disk full ", 1500)}
	batch := map[string]any{"events": []any{big, big, big, big, big, big, big, big}}
	for _, req := range []struct {
		name string
		body any
	}{{"a single event", big}, {"a batch", batch}} {
		r := e.do("POST", "/v1/audit/events", adminToken, req.body)
		p := r.problem(t)
		if r.status != http.StatusServiceUnavailable || p.Code != "unavailable" || r.header.Get("Retry-After") == "" {
			t.Errorf("%s on a full disk: %d %s %s, want 503 unavailable with Retry-After", req.name, r.status, p.Code, r.body)
		}
	}
	if got := e.countEvents(); got != before {
		t.Errorf("%d events stored on a full disk", got-before)
	}
	if _, err := w.ExecContext(ctx, "PRAGMA max_page_count = 1073741823"); err != nil {
		t.Fatal(err)
	}
	if r := e.do("POST", "/v1/audit/events", adminToken, big); r.status != http.StatusCreated {
		t.Errorf("a write once there is room again: %d %s", r.status, r.body)
	}
}
