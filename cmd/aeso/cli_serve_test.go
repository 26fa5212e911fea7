package main

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
)

func TestServeWritesTheFirstAdminTokenOnlyToItsFile(t *testing.T) {
	s := startServer(t, t.TempDir(), nil)
	path := filepath.Join(s.DataDir, "admin.token")

	// The server may answer /readyz a moment before serve prints the path.
	want := "admin token written to " + path
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(s.stdout.String(), want) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(s.stdout.String(), want) {
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

// A port in use fails the first start before anything is made: the next
// start, on a free port, is still the first, and says where the token is.
func TestServeOnAPortInUseMakesNothing(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := filepath.Join(t.TempDir(), "data")
	r := aeso(t, nil, "serve", "--addr", busy.Addr().String(), "--data-dir", dir)
	if r.code == 0 || !strings.Contains(r.stderr, "give another address with --addr (AESO_ADDR)") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		entries, _ := os.ReadDir(dir)
		t.Errorf("the failed start made %s: %v", dir, entries)
	}
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
		if r.code != 2 || !strings.Contains(r.stderr, "403 forbidden") {
			t.Errorf("exit code %d, stderr %q; want exit code 2 and a 403 forbidden", r.code, r.stderr)
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
		if r.code != 2 || !strings.Contains(r.stderr, "401") {
			t.Errorf("exit code %d, stderr %q; want exit code 2 and a 401", r.code, r.stderr)
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
			wantCode:   2,
			wantStderr: `--addr "nonsense": must be host:port`,
		},
		{
			name:       "serve points at the line of a YAML syntax error",
			args:       []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--config", "testdata/yaml-syntax-error.yaml"},
			wantCode:   2,
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
