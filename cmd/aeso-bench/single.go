package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/aeso-dev/aeso/internal/app"
)

// singleOptions are the flags of `aeso-bench single`.
type singleOptions struct {
	clients  int
	duration time.Duration
	rounds   int
	pg       string
}

type singleResult struct {
	dialect               string
	healthz, single, lone float64
	commits, grouped      float64 // from the server's metrics, for the many-client run
	healthzLone           float64
}

// runSingle measures single-event ingest from many clients at once against
// the HTTP floor of the same server: GET /healthz from the same clients,
// in the same run.
func runSingle(dialects []string, o singleOptions) error {
	var results []singleResult
	for _, dialect := range dialects {
		best := singleResult{dialect: dialect}
		for r := 0; r < o.rounds; r++ {
			res, err := withTarget(dialect, o.pg, func(cfg app.Config) (singleResult, error) { return measureSingle(cfg, o) })
			if err != nil {
				return fmt.Errorf("%s: %w", dialect, err)
			}
			best.healthz, best.healthzLone = max(best.healthz, res.healthz), max(best.healthzLone, res.healthzLone)
			best.lone = max(best.lone, res.lone)
			if res.single > best.single {
				best.single, best.commits, best.grouped = res.single, res.commits, res.grouped
			}
		}
		results = append(results, best)
	}
	fmt.Printf("Single-event ingest: %d clients, %s per measurement, best of %d\n", o.clients, o.duration, o.rounds)
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "dialect\tGET /healthz req/s\tsingle events/s\tsingle/healthz\tevents per commit\t1 client: healthz req/s\tsingle events/s\n")
	for _, r := range results {
		perCommit := 0.0
		if r.commits > 0 {
			perCommit = r.grouped / r.commits
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.2f\t%.1f\t%.0f\t%.0f\n", r.dialect, r.healthz, r.single, r.single/r.healthz, perCommit, r.healthzLone, r.lone)
	}
	return tw.Flush()
}

// measureSingle starts a server and drives it: healthz and single events
// from o.clients clients, then both from one client.
func measureSingle(cfg app.Config, o singleOptions) (singleResult, error) {
	ctx := context.Background()
	m, err := app.Start(ctx, cfg)
	if err != nil {
		return singleResult{}, err
	}
	defer m.Shutdown(ctx)
	ev := template(1)
	body, err := json.Marshal(ev)
	if err != nil {
		return singleResult{}, err
	}
	healthz := func(hc *http.Client) error {
		return call(ctx, hc, http.MethodGet, m.URL()+"/healthz", "", nil, http.StatusOK)
	}
	single := func(hc *http.Client) error {
		return call(ctx, hc, http.MethodPost, m.URL()+"/v1/audit/events", cfg.AdminToken, body, http.StatusCreated)
	}
	var res singleResult
	if res.healthz, err = hammer(o.clients, o.duration, healthz); err != nil {
		return res, fmt.Errorf("healthz: %w", err)
	}
	c0, e0, err := groupCommits(m.URL())
	if err != nil {
		return res, err
	}
	if res.single, err = hammer(o.clients, o.duration, single); err != nil {
		return res, fmt.Errorf("single events: %w", err)
	}
	c1, e1, err := groupCommits(m.URL())
	if err != nil {
		return res, err
	}
	res.commits, res.grouped = c1-c0, e1-e0
	if res.healthzLone, err = hammer(1, o.duration, healthz); err != nil {
		return res, fmt.Errorf("healthz: %w", err)
	}
	if res.lone, err = hammer(1, o.duration, single); err != nil {
		return res, fmt.Errorf("single events: %w", err)
	}
	return res, nil
}

// hammer runs do from clients goroutines, each with its own keep-alive
// connection, for d, and returns the completed calls per second.
func hammer(clients int, d time.Duration, do func(*http.Client) error) (float64, error) {
	tr := &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: time.Minute}
	var done atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				if err := do(hc); err != nil {
					errs <- err
					stop.Store(true)
					return
				}
				done.Add(1)
			}
		}()
	}
	time.Sleep(d)
	stop.Store(true)
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	return float64(done.Load()) / elapsed.Seconds(), nil
}

// call sends one request and reads the whole answer, which must have the
// status want.
func call(ctx context.Context, hc *http.Client, method, url, token string, body []byte, want int) error {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s answered %s", method, url, resp.Status)
	}
	return nil
}

// groupCommits reads the server's group commit counters from /metrics.
func groupCommits(base string) (commits, events float64, err error) {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, 0, err
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		var v float64
		if _, err := fmt.Sscanf(string(line), "aeso_audit_group_commits_total %g", &v); err == nil {
			commits = v
		} else if _, err := fmt.Sscanf(string(line), "aeso_audit_group_commit_events_total %g", &v); err == nil {
			events = v
		}
	}
	return commits, events, nil
}
