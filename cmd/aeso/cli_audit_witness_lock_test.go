//go:build unix

package main

import (
	"bytes"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestAuditWitnessGuardsItsState: a run that finds another holding the
// state's lock checks nothing and leaves the state alone, and
// --require-state refuses to start trust over when the state is gone.
func TestAuditWitnessGuardsItsState(t *testing.T) {
	t.Parallel()
	l := newTestLog(t, 10)
	srv := httptest.NewServer(l)
	t.Cleanup(srv.Close)
	state := filepath.Join(t.TempDir(), "checkpoint")
	env := []string{"AESO_TOKEN=" + l.token}
	witness := func(extra ...string) result {
		return aeso(t, env, append([]string{"audit", "witness", "--url", srv.URL, "--key", l.vkey, "--state", state}, extra...)...)
	}

	r := witness("--require-state")
	if _, err := os.Stat(state); r.code != 2 || !strings.Contains(r.stderr, "does not exist, and --require-state") || err == nil {
		t.Fatalf("a missing state with --require-state: exit %d (state written: %v):\n%s", r.code, err == nil, r.stderr)
	}
	if r = witness(); r.code != 0 {
		t.Fatalf("first run: exit %d:\n%s", r.code, r.stderr)
	}
	before, _ := os.ReadFile(state)

	lock, err := os.OpenFile(state+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	l.append(5)
	r = witness("--require-state")
	after, _ := os.ReadFile(state)
	if r.code != 2 || !strings.Contains(r.stderr, "another witness run holds") || !bytes.Equal(before, after) {
		t.Fatalf("with the lock held: exit %d, state changed %v:\n%s", r.code, !bytes.Equal(before, after), r.stderr)
	}
	syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if r = witness("--require-state"); r.code != 0 || !strings.Contains(r.stdout, "grew from 10 to 15 events") {
		t.Fatalf("once the lock is free: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
}
