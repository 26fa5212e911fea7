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
	"golang.org/x/mod/sumdb/tlog"
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
		// code is verify's exit with the log's tiles, offline without:
		// a changed tree leaves the export as it was.
		code, offline int
		// rehash: the attacker also recomputes the tree hashes from the
		// events as they now are, so the tree is consistent with them.
		rehash bool
	}{
		{"nothing changed", func(*testing.T, *sql.DB, int64, int64) {},
			func(int64, int64) string { return "events compared one by one with the log's tree" }, 0, 0, false},
		{"a leaf hash of the tree changed", func(t *testing.T, db *sql.DB, k, _ int64) {
			rewriteTree(t, db, func(hashes []tlog.Hash) []tlog.Hash {
				hashes[tlog.StoredHashIndex(0, k-1)] = tlog.Hash{}
				return hashes
			})
		}, func(int64, int64) string { return "tampered: tree mismatch: the log's tiles do not hash to the root" }, 1, 0, false},
		{"an altered event", func(t *testing.T, db *sql.DB, k, _ int64) {
			attack(t, db, `UPDATE audit_logs SET actor_user_id = 'mallory' WHERE seq = $1`, k)
		}, func(k, _ int64) string { return fmt.Sprintf("tampered: altered at seq %d", k) }, 1, 1, false},
		{"a deleted event", func(t *testing.T, db *sql.DB, k, _ int64) {
			attack(t, db, `DELETE FROM audit_display_names WHERE seq = $1`, k)
			attack(t, db, `DELETE FROM audit_logs WHERE seq = $1`, k)
		}, func(k, _ int64) string { return fmt.Sprintf("tampered: missing at seq %d", k) }, 1, 1, false},
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
		}, func(k, _ int64) string { return fmt.Sprintf("tampered: extra at seq %d", k) }, 1, 1, false},
		{"the end of the log cut off, as restoring an old backup would", func(t *testing.T, db *sql.DB, k, _ int64) {
			attack(t, db, `DELETE FROM audit_display_names WHERE seq > $1`, k)
			attack(t, db, `DELETE FROM audit_logs WHERE seq > $1`, k)
			rewriteTree(t, db, func(hashes []tlog.Hash) []tlog.Hash { return hashes[:tlog.StoredHashCount(k)] })
		}, func(k, _ int64) string { return fmt.Sprintf("tampered: missing at seq %d", k+1) }, 1, 1, false},
		{"an event and the tree rewritten to match", func(t *testing.T, db *sql.DB, k, _ int64) {
			attack(t, db, `UPDATE audit_logs SET actor_user_id = 'mallory' WHERE seq = $1`, k)
		}, func(int64, int64) string { return "tampered: tree mismatch: the log's tiles do not hash to the root" }, 1, 1, true},
		{"two events swapped", func(t *testing.T, db *sql.DB, k, j int64) {
			for _, table := range []string{"audit_display_names", "audit_logs"} {
				attack(t, db, `UPDATE `+table+` SET seq = -1 WHERE seq = $1`, k)
				attack(t, db, `UPDATE `+table+` SET seq = $1 WHERE seq = $2`, k, j)
				attack(t, db, `UPDATE `+table+` SET seq = $1 WHERE seq = -1`, j)
			}
		}, func(k, j int64) string {
			return fmt.Sprintf("tampered: reordered at seq %d: the events at seq %d and seq %d are swapped", k, k, j)
		}, 1, 1, false},
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
					fmt.Fprintf(&batch, `{"action":"credentials.api_key.rotate","actor_user_id":"alice","actor_display_name":"Alice","target_type":"api_key","target_id":"key-%d","target_display_name":"Key %d","result":"success","occurred_at":"2026-11-23T12:00:00Z","metadata":{"n":%d}}`, i, i, i)
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

				// What the database holds now, as the log's export writes it.
				mustRun(t, env, "audit", "export", "--to", p("audit.jsonl"))
				if tt.rehash {
					rehashTree(t, db, p("audit.jsonl"), k)
				}
				r := aeso(t, env, "audit", "verify", "--url", s.URL, "--export", p("audit.jsonl"),
					"--checkpoint", p("cp.txt"), "--key", p("audit.vkey"))
				if want := tt.want(k, j); r.code != tt.code || !strings.Contains(r.stdout+r.stderr, want) {
					t.Errorf("exit %d, want %d with %q:\n%s%s", r.code, tt.code, want, r.stdout, r.stderr)
				}
				// Offline, a changed event makes the root differ or the
				// export short: tampered all the same.
				r = aeso(t, nil, "audit", "verify", "--export", p("audit.jsonl"), "--checkpoint", p("cp.txt"), "--key", p("audit.vkey"))
				if r.code != tt.offline {
					t.Errorf("offline: exit %d, want %d:\n%s%s", r.code, tt.offline, r.stdout, r.stderr)
				}
			})
		}
	})
}

// rehashTree rewrites the stored tree hashes from leaf k on to those of
// the export's leaves: a tree that matches the rewritten events.
func rehashTree(t *testing.T, db *sql.DB, exportPath string, k int64) {
	t.Helper()
	data, err := os.ReadFile(exportPath)
	if err != nil {
		t.Fatal(err)
	}
	var hashes []tlog.Hash
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = hashes[x]
		}
		return out, nil
	})
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	for i, leaf := range lines {
		hs, err := tlog.StoredHashes(int64(i), []byte(leaf), r)
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, hs...)
	}
	changed := 0
	rewriteTree(t, db, func(stored []tlog.Hash) []tlog.Hash {
		for x := tlog.StoredHashIndex(0, k-1); x < int64(len(hashes)); x++ {
			if stored[x] != hashes[x] {
				changed++
			}
		}
		return hashes
	})
	if changed == 0 {
		t.Fatal("no tree hash changed: the test no longer rewrites the tree")
	}
}

// rewriteTree reads every stored tree hash, in index order, and stores
// what change returns in their place, as the attacker would.
func rewriteTree(t *testing.T, db *sql.DB, change func([]tlog.Hash) []tlog.Hash) {
	t.Helper()
	rows, err := db.Query(`SELECT hashes FROM audit_tree_runs ORDER BY first_idx`)
	if err != nil {
		t.Fatal(err)
	}
	var all []byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	hashes := make([]tlog.Hash, len(all)/tlog.HashSize)
	for i := range hashes {
		copy(hashes[i][:], all[i*tlog.HashSize:])
	}
	hashes = change(hashes)
	all = all[:0]
	for _, h := range hashes {
		all = append(all, h[:]...)
	}
	attack(t, db, `DELETE FROM audit_tree_runs`)
	if len(all) > 0 {
		attack(t, db, `INSERT INTO audit_tree_runs (first_idx, hashes) VALUES (0, $1)`, all)
	}
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
		body := s.get(t, "/v1/audit/checkpoint")
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

// get reads path from the server with the admin token; anything but 200
// fails the test.
func (s *server) get(t *testing.T, path string) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.adminToken(t))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v\n%s", path, resp.StatusCode, err, body)
	}
	return body
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
		triggers = `SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('audit_logs', 'audit_display_names', 'audit_tree_runs')`
	} else {
		db, err = sql.Open("pgx", tg.URL)
		triggers = `SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE tgrelid IN ('audit_logs'::regclass, 'audit_display_names'::regclass, 'audit_tree_runs'::regclass) AND NOT tgisinternal`
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

// TestAuditWitnessFollowsTheServer runs the witness against aeso itself:
// it records the first checkpoint, then sees the log grow consistently.
func TestAuditWitnessFollowsTheServer(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		var args []string
		if tg.URL != "" {
			args = []string{"--database-url", tg.URL}
		}
		s := startServer(t, tg.DataDir, nil, args...)
		env := s.env(s.adminToken(t))
		dir := t.TempDir()
		key, state := filepath.Join(dir, "audit.vkey"), filepath.Join(dir, "state")
		writeFile(t, key, mustRun(t, env, "audit", "key").stdout)
		emit := func() int64 {
			var ev client.Event
			decode(t, mustRun(t, env, "audit", "emit", "--json", "--action", "credentials.api_key.rotate", "--actor-user", "alice"), &ev)
			s.checkpointCovering(t, ev.Seq)
			return ev.Seq
		}
		first := emit()
		r := mustRun(t, env, "audit", "witness", "--url", s.URL, "--key", key, "--state", state)
		if !strings.Contains(r.stdout, "recorded: aeso.local/audit at") {
			t.Fatalf("first run:\n%s", r.stdout)
		}
		emit()
		last := emit()
		r = mustRun(t, env, "audit", "witness", "--json", "--url", s.URL, "--key", key, "--state", state)
		var rep struct {
			Verdict          string
			TreeSize         int64 `json:"tree_size"`
			PreviousTreeSize int64 `json:"previous_tree_size"`
		}
		decode(t, r, &rep)
		if rep.Verdict != "consistent" || rep.PreviousTreeSize < first || rep.TreeSize < last || rep.TreeSize <= rep.PreviousTreeSize {
			t.Errorf("second run: %+v, want consistent from at least %d to at least %d", rep, first, last)
		}
	})
}
