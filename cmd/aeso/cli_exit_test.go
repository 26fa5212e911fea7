package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestClientErrorsExit2 checks that a client command that could not get an
// answer exits 2 in every command group, never 0 and never 1, the code of
// a verdict such as a gate's block or a degraded posture.
func TestClientErrorsExit2(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "aeso.yaml")
	if err := os.WriteFile(cfg, []byte(statusConfig+gateConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, filepath.Join(dir, "data"), nil, "--config", cfg)
	admin := s.env(s.adminToken(t))
	wrongToken := s.env("aeso_wrongTOKENwrongTOKENwrongTOKENwrongTOKEN12")
	deadAddr := closedAddr(t)
	// Retries are cut short: the give-up message is the same after 1s as after 30s.
	dead := []string{"AESO_URL=http://" + deadAddr, "AESO_TOKEN=" + s.adminToken(t), "AESO_RETRY_FOR=1s"}
	const unknownID = "01a209c9-bfe3-7d15-a072-fbf9990082b1"

	// One command of each group that talks to the server.
	commands := [][]string{
		{"audit", "list"},
		{"audit", "emit", "--action", "deploy.release.start", "--actor-user", "alice"},
		{"evidence", "list"},
		{"evidence", "seal", unknownID},
		{"gate", "check", "release", "--subject", "api@v1"},
		{"status"},
		{"status", "watch", "--count", "1"},
		{"status", "history"},
		{"token", "list"},
	}
	type errorCase struct {
		name       string
		env        []string
		args       []string
		wantStderr string
	}
	var cases []errorCase
	for _, args := range commands {
		cases = append(cases,
			errorCase{"server down: " + strings.Join(args, " "), dead, args, deadAddr},
			errorCase{"401: " + strings.Join(args, " "), wrongToken, args, "(401 "})
	}
	cases = append(cases,
		errorCase{"404: audit get", admin, []string{"audit", "get", unknownID}, "(404 "},
		errorCase{"404: evidence show", admin, []string{"evidence", "show", unknownID}, "(404 "},
		errorCase{"404: evidence seal", admin, []string{"evidence", "seal", unknownID}, "(404 "},
		errorCase{"404: gate check of an unknown gate", admin, []string{"gate", "check", "nope", "--subject", "api@v1"}, "(404 unknown_gate)"},
		errorCase{"404: status history of an unknown snapshot", admin, []string{"status", "history", unknownID}, "(404 "},
		errorCase{"404: token revoke", admin, []string{"token", "revoke", unknownID}, "(404 "},
		errorCase{"400: audit list with a bad time", admin, []string{"audit", "list", "--since", "yesterday"}, "--since"},
		errorCase{"audit list with an empty filter", admin, []string{"audit", "list", "--actor-user", ""}, "--actor-user is empty"},
		errorCase{"audit export to -", admin, []string{"audit", "export", "--to", "-"}, "--to - would make a file named '-'"},
		errorCase{"a missing report file", admin, []string{"evidence", "add", "--bundle", unknownID, "--junit", filepath.Join(dir, "absent.xml")}, "absent.xml"},
		errorCase{"a missing events file", admin, []string{"audit", "emit", "--file", filepath.Join(dir, "absent.json")}, "absent.json"},
		errorCase{"AESO_TOKEN unset", []string{"AESO_URL=" + s.URL}, []string{"status"}, "AESO_TOKEN is not set"},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := aeso(t, tc.env, tc.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.wantStderr) {
				t.Errorf("exit code %d, stderr:\n%s\nwant exit code 2 and stderr containing %q", r.code, r.stderr, tc.wantStderr)
			}
		})
	}
}

// TestStatusWatchExitsWithTheLastPosture checks that watch --count ends as
// aeso status would for the last posture it read.
func TestStatusWatchExitsWithTheLastPosture(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "aeso.yaml")
	if err := os.WriteFile(cfg, []byte(statusConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, filepath.Join(dir, "data"), nil, "--config", cfg)
	token := s.adminToken(t)
	admin := s.env(token)
	push := func(status string) {
		t.Helper()
		req, _ := http.NewRequest("POST", s.URL+"/v1/components/api/status", strings.NewReader(`{"status":"`+status+`","detail":"probe"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("push %s: %v", status, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("push %s: %s", status, resp.Status)
		}
	}
	for _, step := range []struct {
		push, want string
		code       int
	}{
		{"", "DEGRADED", 1}, // api has never reported
		{"healthy", "HEALTHY", 0},
		{"degraded", "DEGRADED", 1},
		{"down", "BLOCKED", 3},
		{"healthy", "HEALTHY", 0},
	} {
		if step.push != "" {
			push(step.push)
		}
		for _, args := range [][]string{{"status", "watch", "--count", "1"}, {"status", "watch", "--count", "1", "--json"}, {"status"}} {
			r := aeso(t, admin, args...)
			if r.code != step.code || !strings.Contains(strings.ToUpper(r.stdout), step.want) {
				t.Errorf("after pushing %q, aeso %s: exit code %d, want %d and %s; stdout:\n%s\nstderr:\n%s",
					step.push, strings.Join(args, " "), r.code, step.code, step.want, r.stdout, r.stderr)
			}
		}
	}

	t.Run("a failed last read exits 2, whatever was read before", func(t *testing.T) {
		push("down")
		var stdout, stderr lockedBuffer
		// Without retries the read after the kill fails at once, not after 30s.
		w := startAeso(t, append(admin, "AESO_RETRY_FOR=0"), &stdout, &stderr, "status", "watch", "--count", "2", "--interval", "1s")
		waitFor(t, "watch printed the first posture", func() bool { return strings.Contains(stdout.String(), "BLOCKED") })
		s.stop(t, syscall.SIGKILL) // at once, well before the next tick
		if code := w.wait(t); code != 2 || !strings.Contains(stdout.String(), "could not read the posture") ||
			!strings.Contains(stderr.String(), "the last read of the posture failed") {
			t.Errorf("exit code %d, want 2; stdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
		}
	})
}

// waitFor polls cond until it holds, failing the test after 15 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 15s: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// background is an aeso command running while the test acts.
type background struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// startAeso starts the binary without waiting for it; it is killed if
// still running when the test ends.
func startAeso(t *testing.T, env []string, stdout, stderr io.Writer, args ...string) *background {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	b := &background{cmd: exec.CommandContext(ctx, aesoBin, args...), done: make(chan struct{})}
	b.cmd.Env = cliEnv(env...)
	b.cmd.Stdout, b.cmd.Stderr = stdout, stderr
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("start aeso %s: %v", strings.Join(args, " "), err)
	}
	go func() {
		var exitErr *exec.ExitError
		if err := b.cmd.Wait(); err != nil && !errors.As(err, &exitErr) {
			t.Errorf("aeso %s: %v", strings.Join(args, " "), err)
		}
		close(b.done)
	}()
	return b
}

// wait returns the exit code; the command has 15 s to end.
func (b *background) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-b.done:
		return b.cmd.ProcessState.ExitCode()
	case <-time.After(15 * time.Second):
		t.Fatalf("aeso %s still running after 15s", strings.Join(b.cmd.Args[1:], " "))
		return -1
	}
}
