package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
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
	// Port 0: the kernel picks a free port as the server binds it, and the
	// server's log says which. A port found free and closed first could be
	// taken by another test's server before this one binds it, and this
	// test would then talk to that server.
	s := &server{DataDir: dataDir, exited: make(chan struct{})}
	s.cmd = exec.Command(aesoBin, append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir}, args...)...)
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

// closedAddr is an address where nothing listens, and nothing will while
// the test runs: its port stays bound to a socket that never listens, so
// a connection is refused and no server started meanwhile (by this test
// or another) can be given it.
func closedAddr(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
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

// servingAddr finds the address in the server's "aeso serving" log line.
var servingAddr = regexp.MustCompile(`msg="aeso serving" addr=(\S+)`)

func (s *server) waitReady(t *testing.T) {
	t.Helper()
	hc := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(15 * time.Second)
	for {
		if s.URL == "" {
			if m := servingAddr.FindStringSubmatch(s.stderr.String()); m != nil {
				s.URL = "http://" + m[1]
			}
		}
		if s.URL != "" { // once it serves
			if resp, err := hc.Get(s.URL + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return
				}
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
