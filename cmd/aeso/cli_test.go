package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// aesoBin is the binary under test. TestMain builds it once so every test
// runs what users run, flags, environment and exit codes included.
var aesoBin string

func TestMain(m *testing.M) { os.Exit(buildAndRun(m)) }

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "aeso-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	aesoBin = filepath.Join(dir, "aeso")
	build := exec.Command(goTool(), "build", "-o", aesoBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build aeso:", err)
		return 1
	}
	return m.Run()
}

// goTool is the go command running these tests: GOROOT when it is set, else
// PATH, on which go test puts its own GOROOT/bin first.
func goTool() string {
	if root := os.Getenv("GOROOT"); root != "" {
		if p := filepath.Join(root, "bin", "go"); fileExists(p) {
			return p
		}
	}
	return "go"
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// result is how one aeso command ended.
type result struct {
	code           int
	stdout, stderr string
}

// cliEnv is the test's environment without any AESO_ variable (a developer's
// AESO_TOKEN must not leak into a test), plus extra.
func cliEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AESO_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// aeso runs the binary to completion, killing it after 15 s.
func aeso(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, aesoBin, args...)
	cmd.Env = cliEnv(env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	var exitErr *exec.ExitError
	if err := cmd.Run(); err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("aeso %s: %v", strings.Join(args, " "), err)
	}
	return result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
}

// mustRun runs aeso and fails the test unless it exits 0.
func mustRun(t *testing.T, env []string, args ...string) result {
	t.Helper()
	r := aeso(t, env, args...)
	if r.code != 0 {
		t.Fatalf("aeso %s: exit code %d, stderr:\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r
}

// decode parses a command's --json output into v.
func decode(t *testing.T, r result, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
		t.Fatalf("output is not the JSON expected (%v):\n%s", err, r.stdout)
	}
}

// lockedBuffer collects a subprocess's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// server is `aeso serve` running as a subprocess.
type server struct {
	URL     string
	DataDir string
	stdout  lockedBuffer
	stderr  lockedBuffer
	cmd     *exec.Cmd
	exited  chan struct{} // closed once cmd.Wait has returned
}

// startServer runs `aeso serve` on a free port with dataDir and waits until
// /readyz answers 200. The process is stopped when the test ends.
func startServer(t *testing.T, dataDir string, env []string, args ...string) *server {
	t.Helper()
	addr := freeAddr(t)
	s := &server{URL: "http://" + addr, DataDir: dataDir, exited: make(chan struct{})}
	s.cmd = exec.Command(aesoBin, append([]string{"serve", "--addr", addr, "--data-dir", dataDir}, args...)...)
	s.cmd.Env = cliEnv(env...)
	s.cmd.Stdout, s.cmd.Stderr = &s.stdout, &s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start aeso serve: %v", err)
	}
	go func() {
		_ = s.cmd.Wait() // the exit code is read from ProcessState
		close(s.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			_ = s.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-s.exited:
			case <-time.After(5 * time.Second):
				_ = s.cmd.Process.Kill()
				<-s.exited
			}
		}
		if t.Failed() {
			t.Logf("aeso serve stderr:\n%s", s.stderr.String())
		}
	})
	s.waitReady(t)
	return s
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func (s *server) waitReady(t *testing.T) {
	t.Helper()
	hc := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(15 * time.Second)
	for {
		if resp, err := hc.Get(s.URL + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-s.exited:
			t.Fatalf("aeso serve exited with code %d before it was ready; stderr:\n%s",
				s.cmd.ProcessState.ExitCode(), s.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("aeso serve not ready within 15s; stderr:\n%s", s.stderr.String())
		}
	}
}

// stop sends sig and returns the exit code; the process has 10 s to exit.
func (s *server) stop(t *testing.T, sig os.Signal) int {
	t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal aeso serve: %v", err)
	}
	select {
	case <-s.exited:
		return s.cmd.ProcessState.ExitCode()
	case <-time.After(10 * time.Second):
		t.Fatalf("aeso serve still running 10s after %v; stderr:\n%s", sig, s.stderr.String())
		return -1
	}
}

// env is the environment of a client command talking to s with token.
func (s *server) env(token string) []string {
	return []string{"AESO_URL=" + s.URL, "AESO_TOKEN=" + token}
}

// adminToken reads the bootstrap token from the data directory.
func (s *server) adminToken(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(s.DataDir, "admin.token"))
	if err != nil {
		t.Fatalf("read admin token: %v", err)
	}
	return strings.TrimSpace(string(data))
}

// assertSecretNotLogged stops s so its output is complete, then checks that
// secret appears in neither stdout nor stderr.
func (s *server) assertSecretNotLogged(t *testing.T, secret string) {
	t.Helper()
	if code := s.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("aeso serve exit code = %d, want 0", code)
	}
	for name, out := range map[string]string{"stdout": s.stdout.String(), "stderr": s.stderr.String()} {
		if strings.Contains(out, secret) {
			t.Errorf("the token appears in the server's %s:\n%s", name, out)
		}
	}
}

func TestServeWritesTheFirstAdminTokenOnlyToItsFile(t *testing.T) {
	s := startServer(t, t.TempDir(), nil)
	path := filepath.Join(s.DataDir, "admin.token")

	if want := "admin token written to " + path; !strings.Contains(s.stdout.String(), want) {
		t.Errorf("stdout = %q, want it to contain %q", s.stdout.String(), want)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("admin token file: %v", err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("admin token file mode = %#o, want 0600", perm)
	}
	token := s.adminToken(t)
	if !strings.HasPrefix(token, "aeso_") {
		t.Fatalf("admin token = %q, want the prefix aeso_", token)
	}
	// An authenticated request gives the request log a chance to leak it.
	mustRun(t, s.env(token), "audit", "list")
	s.assertSecretNotLogged(t, token)
}

func TestServeStopsCleanlyOnASignal(t *testing.T) {
	for _, tc := range []struct {
		name string
		sig  os.Signal
	}{
		{"SIGTERM drains and exits 0", syscall.SIGTERM},
		{"SIGINT drains and exits 0", syscall.SIGINT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, t.TempDir(), nil)
			if code := s.stop(t, tc.sig); code != 0 {
				t.Errorf("exit code = %d, want 0; stderr:\n%s", code, s.stderr.String())
			}
			if !strings.Contains(s.stderr.String(), "msg=stopped") {
				t.Errorf("stderr lacks msg=stopped:\n%s", s.stderr.String())
			}
		})
	}
}

func TestAuditCommandsRecordAndShowEvents(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		var args []string
		if tg.URL != "" {
			args = []string{"--database-url", tg.URL}
		}
		s := startServer(t, tg.DataDir, nil, args...)
		admin := s.env(s.adminToken(t))
		var id string

		ok := t.Run("emit from flags prints the event's summary", func(t *testing.T) {
			r := mustRun(t, admin, "audit", "emit", "--action", "credentials.api_key.rotate",
				"--actor-user", "alice", "--target-type", "api_key", "--target-id", "key-42",
				"--metadata", `{"key_name":"deploy","password":"hunter2"}`)
			want := "alice performed credentials.api_key.rotate on API key key-42"
			if !strings.Contains(r.stdout, want) {
				t.Errorf("stdout lacks the summary %q:\n%s", want, r.stdout)
			}
		})
		ok = ok && t.Run("list --json shows the event with its password redacted", func(t *testing.T) {
			r := mustRun(t, admin, "audit", "list", "--json")
			var page client.EventPage
			decode(t, r, &page)
			if len(page.Events) == 0 {
				t.Fatalf("no events listed:\n%s", r.stdout)
			}
			ev := page.Events[0]
			if ev.Action != "credentials.api_key.rotate" {
				t.Fatalf("newest event action = %q, want credentials.api_key.rotate", ev.Action)
			}
			var md map[string]any
			if err := json.Unmarshal(ev.Metadata, &md); err != nil {
				t.Fatalf("metadata %s: %v", ev.Metadata, err)
			}
			if md["password"] != "[REDACTED]" || md["key_name"] != "deploy" {
				t.Errorf("metadata = %v, want password [REDACTED] and key_name deploy", md)
			}
			if strings.Contains(r.stdout, "hunter2") {
				t.Errorf("the password appears in the listing")
			}
			id = ev.ID
		})
		if !ok {
			return
		}

		t.Run("get names the redacted metadata paths", func(t *testing.T) {
			r := mustRun(t, admin, "audit", "get", id)
			var redacted string
			for line := range strings.SplitSeq(r.stdout, "\n") {
				if strings.HasPrefix(line, "Redacted") {
					redacted = line
				}
			}
			if !strings.Contains(redacted, "password") {
				t.Errorf("no Redacted line naming password in:\n%s", r.stdout)
			}
			if !strings.Contains(r.stdout, id) || strings.Contains(r.stdout, "hunter2") {
				t.Errorf("want the event %s without its password:\n%s", id, r.stdout)
			}
		})
		t.Run("get --json returns the event", func(t *testing.T) {
			var ev client.Event
			decode(t, mustRun(t, admin, "audit", "get", id, "--json"), &ev)
			if ev.ID != id || !slices.Equal(ev.RedactedPaths, []string{"password"}) {
				t.Errorf("got id %s redacted %v, want id %s redacted [password]", ev.ID, ev.RedactedPaths, id)
			}
		})
		t.Run("emit --file stores every event of a JSON array", func(t *testing.T) {
			var receipt client.BatchReceipt
			decode(t, mustRun(t, admin, "audit", "emit", "--file", "testdata/two-events.json", "--json"), &receipt)
			if receipt.Created != 2 || len(receipt.Events) != 2 {
				t.Fatalf("receipt %+v, want 2 created", receipt)
			}
			var actions []string
			for _, rc := range receipt.Events {
				var ev client.Event
				decode(t, mustRun(t, admin, "audit", "get", rc.ID, "--json"), &ev)
				actions = append(actions, ev.Action)
			}
			if want := []string{"deploy.release.approve", "deploy.release.start"}; !slices.Equal(actions, want) {
				t.Errorf("stored actions = %v, want %v", actions, want)
			}
		})

		t.Run("emit --file takes one event whose metadata mentions events", func(t *testing.T) {
			var receipt client.BatchReceipt
			decode(t, mustRun(t, admin, "audit", "emit", "--file", "testdata/event-with-events-metadata.json", "--json"), &receipt)
			if len(receipt.Events) != 1 {
				t.Fatalf("receipt %+v, want one event", receipt)
			}
			var ev client.Event
			decode(t, mustRun(t, admin, "audit", "get", receipt.Events[0].ID, "--json"), &ev)
			var compact bytes.Buffer
			if err := json.Compact(&compact, ev.Metadata); err != nil || ev.Action != "deploy.release.start" || compact.String() != `{"events":3}` {
				t.Errorf("stored %s with metadata %s", ev.Action, ev.Metadata)
			}
		})

		for _, tc := range []struct {
			name       string
			env        []string
			args       []string
			wantStderr string
		}{
			{
				name:       "emit --file refuses a misspelt field instead of dropping it",
				env:        admin,
				args:       []string{"audit", "emit", "--file", "testdata/misspelt-field.json"},
				wantStderr: `unknown field "metdata"`,
			},
			{
				name:       "emit with an invalid action names the field",
				env:        admin,
				args:       []string{"audit", "emit", "--action", "Bad", "--actor-user", "alice"},
				wantStderr: "\n  action: ",
			},
			{
				name:       "a command without AESO_TOKEN says to set it",
				env:        []string{"AESO_URL=" + s.URL},
				args:       []string{"audit", "list"},
				wantStderr: "AESO_TOKEN is not set",
			},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := aeso(t, tc.env, tc.args...)
				if r.code != 1 || !strings.Contains(r.stderr, tc.wantStderr) {
					t.Errorf("exit code %d, stderr:\n%s\nwant exit code 1 and stderr containing %q", r.code, r.stderr, tc.wantStderr)
				}
			})
		}
		// Checked last: the startup line may be written just after /readyz answers.
		if want := "database=" + tg.Dialect; !strings.Contains(s.stderr.String(), want) {
			t.Errorf("server log lacks %s, so another database was under test", want)
		}
	})
}

func TestTokenCommandsManageAccess(t *testing.T) {
	s := startServer(t, t.TempDir(), nil)
	admin := s.env(s.adminToken(t))

	secret := strings.TrimSpace(mustRun(t, admin, "token", "create", "--principal", "ci", "--scope", "audit:write").stdout)
	if !strings.HasPrefix(secret, "aeso_") || strings.ContainsAny(secret, " \n") {
		t.Fatalf("token create stdout = %q, want only a secret starting with aeso_", secret)
	}
	ci := s.env(secret)
	var id string

	ok := t.Run("the new token can emit events", func(t *testing.T) {
		mustRun(t, ci, "audit", "emit", "--action", "deploy.release.start", "--actor-service-account", "ci")
	})
	ok = ok && t.Run("a token without audit:read is forbidden to list events", func(t *testing.T) {
		r := aeso(t, ci, "audit", "list")
		if r.code != 1 || !strings.Contains(r.stderr, "403 forbidden") {
			t.Errorf("exit code %d, stderr %q; want exit code 1 and a 403 forbidden", r.code, r.stderr)
		}
	})
	ok = ok && t.Run("token list shows the new token as active", func(t *testing.T) {
		r := mustRun(t, admin, "token", "list")
		for line := range strings.SplitSeq(r.stdout, "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[1] == "ci" && f[len(f)-1] == "active" {
				id = f[0]
			}
		}
		if id == "" {
			t.Errorf("no active token of principal ci in:\n%s", r.stdout)
		}
		if strings.Contains(r.stdout, secret) {
			t.Errorf("token list shows the secret")
		}
	})
	if !ok {
		return
	}
	t.Run("a revoked token is refused with 401", func(t *testing.T) {
		r := mustRun(t, admin, "token", "revoke", id)
		if want := "revoked token " + id + " (ci)"; !strings.Contains(r.stdout, want) {
			t.Errorf("token revoke stdout = %q, want %q", r.stdout, want)
		}
		r = aeso(t, ci, "audit", "emit", "--action", "deploy.release.start", "--actor-service-account", "ci")
		if r.code != 1 || !strings.Contains(r.stderr, "401") {
			t.Errorf("exit code %d, stderr %q; want exit code 1 and a 401", r.code, r.stderr)
		}
	})
	t.Run("the audit trail records the token's creation and revocation", func(t *testing.T) {
		r := mustRun(t, admin, "audit", "list", "--action", "aeso.token.*", "--json")
		var page client.EventPage
		decode(t, r, &page)
		var actions []string
		for _, ev := range page.Events {
			if !strings.HasPrefix(ev.Action, "aeso.token.") {
				t.Errorf("the filter aeso.token.* let %s through", ev.Action)
			}
			if ev.TargetID == id {
				actions = append(actions, ev.Action)
			}
		}
		if want := []string{"aeso.token.revoke", "aeso.token.create"}; !slices.Equal(actions, want) {
			t.Errorf("events about token %s = %v, want %v (newest first)", id, actions, want)
		}
		if strings.Contains(r.stdout, secret) {
			t.Errorf("the audit trail shows the token's secret")
		}
	})
	s.assertSecretNotLogged(t, secret)
}

func TestServeTakesTheAdminTokenFromTheEnvironment(t *testing.T) {
	const token = "aeso_" + "Q7vK2mXp9LwR4tYb8NcZ3hJd6FgS1aUe5iOo0kTy" // 40 base62 characters
	s := startServer(t, t.TempDir(), []string{"AESO_ADMIN_TOKEN=" + token})

	if _, err := os.Stat(filepath.Join(s.DataDir, "admin.token")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stat admin.token: %v, want it not to exist", err)
	}
	if strings.Contains(s.stdout.String(), "admin token written") {
		t.Errorf("stdout claims a token was written: %q", s.stdout.String())
	}
	var tokens []client.Token
	decode(t, mustRun(t, s.env(token), "token", "list", "--json"), &tokens)
	if len(tokens) != 1 || !slices.Equal(tokens[0].Scopes, []string{"admin"}) || !tokens[0].Active {
		t.Errorf("tokens = %+v, want the one active admin token", tokens)
	}
	s.assertSecretNotLogged(t, token)
}

func TestCommandsWithoutAServer(t *testing.T) {
	dataDir := t.TempDir()
	for _, tc := range []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{
			name:       "version prints the version",
			args:       []string{"version"},
			wantStdout: "aeso dev\n",
		},
		{
			name:       "serve rejects an address without a port",
			args:       []string{"serve", "--addr", "nonsense", "--data-dir", dataDir},
			wantCode:   1,
			wantStderr: `--addr "nonsense": must be host:port`,
		},
		{
			name:       "serve points at the line of a YAML syntax error",
			args:       []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--config", "testdata/yaml-syntax-error.yaml"},
			wantCode:   1,
			wantStderr: "testdata/yaml-syntax-error.yaml:4:",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := aeso(t, nil, tc.args...)
			if r.code != tc.wantCode {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", r.code, tc.wantCode, r.stderr)
			}
			if tc.wantStdout != "" && r.stdout != tc.wantStdout {
				t.Errorf("stdout = %q, want %q", r.stdout, tc.wantStdout)
			}
			if !strings.Contains(r.stderr, tc.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", r.stderr, tc.wantStderr)
			}
		})
	}
}
