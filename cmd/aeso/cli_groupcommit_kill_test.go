package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/testdb"
	"github.com/google/uuid"
)

// TestThirtyTwoWritersAcrossAKill is 32 clients sending one event at a
// time, each with its own id, when the server is killed with SIGKILL in the
// middle. After a restart: every acknowledged event is stored once, seq has
// no gap, each client's events keep its order, the log's tree covers them
// all, and the events whose answer was lost are stored at most once and
// are replays when sent again.
func TestThirtyTwoWritersAcrossAKill(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		target := testdb.Target{Dialect: tg.Dialect, DataDir: t.TempDir()}
		var args []string
		if tg.URL != "" {
			target = testdb.Postgres(t)
			args = []string{"--database-url", target.URL}
		}
		s := startServer(t, target.DataDir, nil, args...)
		token := s.adminToken(t)

		const writers = 32
		type writer struct {
			acked   []string // ids answered 201, in sending order
			unknown []int    // numbers of the events whose answer never came
			ids     []string // every id sent, by number
		}
		ws := make([]writer, writers)
		var acked atomic.Int64
		killed := make(chan struct{})
		var wg sync.WaitGroup
		hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: writers}}
		for w := range ws {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					id := uuid.Must(uuid.NewV7()).String()
					ws[w].ids = append(ws[w].ids, id)
					code, err := postEvent(hc, s.URL, token, id, w, i)
					switch {
					case err == nil && code == http.StatusCreated:
						ws[w].acked = append(ws[w].acked, id)
						acked.Add(1)
					case err != nil:
						ws[w].unknown = append(ws[w].unknown, i)
						return // the server is gone
					default:
						t.Errorf("writer %d: %d for a fresh event", w, code)
						return
					}
					select {
					case <-killed:
						return
					default:
					}
				}
			}()
		}
		waitFor(t, "400 acknowledged events", func() bool { return acked.Load() >= 400 })
		s.stop(t, syscall.SIGKILL)
		close(killed)
		wg.Wait()

		s = startServer(t, target.DataDir, nil, args...)
		env := s.env(token)
		dir := t.TempDir()
		mustRun(t, env, "audit", "export", "--to", filepath.Join(dir, "audit.jsonl"))
		stored := readExport(t, filepath.Join(dir, "audit.jsonl"))

		sent := map[string]bool{}
		for _, wr := range ws {
			for _, id := range wr.ids {
				sent[id] = true
			}
		}
		// ofWriters counts the events the writers sent; the rest are aeso's
		// own (the bootstrap token's creation).
		ofWriters := func(events []exportedEvent) (n int) {
			for _, e := range events {
				if sent[e.ID] {
					n++
				}
			}
			return n
		}
		seqOf := map[string]int64{}
		for i, e := range stored {
			if e.Seq != int64(i)+1 {
				t.Fatalf("the export's line %d has seq %d: a gap or a repeat", i+1, e.Seq)
			}
			if _, dup := seqOf[e.ID]; dup {
				t.Fatalf("id %s stored twice", e.ID)
			}
			seqOf[e.ID] = e.Seq
		}
		unknown := 0
		for w, wr := range ws {
			last := int64(0)
			for _, id := range wr.acked {
				seq, ok := seqOf[id]
				if !ok {
					t.Fatalf("writer %d: acknowledged event %s was lost", w, id)
				}
				if seq <= last {
					t.Fatalf("writer %d: acknowledged event %s has seq %d, after %d", w, id, seq, last)
				}
				last = seq
			}
			unknown += len(wr.unknown)
		}
		if extra := ofWriters(stored) - int(acked.Load()); extra < 0 || extra > unknown {
			t.Fatalf("%d of the writers' events stored, %d acknowledged, %d unanswered: the difference must be some of the unanswered",
				ofWriters(stored), acked.Load(), unknown)
		}
		t.Logf("%d acknowledged, %d unanswered, %d stored before the kill", acked.Load(), unknown, ofWriters(stored))

		// The tree covers exactly what is stored.
		writeFile(t, filepath.Join(dir, "cp.txt"), string(s.checkpointCovering(t, int64(len(stored)))))
		writeFile(t, filepath.Join(dir, "audit.vkey"), mustRun(t, env, "audit", "key").stdout)
		mustRun(t, env, "audit", "verify", "--url", s.URL, "--export", filepath.Join(dir, "audit.jsonl"),
			"--checkpoint", filepath.Join(dir, "cp.txt"), "--key", filepath.Join(dir, "audit.vkey"))

		// Sent again, an unanswered event is stored if it was not, and a
		// replay if it was: never a conflict, never twice.
		for w, wr := range ws {
			for _, i := range wr.unknown {
				code, err := postEvent(hc, s.URL, token, wr.ids[i], w, i)
				if err != nil || (code != http.StatusCreated && code != http.StatusOK) {
					t.Fatalf("writer %d: event %d sent again: %d, %v; want 201 or 200", w, i, code, err)
				}
			}
		}
		mustRun(t, env, "audit", "export", "--to", filepath.Join(dir, "after.jsonl"))
		after := readExport(t, filepath.Join(dir, "after.jsonl"))
		if n := ofWriters(after); n != int(acked.Load())+unknown || len(after)-n != len(stored)-ofWriters(stored) {
			t.Fatalf("%d of the writers' events stored after the resend (%d in all); want %d acknowledged + %d resent, and nothing else new",
				n, len(after), acked.Load(), unknown)
		}
	})
}

// postEvent sends one event of writer w; its content depends on the id
// only, so the same id sent again is the same event.
func postEvent(hc *http.Client, url, token, id string, w, i int) (int, error) {
	body := fmt.Sprintf(`{"id":%q,"action":"credentials.api_key.rotate","actor_user_id":"writer-%d","target_type":"api_key","target_id":"key-%d","result":"success","occurred_at":"2026-12-01T12:00:00Z","metadata":{"n":%d}}`, id, w, i, i)
	req, err := http.NewRequest(http.MethodPost, url+"/v1/audit/events", strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

type exportedEvent struct {
	ID  string `json:"id"`
	Seq int64  `json:"seq"`
}

// readExport reads the id and seq of every line of an export.
func readExport(t *testing.T, path string) []exportedEvent {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []exportedEvent
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e exportedEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("export line %d: %v", len(out)+1, err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
