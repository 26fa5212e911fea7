package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/aeso-dev/aeso/internal/testdb"
)

func TestAuditKeyAndExportCommands(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		var args []string
		if tg.URL != "" {
			args = []string{"--database-url", tg.URL}
		}
		s := startServer(t, tg.DataDir, nil, args...)
		token := s.adminToken(t)
		admin := s.env(token)
		for i := 0; i < 5; i++ {
			mustRun(t, admin, "audit", "emit", "--action", "fleet.node.drain", "--actor-user", "alice",
				"--metadata", `{"seq":99,"note":"a,\"seq\":7"}`)
		}
		skey, err := os.ReadFile(filepath.Join(tg.DataDir, "log.key"))
		if err != nil {
			t.Fatalf("the server made no key file: %v", err)
		}
		if info, _ := os.Stat(filepath.Join(tg.DataDir, "log.key")); info.Mode().Perm() != 0o600 {
			t.Errorf("log.key mode %v; want 0600", info.Mode().Perm())
		}

		remote := mustRun(t, []string{"AESO_URL=" + s.URL}, "audit", "key") // no token needed
		local := mustRun(t, nil, "audit", "key", "--data-dir", tg.DataDir)
		if remote.stdout != local.stdout || !strings.HasPrefix(remote.stdout, "aeso.local/audit+") {
			t.Fatalf("server key %q, local key %q; want one verifier key", remote.stdout, local.stdout)
		}
		if strings.Contains(remote.stdout+local.stdout, strings.SplitN(strings.TrimSpace(string(skey)), "+", 5)[4]) {
			t.Fatal("the signing key was printed")
		}

		resp, err := http.Get(s.URL + "/v1/audit/export?since=2&access_token=") // no token: refused
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("export without a token: %d", resp.StatusCode)
			}
		}
		req, _ := http.NewRequest("GET", s.URL+"/v1/audit/export?since=2", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := io.ReadAll(resp.Body)
		resp.Body.Close()

		file := filepath.Join(t.TempDir(), "audit.jsonl")
		r := mustRun(t, admin, "audit", "export", "--since", "2", "--to", file)
		got, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		n := bytes.Count(want, []byte("\n"))
		if !bytes.Equal(got, want) || n != 4 { // the bootstrap token and 5 events, after seq 2
			t.Fatalf("the file holds %d bytes, the endpoint %d (%d lines); want the same bytes", len(got), len(want), n)
		}
		if !strings.Contains(r.stdout, "(seq 3 to ") || strings.Contains(r.stdout, "to 99") || strings.Contains(r.stdout, "to 7 ") {
			t.Errorf("summary %q does not name the exported seqs", r.stdout)
		}
		if r := aeso(t, admin, "audit", "export", "--to", filepath.Join(t.TempDir(), "x"), "--since", "-1"); r.code == 0 {
			t.Errorf("--since -1 was accepted")
		}
		if r := aeso(t, admin, "audit", "export"); r.code == 0 || !strings.Contains(r.stderr, "to") {
			t.Errorf("export without --to: exit %d, %s", r.code, r.stderr)
		}
		if code := s.stop(t, syscall.SIGTERM); code != 0 {
			t.Errorf("aeso serve exit code = %d", code)
		}
		if strings.Contains(s.stdout.String()+s.stderr.String(), strings.TrimSpace(string(skey))) {
			t.Fatal("the server logged its signing key")
		}
	})
}
