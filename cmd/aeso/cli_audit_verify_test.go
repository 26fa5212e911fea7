package main

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeFiles writes the export and checkpoints into a temp dir.
func writeFiles(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestAuditVerifyOffline(t *testing.T) {
	t.Parallel()
	l := newTestLog(t, 300)
	other := newTestLog(t, 300) // another key, same origin
	tampered := slices.Clone(l.leaves)
	tampered[99] = testLeaf(100, "credentials.api_key.delete")
	dir := writeFiles(t, map[string][]byte{
		"audit.jsonl":    export(l.leaves),
		"short.jsonl":    export(l.leaves[:250]),
		"tampered.jsonl": export(tampered),
		"crlf.jsonl":     bytes.ReplaceAll(export(l.leaves), []byte("\n"), []byte("\r\n")),
		"cut.jsonl":      export(l.leaves)[:len(export(l.leaves))-1],
		"cp200.txt":      l.checkpoint(200),
		"cp300.txt":      l.checkpoint(300),
		"forged.txt":     bytes.Replace(l.checkpoint(300), []byte("\n300\n"), []byte("\n299\n"), 1),
		"other.txt":      other.checkpoint(300),
		"audit.vkey":     []byte(l.vkey + "\n"),
	})
	p := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name string
		args []string
		code int
		want string // in stdout for 0, stderr otherwise
	}{
		{"an intact export", []string{"--export", p("audit.jsonl"), "--checkpoint", p("cp300.txt"), "--key", l.vkey},
			0, "verified: the export's first 300 events are the log " + testOrigin},
		{"the key read from a file", []string{"--export", p("audit.jsonl"), "--checkpoint", p("cp200.txt"), "--key", p("audit.vkey")},
			0, "100 later events are newer than the checkpoint"},
		{"two consistent checkpoints", []string{"--export", p("audit.jsonl"), "--checkpoint", p("cp300.txt"), "--checkpoint2", p("cp200.txt"), "--key", l.vkey},
			0, "checkpoints of 200 and 300 events are consistent"},
		{"an altered event", []string{"--export", p("tampered.jsonl"), "--checkpoint", p("cp300.txt"), "--key", l.vkey},
			1, "tampered: root mismatch"},
		{"an altered event under two checkpoints", []string{"--export", p("tampered.jsonl"), "--checkpoint", p("cp200.txt"), "--checkpoint", p("cp300.txt"), "--key", l.vkey},
			1, "tampered: root mismatch: the first 200 events"},
		{"an export that ends early", []string{"--export", p("short.jsonl"), "--checkpoint", p("cp300.txt"), "--key", l.vkey},
			1, "tampered: missing: the export holds 250 events but the checkpoint covers 300"},
		{"a checkpoint changed after signing", []string{"--export", p("audit.jsonl"), "--checkpoint", p("forged.txt"), "--key", l.vkey},
			1, "tampered: bad signature"},
		{"a checkpoint signed by another key", []string{"--export", p("audit.jsonl"), "--checkpoint", p("other.txt"), "--key", l.vkey},
			1, "carries no signature by the key " + testOrigin},
		{"CR LF line endings", []string{"--export", p("crlf.jsonl"), "--checkpoint", p("cp300.txt"), "--key", l.vkey},
			2, "ends with CR LF"},
		{"a last line cut short", []string{"--export", p("cut.jsonl"), "--checkpoint", p("cp300.txt"), "--key", l.vkey},
			2, "line 300 (seq 300) has no newline"},
		{"a malformed key", []string{"--export", p("audit.jsonl"), "--checkpoint", p("cp300.txt"), "--key", "aeso.test/audit+123"},
			2, "not a verifier key"},
		{"a missing export", []string{"--export", p("nope.jsonl"), "--checkpoint", p("cp300.txt"), "--key", l.vkey},
			2, "no such file"},
		{"no checkpoint", []string{"--export", p("audit.jsonl"), "--key", l.vkey},
			2, "--checkpoint are required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := aeso(t, nil, append([]string{"audit", "verify"}, tt.args...)...)
			out := r.stdout
			if tt.code != 0 {
				out = r.stderr
			}
			if r.code != tt.code || !strings.Contains(out, tt.want) {
				t.Errorf("exit %d, want %d with %q; stdout:\n%s\nstderr:\n%s", r.code, tt.code, tt.want, r.stdout, r.stderr)
			}
		})
	}
}

func TestAuditVerifyWithTheLogNamesTheSeq(t *testing.T) {
	t.Parallel()
	l := newTestLog(t, 600)
	cp := l.checkpoint(520) // the log has grown since: its partial tiles are wider
	l.append(10)
	srv := httptest.NewServer(l)
	t.Cleanup(srv.Close)

	swap := slices.Clone(l.leaves)
	// Swapped in the database: each row takes the other's seq.
	swap[6], swap[19] = bytes.Replace(l.leaves[19], []byte(`"seq":20`), []byte(`"seq":7`), 1), bytes.Replace(l.leaves[6], []byte(`"seq":7`), []byte(`"seq":20`), 1)
	tests := []struct {
		name   string
		export [][]byte
		code   int
		want   string
	}{
		{"an intact export", l.leaves, 0, "520 events compared one by one"},
		{"an altered event", slices.Concat(l.leaves[:299], [][]byte{testLeaf(300, "audit.forged")}, l.leaves[300:]), 1, "tampered: altered at seq 300"},
		{"a deleted event", slices.Concat(l.leaves[:4], l.leaves[5:]), 1, "tampered: missing at seq 5"},
		{"an inserted event", slices.Concat(l.leaves[:41], [][]byte{testLeaf(42, "audit.forged")}, l.leaves[41:]), 1, "tampered: extra at seq 42"},
		{"two swapped events", swap, 1, "tampered: reordered at seq 7: the events at seq 7 and seq 20 are swapped"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, map[string][]byte{"audit.jsonl": export(tt.export), "cp.txt": cp})
			r := aeso(t, []string{"AESO_TOKEN=" + l.token}, "audit", "verify", "--url", srv.URL,
				"--export", filepath.Join(dir, "audit.jsonl"), "--checkpoint", filepath.Join(dir, "cp.txt"), "--key", l.vkey)
			out := r.stdout + r.stderr
			if r.code != tt.code || !strings.Contains(out, tt.want) {
				t.Errorf("exit %d, want %d with %q:\n%s", r.code, tt.code, tt.want, out)
			}
		})
	}

	t.Run("--json names the kind and the seq", func(t *testing.T) {
		t.Parallel()
		dir := writeFiles(t, map[string][]byte{"audit.jsonl": export(slices.Concat(l.leaves[:4], l.leaves[5:])), "cp.txt": cp})
		r := aeso(t, []string{"AESO_TOKEN=" + l.token}, "audit", "verify", "--json", "--url", srv.URL,
			"--export", filepath.Join(dir, "audit.jsonl"), "--checkpoint", filepath.Join(dir, "cp.txt"), "--key", l.vkey)
		var rep struct {
			Verdict, Kind, Origin string
			Seq                   int64
			TreeSize              int64 `json:"tree_size"`
		}
		decode(t, r, &rep)
		if r.code != 1 || rep.Verdict != "tampered" || rep.Kind != "missing" || rep.Seq != 5 {
			t.Errorf("exit %d, report %+v; want 1, tampered, missing, seq 5", r.code, rep)
		}
		// The checkpoint the verdict was reached against is named, as a
		// verified answer names it: a script reading tree_size is not told 0.
		lines := strings.Split(string(cp), "\n") // origin, size, root, then the signature
		if size := fmt.Sprint(rep.TreeSize); size != lines[1] || rep.Origin != lines[0] {
			t.Errorf("report %+v; want the checkpoint's origin %q and tree size %s", rep, lines[0], lines[1])
		}
	})
	t.Run("a wrong token is an error, not a verdict", func(t *testing.T) {
		t.Parallel()
		dir := writeFiles(t, map[string][]byte{"audit.jsonl": export(l.leaves), "cp.txt": cp})
		r := aeso(t, []string{"AESO_TOKEN=wrong"}, "audit", "verify", "--url", srv.URL,
			"--export", filepath.Join(dir, "audit.jsonl"), "--checkpoint", filepath.Join(dir, "cp.txt"), "--key", l.vkey)
		if r.code != 2 || !strings.Contains(r.stderr, "401") {
			t.Errorf("exit %d, want 2 naming the 401:\n%s", r.code, r.stderr)
		}
	})
}

func TestAuditWitness(t *testing.T) {
	t.Parallel()
	l := newTestLog(t, 100)
	srv := httptest.NewServer(l)
	t.Cleanup(srv.Close)
	state := filepath.Join(t.TempDir(), "witness", "checkpoint")
	if err := os.MkdirAll(filepath.Dir(state), 0o700); err != nil {
		t.Fatal(err)
	}
	env := []string{"AESO_TOKEN=" + l.token}
	witness := func(t *testing.T, code int, want string) {
		t.Helper()
		r := aeso(t, env, "audit", "witness", "--url", srv.URL, "--key", l.vkey, "--state", state)
		if out := r.stdout + r.stderr; r.code != code || !strings.Contains(out, want) {
			t.Fatalf("exit %d, want %d with %q:\n%s", r.code, code, want, out)
		}
	}
	recorded := func(t *testing.T, size int64) {
		t.Helper()
		data, err := os.ReadFile(state)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("\n%d\n", size); !bytes.Contains(data, []byte(want)) {
			t.Errorf("state holds\n%s\nwant the checkpoint of %d events", data, size)
		}
	}

	ok := t.Run("the first run records the checkpoint, for its owner only", func(t *testing.T) {
		witness(t, 0, "recorded: "+testOrigin+" at 100 events")
		fi, err := os.Stat(state)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("state mode %v, want 0600", fi.Mode().Perm())
		}
		recorded(t, 100)
	})
	ok = ok && t.Run("a grown log is consistent", func(t *testing.T) {
		l.append(300)
		witness(t, 0, "consistent: "+testOrigin+" grew from 100 to 400 events")
		recorded(t, 400)
	})
	ok = ok && t.Run("an unchanged log is consistent", func(t *testing.T) {
		witness(t, 0, "consistent: "+testOrigin+" unchanged at 400 events")
	})
	ok = ok && t.Run("a history rewritten and grown is caught, and the state kept", func(t *testing.T) {
		l.rewrite(150)
		l.append(5)
		witness(t, 1, "tampered: inconsistent: the tree of 405 events does not extend the tree of 400 events")
		recorded(t, 400)
		witness(t, 1, "tampered: inconsistent") // and on every run until someone looks
	})
	ok = ok && t.Run("the same size with another root is caught", func(t *testing.T) {
		l.truncate(400)
		witness(t, 1, "two checkpoints of 400 events have different roots")
	})
	ok = ok && t.Run("a smaller tree is caught", func(t *testing.T) {
		l.truncate(399)
		witness(t, 1, "tampered: rolled back: the log now shows 399 events, but a checkpoint of 400 events was seen before")
	})
	ok = ok && t.Run("a checkpoint signed by another key is caught", func(t *testing.T) {
		impostor := newTestLog(t, 500)
		impostor.token = l.token
		isrv := httptest.NewServer(impostor)
		defer isrv.Close()
		r := aeso(t, env, "audit", "witness", "--url", isrv.URL, "--key", l.vkey, "--state", state)
		if r.code != 1 || !strings.Contains(r.stderr, "bad signature") {
			t.Errorf("exit %d, want 1 for a bad signature:\n%s", r.code, r.stderr)
		}
		recorded(t, 400)
	})
	if !ok {
		return
	}
	t.Run("errors exit 2", func(t *testing.T) {
		down := httptest.NewServer(l)
		down.Close()
		for name, args := range map[string][]string{
			"an unreachable log": {"--url", down.URL, "--key", l.vkey, "--state", state},
			"no state flag":      {"--url", srv.URL, "--key", l.vkey},
			"a state file that is not a checkpoint": {"--url", srv.URL, "--key", l.vkey,
				"--state", filepath.Join(writeFiles(t, map[string][]byte{"s": []byte("junk\n")}), "s")},
		} {
			if r := aeso(t, env, append([]string{"audit", "witness"}, args...)...); r.code != 2 {
				t.Errorf("%s: exit %d, want 2:\n%s", name, r.code, r.stderr)
			}
		}
	})
}

// TestAuditVerifyCatchesALogCutOff is the log restored from an old backup:
// its end, events and tree hashes, is gone. Online it is tampered (exit 1)
// as it is offline, not a server error.
func TestAuditVerifyCatchesALogCutOff(t *testing.T) {
	t.Parallel()
	l := newTestLog(t, 300)
	cp := l.checkpoint(300)
	l.truncate(280)
	srv := httptest.NewServer(l)
	t.Cleanup(srv.Close)
	dir := writeFiles(t, map[string][]byte{"audit.jsonl": export(l.leaves), "cp.txt": cp})
	args := []string{"audit", "verify", "--export", filepath.Join(dir, "audit.jsonl"), "--checkpoint", filepath.Join(dir, "cp.txt"), "--key", l.vkey}
	r := aeso(t, []string{"AESO_TOKEN=" + l.token}, append(args, "--url", srv.URL)...)
	if want := "tampered: rolled back: the log now shows 280 events, but a checkpoint of 300 events was seen before"; r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Errorf("exit %d, want 1 with %q:\n%s%s", r.code, want, r.stdout, r.stderr)
	}
	if r = aeso(t, nil, args...); r.code != 1 {
		t.Errorf("offline: exit %d, want 1:\n%s%s", r.code, r.stdout, r.stderr)
	}
}
