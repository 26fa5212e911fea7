//go:build unix

package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The log's clients against what a hostile server or a hostile file can
// do: each ends with an honest answer, never a hang, never a token sent
// where it was not meant to go.

func TestAWitnessSaysWhenItCheckedNothing(t *testing.T) {
	t.Parallel()
	l := newTestLog(t, 100)
	srv := httptest.NewServer(l)
	t.Cleanup(srv.Close)
	env := []string{"AESO_TOKEN=" + l.token}
	dir := t.TempDir()
	kept := filepath.Join(dir, "volume", "checkpoint")
	if err := os.MkdirAll(filepath.Dir(kept), 0o700); err != nil {
		t.Fatal(err)
	}
	// The state is a link into a kept volume: the checkpoint goes there.
	state := filepath.Join(dir, "state")
	if err := os.Symlink(kept, state); err != nil {
		t.Fatal(err)
	}
	type report struct {
		Verdict  string `json:"verdict"`
		TreeSize int64  `json:"tree_size"`
		Previous *int64 `json:"previous_tree_size"`
	}
	run := func() report {
		t.Helper()
		r := aeso(t, env, "audit", "witness", "--json", "--url", srv.URL, "--key", l.vkey, "--state", state)
		if r.code != 0 {
			t.Fatalf("exit %d: %s %s", r.code, r.stdout, r.stderr)
		}
		var rep report
		decode(t, r, &rep)
		return rep
	}
	if rep := run(); rep.Verdict != "recorded" || rep.Previous != nil || rep.TreeSize != 100 {
		t.Errorf("first run: %+v, want recorded with no previous tree", rep)
	}
	l.append(5)
	if rep := run(); rep.Verdict != "consistent" || rep.Previous == nil || *rep.Previous != 100 || rep.TreeSize != 105 {
		t.Errorf("second run: %+v, want consistent from 100", rep)
	}
	if fi, err := os.Lstat(state); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the state link was replaced: %v %v", fi, err)
	}
	data, err := os.ReadFile(kept)
	if err != nil || !strings.Contains(string(data), "\n105\n") {
		t.Errorf("the kept checkpoint: %q %v, want the tree of 105", data, err)
	}
}

func TestTheLogsLocalFilesMustBeSmallRegularFiles(t *testing.T) {
	t.Parallel()
	l := newTestLog(t, 10)
	srv := httptest.NewServer(l)
	t.Cleanup(srv.Close)
	env := []string{"AESO_TOKEN=" + l.token}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, 70<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	export := filepath.Join(dir, "export.jsonl")
	if err := os.WriteFile(export, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"a checkpoint from a device":  {[]string{"audit", "verify", "--export", export, "--checkpoint", "/dev/zero", "--key", l.vkey}, "/dev/zero is not a regular file"},
		"a checkpoint from a FIFO":    {[]string{"audit", "verify", "--export", export, "--checkpoint", fifo, "--key", l.vkey}, "is not a regular file"},
		"a checkpoint of 70 KiB":      {[]string{"audit", "verify", "--export", export, "--checkpoint", big, "--key", l.vkey}, "holds more than 65536 bytes"},
		"a key from a device":         {[]string{"audit", "verify", "--export", export, "--checkpoint", big, "--key", "/dev/zero"}, "/dev/zero is not a regular file"},
		"a witness state from a FIFO": {[]string{"audit", "witness", "--url", srv.URL, "--key", l.vkey, "--state", fifo}, "is not a regular file"},
	} {
		start := time.Now()
		r := aeso(t, env, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%s: exit %d, want 2 saying %q: %s", name, r.code, c.want, r.stderr)
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("%s: took %s", name, d)
		}
	}
}

func TestAnExportIsAnExportOrNothing(t *testing.T) {
	t.Parallel()
	login := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<!DOCTYPE html>\n<html><body>Sign in</body></html>\n"))
	}))
	t.Cleanup(login.Close)
	to := filepath.Join(t.TempDir(), "audit.jsonl")
	r := aeso(t, []string{"AESO_TOKEN=x"}, "audit", "export", "--url", login.URL, "--to", to)
	if r.code != 2 || !strings.Contains(r.stderr, "line 1 of the answer is not an event's leaf") {
		t.Errorf("an HTML page as export: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	if entries, _ := os.ReadDir(filepath.Dir(to)); len(entries) != 0 {
		t.Errorf("files left behind: %v", entries)
	}
}

// A server that redirects elsewhere (another port, http from https) does
// not get the token sent there: the redirect is refused and says why.
func TestTheTokenIsNotFollowedToAnotherOrigin(t *testing.T) {
	t.Parallel()
	var leaked atomic.Value
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Store(r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"posture": "healthy"})
	}))
	t.Cleanup(other.Close)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusMovedPermanently)
	}))
	t.Cleanup(redirect.Close)
	r := aeso(t, []string{"AESO_TOKEN=aeso_secret_redirect_token"}, "status", "--url", redirect.URL)
	if r.code != 2 || !strings.Contains(r.stderr, "refused a redirect from http://"+strings.TrimPrefix(redirect.URL, "http://")) {
		t.Errorf("exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if v, _ := leaked.Load().(string); v != "" {
		t.Errorf("the token reached the other origin: %q", v)
	}
}

// A 404 that is not the log's own "no such tile" (a proxy's page, a path
// routed elsewhere) says nothing of what the log holds: an error, not a
// log cut off.
func TestAForeignNotFoundIsNoVerdict(t *testing.T) {
	t.Parallel()
	l := newTestLog(t, 300)
	cp := l.checkpoint(300)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1/audit/tlog/") {
			http.NotFound(w, r)
			return
		}
		l.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	dir := writeFiles(t, map[string][]byte{"audit.jsonl": export(l.leaves), "cp.txt": cp})
	r := aeso(t, []string{"AESO_TOKEN=" + l.token}, "audit", "verify", "--url", proxy.URL,
		"--export", filepath.Join(dir, "audit.jsonl"), "--checkpoint", filepath.Join(dir, "cp.txt"), "--key", l.vkey)
	if r.code != 2 || strings.Contains(r.stdout+r.stderr, "tampered") {
		t.Errorf("exit %d, want 2 and no verdict:\n%s%s", r.code, r.stdout, r.stderr)
	}
}
