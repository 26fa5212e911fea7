package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/app"
)

// authResult is one dialect's best rates.
type authResult struct {
	dialect         string
	health, actions float64
}

// runAuth measures what checking a token costs: the rate of GET /healthz,
// which needs none, against GET /v1/audit/actions with a valid token, which
// reads nothing but the token (the registry is in memory), on one real
// server per dialect, with the same clients in the same run.
func runAuth(args []string) error {
	fs := flag.NewFlagSet("auth", flag.ExitOnError)
	clients := fs.Int("clients", 32, "concurrent clients, each with a kept-alive connection")
	duration := fs.Duration("duration", 5*time.Second, "how long each route is loaded per round")
	rounds := fs.Int("rounds", 1, "rounds, each loading both routes in turn; the best rate of each is kept")
	pg := fs.String("postgres", os.Getenv("AESO_BENCH_POSTGRES_URL"), "PostgreSQL URL; empty skips PostgreSQL")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run (server and clients) to this file")
	_ = fs.Parse(args)
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *clients < 1 || *duration <= 0 || *rounds < 1 {
		return errors.New("-clients and -rounds must be at least 1, -duration positive")
	}
	var results []authResult
	for _, dialect := range dialects(*pg) {
		r, err := withTarget(dialect, *pg, func(cfg app.Config) (authResult, error) {
			return measureAuth(cfg, *clients, *duration, *rounds)
		})
		if err != nil {
			return fmt.Errorf("%s: %w", dialect, err)
		}
		r.dialect = dialect
		results = append(results, r)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "dialect\tclients\tduration\thealthz req/s\t/v1/audit/actions req/s\tactions/healthz\n")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%.0f\t%.0f\t%.2f\n", r.dialect, *clients, *duration, r.health, r.actions, r.actions/r.health)
	}
	return tw.Flush()
}

// dialects lists the dialects to measure: SQLite, and PostgreSQL when a
// URL is given.
func dialects(pg string) []string {
	if pg == "" {
		fmt.Fprintln(os.Stderr, "postgres: skipped (set -postgres or AESO_BENCH_POSTGRES_URL)")
		return []string{"sqlite"}
	}
	return []string{"sqlite", "postgres"}
}

func measureAuth(cfg app.Config, clients int, d time.Duration, rounds int) (authResult, error) {
	ctx := context.Background()
	m, err := app.Start(ctx, cfg)
	if err != nil {
		return authResult{}, err
	}
	defer m.Shutdown(ctx)
	// A token like a reader's, not the admin one: the check is the same,
	// and the route needs audit:read.
	tok, err := client.New(m.URL(), cfg.AdminToken).CreateToken(ctx, client.TokenRequest{
		Principal: "bench-reader", Scopes: []string{"audit:read"}})
	if err != nil {
		return authResult{}, err
	}
	var res authResult
	for i := 0; i < rounds; i++ {
		h, err := load(m.URL()+"/healthz", "", clients, d)
		if err != nil {
			return res, fmt.Errorf("healthz: %w", err)
		}
		a, err := load(m.URL()+"/v1/audit/actions", tok.Secret, clients, d)
		if err != nil {
			return res, fmt.Errorf("actions: %w", err)
		}
		res.health, res.actions = max(res.health, h), max(res.actions, a)
	}
	return res, nil
}

// load sends GET url from clients goroutines for d and returns the rate of
// 200 answers. It costs the shared machine as little as it can: one
// kept-alive connection per client, one request value reused, bodies
// drained into a reused buffer so connections stay open.
func load(url, token string, clients int, d time.Duration) (float64, error) {
	tr := &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients,
		DisableCompression: true, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
		first error
	)
	start := time.Now()
	deadline := start.Add(d)
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := loadOne(hc, url, token, deadline)
			mu.Lock()
			defer mu.Unlock()
			total += n
			if first == nil {
				first = err
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return 0, first
	}
	return float64(total) / time.Since(start).Seconds(), nil
}

func loadOne(hc *http.Client, url, token string, deadline time.Time) (int, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	buf := make([]byte, 64<<10)
	n := 0
	for time.Now().Before(deadline) {
		resp, err := hc.Do(req)
		if err != nil {
			return n, err
		}
		_, err = io.CopyBuffer(struct{ io.Writer }{io.Discard}, resp.Body, buf)
		resp.Body.Close()
		if err != nil {
			return n, err
		}
		if resp.StatusCode != http.StatusOK {
			return n, fmt.Errorf("GET %s answered %s", url, resp.Status)
		}
		n++
	}
	return n, nil
}
