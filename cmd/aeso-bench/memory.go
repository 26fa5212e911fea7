package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/aeso-dev/aeso/internal/app"
)

// runMemory ingests -n events through the batch API of `aeso serve` run as
// a process of its own, and reports the server's resident memory: its peak
// (VmHWM) and where it stood after each tenth of the events.
func runMemory(args []string) error {
	fs := flag.NewFlagSet("memory", flag.ExitOnError)
	n := fs.Int64("n", 1000000, "events to ingest")
	batch := fs.Int("batch", 1000, "events per request")
	concurrency := fs.Int("concurrency", 2, "requests in flight")
	bin := fs.String("aeso", "", "the aeso binary to run; empty builds ./cmd/aeso with go build")
	pg := fs.String("postgres", os.Getenv("AESO_BENCH_POSTGRES_URL"), "PostgreSQL URL; empty skips PostgreSQL")
	_ = fs.Parse(args)
	if *bin == "" {
		dir, err := os.MkdirTemp("", "aeso-bench-bin-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*bin = filepath.Join(dir, "aeso")
		if out, err := exec.Command("go", "build", "-o", *bin, "./cmd/aeso").CombinedOutput(); err != nil {
			return fmt.Errorf("go build ./cmd/aeso (run from the repository, or pass -aeso): %v\n%s", err, out)
		}
	}
	dialects := []string{"sqlite"}
	if *pg != "" {
		dialects = append(dialects, "postgres")
	}
	fmt.Printf("Server memory while %d events are ingested, batch %d, %d in flight (aeso serve as its own process)\n", *n, *batch, *concurrency)
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "dialect\tevents/s\tpeak RSS MiB\tRSS MiB at each tenth\n")
	for _, dialect := range dialects {
		line, err := withTarget(dialect, *pg, func(cfg app.Config) (string, error) {
			return measureMemory(cfg, *bin, *n, *batch, *concurrency)
		})
		if err != nil {
			return fmt.Errorf("%s: %w", dialect, err)
		}
		fmt.Fprintf(tw, "%s\t%s\n", dialect, line)
	}
	return tw.Flush()
}

func measureMemory(cfg app.Config, bin string, n int64, batch, concurrency int) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "serve", "--addr", addr, "--data-dir", cfg.DataDir)
	cmd.Env = append(os.Environ(), "AESO_ADMIN_TOKEN="+cfg.AdminToken)
	if cfg.DatabaseURL != "" {
		cmd.Args = append(cmd.Args, "--database-url", cfg.DatabaseURL)
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}()
	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("aeso serve not ready within 30s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	pid := cmd.Process.Pid
	// Sample the resident set while the events go in.
	var samples []string
	var done atomic.Bool
	sampled := make(chan struct{})
	step := time.Second
	go func() {
		defer close(sampled)
		for !done.Load() {
			if rss, _, err := procMemory(pid); err == nil {
				samples = append(samples, strconv.FormatInt(rss>>20, 10))
			}
			time.Sleep(step)
		}
	}()
	start := time.Now()
	hc := &http.Client{Timeout: time.Minute}
	err = fill(context.Background(), hc, base, cfg.AdminToken, n, batch, concurrency)
	elapsed := time.Since(start)
	done.Store(true)
	<-sampled
	if err != nil {
		return "", err
	}
	_, peak, err := procMemory(pid)
	if err != nil {
		return "", err
	}
	// Ten samples spread over the run.
	var tenths []string
	for i := 1; i <= 10 && len(samples) > 0; i++ {
		tenths = append(tenths, samples[min(len(samples)-1, i*len(samples)/10)])
	}
	return fmt.Sprintf("%.0f\t%d\t%s", float64(n)/elapsed.Seconds(), peak>>20, strings.Join(tenths, " ")), nil
}

// procMemory reads a process's resident set and its peak, in bytes.
func procMemory(pid int) (rss, peak int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(fields[1], 10, 64)
		switch fields[0] {
		case "VmRSS:":
			rss = kb << 10
		case "VmHWM:":
			peak = kb << 10
		}
	}
	return rss, peak, sc.Err()
}
