package main

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/store"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// TestAuditVerifyCatchesTamperingInTheDatabase is the attacker with the
// database file (or a superuser's connection): the append-only triggers
// dropped, an event altered, deleted, inserted or two swapped. aeso audit
// verify, with a checkpoint taken before and the log's tiles, names the seq.
func TestAuditVerifyCatchesTamperingInTheDatabase(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, db *sql.DB, k, j int64)
		want   func(k, j int64) string
	}{
		{"an altered event", func(t *testing.T, db *sql.DB, k, _ int64) {
			attack(t, db, `UPDATE audit_logs SET actor_user_id = 'mallory' WHERE seq = $1`, k)
		}, func(k, _ int64) string { return fmt.Sprintf("tampered: altered at seq %d", k) }},
		{"a deleted event", func(t *testing.T, db *sql.DB, k, _ int64) {
			attack(t, db, `DELETE FROM audit_display_names WHERE seq = $1`, k)
			attack(t, db, `DELETE FROM audit_logs WHERE seq = $1`, k)
		}, func(k, _ int64) string { return fmt.Sprintf("tampered: missing at seq %d", k) }},
		{"an event inserted, the later ones renumbered", func(t *testing.T, db *sql.DB, k, _ int64) {
			// Two steps, so no row collides with another's seq on the way.
			for _, table := range []string{"audit_display_names", "audit_logs"} {
				attack(t, db, `UPDATE `+table+` SET seq = -seq WHERE seq >= $1`, k)
				attack(t, db, `UPDATE `+table+` SET seq = 1 - seq WHERE seq < 0`)
			}
			attack(t, db, `INSERT INTO audit_logs (seq, id, actor_user_id, actor_service_account_id, actor_role, action,
				target_type, target_id, result, correlation_id, occurred_at, metadata, recorded_at, source,
				request_id, trace_id, redacted_paths)
				SELECT $1, '0193aaaa-0000-7000-8000-000000000bad', 'mallory', actor_service_account_id, actor_role,
				'credentials.api_key.rotate', target_type, target_id, result, correlation_id, occurred_at, metadata,
				recorded_at, source, request_id, trace_id, redacted_paths FROM audit_logs WHERE seq = $2`, k, k+1)
		}, func(k, _ int64) string { return fmt.Sprintf("tampered: extra at seq %d", k) }},
		{"two events swapped", func(t *testing.T, db *sql.DB, k, j int64) {
			for _, table := range []string{"audit_display_names", "audit_logs"} {
				attack(t, db, `UPDATE `+table+` SET seq = -1 WHERE seq = $1`, k)
				attack(t, db, `UPDATE `+table+` SET seq = $1 WHERE seq = $2`, k, j)
				attack(t, db, `UPDATE `+table+` SET seq = $1 WHERE seq = -1`, j)
			}
		}, func(k, j int64) string {
			return fmt.Sprintf("tampered: reordered at seq %d: the events at seq %d and seq %d are swapped", k, k, j)
		}},
	}
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				// A database of its own for each case.
				target := testdb.Target{Dialect: tg.Dialect, DataDir: t.TempDir()}
				var args []string
				if tg.URL != "" {
					target = testdb.Postgres(t)
					args = []string{"--database-url", target.URL}
				}
				s := startServer(t, target.DataDir, nil, args...)
				env := s.env(s.adminToken(t))
				dir := t.TempDir()
				p := func(name string) string { return filepath.Join(dir, name) }

				// 40 events, each with display names, and a checkpoint of all.
				var batch strings.Builder
				batch.WriteString("[")
				for i := range 40 {
					if i > 0 {
						batch.WriteString(",")
					}
					fmt.Fprintf(&batch, `{"action":"credentials.api_key.rotate","actor_user_id":"alice","actor_display_name":"Alice","target_type":"api_key","target_id":"key-%d","target_display_name":"Key %d","occurred_at":"2026-11-23T12:00:00Z","metadata":{"n":%d}}`, i, i, i)
				}
				batch.WriteString("]")
				writeFile(t, p("events.json"), batch.String())
				mustRun(t, env, "audit", "emit", "--file", p("events.json"))
				var page client.EventPage
				decode(t, mustRun(t, env, "audit", "list", "--json", "--limit", "1"), &page)
				last := page.Events[0].Seq
				writeFile(t, p("cp.txt"), string(s.checkpointCovering(t, last)))
				writeFile(t, p("audit.vkey"), mustRun(t, env, "audit", "key").stdout)

				k, j := last-30, last-12
				db := attackerConnection(t, target)
				tt.tamper(t, db, k, j)

				mustRun(t, env, "audit", "export", "--to", p("audit.jsonl"))
				r := aeso(t, env, "audit", "verify", "--url", s.URL, "--export", p("audit.jsonl"),
					"--checkpoint", p("cp.txt"), "--key", p("audit.vkey"))
				if want := tt.want(k, j); r.code != 1 || !strings.Contains(r.stderr, want) {
					t.Errorf("exit %d, want 1 with %q:\n%s%s", r.code, want, r.stdout, r.stderr)
				}
				// Offline, the root differs or the export is short: tampered all the same.
				r = aeso(t, nil, "audit", "verify", "--export", p("audit.jsonl"), "--checkpoint", p("cp.txt"), "--key", p("audit.vkey"))
				if r.code != 1 || !strings.Contains(r.stderr, "tampered: ") {
					t.Errorf("offline: exit %d, want 1, tampered:\n%s%s", r.code, r.stdout, r.stderr)
				}
			})
		}
	})
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func attack(t *testing.T, db *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// checkpointCovering polls the log until its checkpoint covers seq (one is
// signed within a second of a commit) and returns it.
func (s *server) checkpointCovering(t *testing.T, seq int64) []byte {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		req, err := http.NewRequest(http.MethodGet, s.URL+"/v1/audit/checkpoint", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+s.adminToken(t))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /v1/audit/checkpoint: %d %v\n%s", resp.StatusCode, err, body)
		}
		lines := strings.SplitN(string(body), "\n", 3)
		if size, err := strconv.ParseInt(lines[1], 10, 64); err == nil && size >= seq {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint covers seq %d within 10s; the last:\n%s", seq, body)
		}
		select {
		case <-s.exited:
			t.Fatalf("aeso serve exited; stderr:\n%s", s.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// attackerConnection opens the database as someone who owns it, with the
// audit tables' triggers dropped (and, on PostgreSQL, foreign keys off for
// the session, as a superuser can).
func attackerConnection(t *testing.T, tg testdb.Target) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	var triggers string
	if tg.URL == "" {
		db, err = sql.Open("sqlite", "file:"+filepath.Join(tg.DataDir, store.SQLiteFile)+"?_pragma=busy_timeout(10000)")
		triggers = `SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('audit_logs', 'audit_display_names')`
	} else {
		db, err = sql.Open("pgx", tg.URL)
		triggers = `SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE tgrelid IN ('audit_logs'::regclass, 'audit_display_names'::regclass) AND NOT tgisinternal`
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1) // one session, so its settings hold
	rows, err := db.Query(triggers)
	if err != nil {
		t.Fatal(err)
	}
	var drop []string
	for rows.Next() {
		var name, table string
		if err := rows.Scan(&name, &table); err != nil {
			t.Fatal(err)
		}
		if tg.URL == "" {
			drop = append(drop, "DROP TRIGGER "+name)
		} else {
			drop = append(drop, "DROP TRIGGER "+name+" ON "+table)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if len(drop) == 0 {
		t.Fatal("found no trigger to drop: the test no longer attacks what it claims")
	}
	for _, q := range drop {
		attack(t, db, q)
	}
	if tg.URL != "" {
		attack(t, db, `SET session_replication_role = replica`)
	}
	return db
}
