package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/app"
)

const watchConfig = `components:
  - {name: worker, owner: platform, stale_after: 1m, dead_after: 10m}
`

// watch prints a change of reason even when the level stays: a component
// going from stale to dead is degraded both times. The server runs in
// this process so that the test can move its clock.
func TestStatusWatchPrintsAReasonThatChangesWithinALevel(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "aeso.yaml")
	if err := os.WriteFile(cfgPath, []byte(watchConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	var offset atomic.Int64
	cfg := app.Defaults()
	cfg.Addr, cfg.DataDir, cfg.ConfigPath = "127.0.0.1:0", filepath.Join(dir, "data"), cfgPath
	cfg.AdminToken = "aeso_watchADMINtokenAAAAAAAAAAAAAAAAAAAAAAAAA"
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	// The server's clock moves only when the test moves it.
	base := time.Now().UTC().Truncate(time.Second)
	cfg.Now = func() time.Time { return base.Add(time.Duration(offset.Load())) }
	m, err := app.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Shutdown(context.Background()); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	req, _ := http.NewRequest("POST", m.URL()+"/v1/components/worker/status", strings.NewReader(`{"status":"healthy"}`))
	req.Header.Set("Authorization", "Bearer "+cfg.AdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("push: %v %v", resp, err)
	}
	resp.Body.Close()
	offset.Store(int64(2 * time.Minute)) // stale

	var out lockedBuffer
	cmd := exec.Command(aesoBin, "status", "watch", "--interval", "1s")
	cmd.Env = cliEnv("AESO_URL="+m.URL(), "AESO_TOKEN="+cfg.AdminToken)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	// waitFor watches the output, not the clock: each refresh takes a
	// second of real time, and the test waits for what it prints.
	waitFor := func(what string) {
		t.Helper()
		deadline := time.After(20 * time.Second)
		for !strings.Contains(out.String(), what) {
			select {
			case err := <-exited:
				t.Fatalf("watch exited (%v) before printing %q:\n%s", err, what, out.String())
			case <-deadline:
				t.Fatalf("watch did not print %q:\n%s", what, out.String())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	waitFor("past stale_after 1m")
	offset.Store(int64(11 * time.Minute)) // dead: treated as down, still degraded
	waitFor("treated as down")
	got := out.String()
	if n := strings.Count(got, "DEGRADED"); n != 2 {
		t.Errorf("watch printed %d postures, want 2 (stale, then dead):\n%s", n, got)
	}
}
