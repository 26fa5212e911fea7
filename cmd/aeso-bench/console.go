package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aeso-dev/aeso/internal/app"
)

// consoleComponents are the components of the console bench's definitions;
// each gets consoleReports reports, so every posture strip is full.
const (
	consoleComponents = 8
	consoleReports    = 40
)

// runConsole fills a trail per dialect through the batch API to each of
// -sizes events (as the query subcommand does) and times each console page
// through a signed-in session beside the API call it reads.
func runConsole(args []string) error {
	o, sizes, err := parseTrailOptions("console", "pages", "per page and size (and as many API calls)", args)
	if err != nil {
		return err
	}

	fmt.Printf("Console pages through a signed-in session (%d requests each, one in flight) beside the API call each reads; latencies in ms\n", o.requests)
	const row = "%-8s %9s  %-26s %8s %8s %8s %8s %9s\n"
	fmt.Printf(row, "dialect", "events", "page", "page p50", "p99", "api p50", "p99", "page/api")
	var failed error
	for _, dialect := range o.dialects() {
		if dialect == "postgres" && o.pg == "" {
			fmt.Fprintln(os.Stderr, "postgres: skipped (set -postgres or AESO_BENCH_POSTGRES_URL)")
			continue
		}
		_, err := withTarget(dialect, o.pg, func(cfg app.Config) (struct{}, error) {
			return struct{}{}, measureConsole(cfg, sizes, o, func(size int64, name string, page, api latency) {
				fmt.Printf(row, dialect, strconv.FormatInt(size, 10), name, msText(page.p50), msText(page.p99),
					msText(api.p50), msText(api.p99), fmt.Sprintf("%.2f", float64(page.p50)/float64(api.p50)))
			})
		})
		if err != nil {
			failed = errors.Join(failed, fmt.Errorf("%s: %w", dialect, err))
		}
	}
	return failed
}

// consolePage is one measured page: the console URL and the API call it
// reads, drawn for each request from the trail.
type consolePage struct {
	name string
	pick func(r *rand.Rand, size int64) (page, api string)
}

func measureConsole(cfg app.Config, sizes []int64, o queryOptions, report func(int64, string, latency, latency)) error {
	ctx := context.Background()
	var defs strings.Builder
	defs.WriteString("components:\n")
	for i := 0; i < consoleComponents; i++ {
		fmt.Fprintf(&defs, "  - {name: svc-%d, owner: platform, critical: %t, stale_after: 1h, dead_after: 24h}\n", i, i%2 == 0)
	}
	defs.WriteString(consoleRecordDefs)
	cfg.ConfigPath = filepath.Join(cfg.DataDir, "console-bench.yaml")
	if err := os.WriteFile(cfg.ConfigPath, []byte(defs.String()), 0o600); err != nil {
		return err
	}
	m, err := app.Start(ctx, cfg)
	if err != nil {
		return err
	}
	defer m.Shutdown(ctx)
	hc := &http.Client{Timeout: time.Minute}
	base, token := m.URL(), cfg.AdminToken
	statuses := []string{"healthy", "healthy", "healthy", "degraded", "down"}
	for c := 0; c < consoleComponents; c++ {
		for i := 0; i < consoleReports; i++ {
			body := fmt.Sprintf(`{"status":%q,"observed_at":%q}`, statuses[(c+i)%len(statuses)],
				time.Now().UTC().Add(time.Duration(i-consoleReports)*time.Minute).Format(time.RFC3339Nano))
			if err := send(ctx, hc, "POST", base+"/v1/components/svc-"+strconv.Itoa(c)+"/status", token, body, nil); err != nil {
				return err
			}
		}
	}
	records, err := seedConsoleRecords(ctx, hc, base, token)
	if err != nil {
		return err
	}
	ui, err := signIn(ctx, base, token)
	if err != nil {
		return err
	}
	fillCtx, cancel := context.WithTimeout(ctx, o.fillTimeout)
	defer cancel()
	var have int64
	for _, size := range sizes {
		if err := fillSpread(fillCtx, hc, base, token, have, size, o); err != nil {
			return fmt.Errorf("fill from %d to %d events: %w", have, size, err)
		}
		if err := analyzeAsInService(ctx, cfg); err != nil {
			return err
		}
		have = size
		ids, err := eventIDs(ctx, hc, base, token)
		if err != nil {
			return err
		}
		for _, p := range append(consolePages(o, ids), recordPages(records)...) {
			pageLat, apiLat, err := timePairs(o.requests, p, size,
				func(u string) error { return send(ctx, ui, "GET", base+u, "", "", nil) },
				func(u string) error { return send(ctx, hc, "GET", base+u, token, "", nil) })
			if err != nil {
				return fmt.Errorf("%s at %d: %w", p.name, size, err)
			}
			report(size, p.name, pageLat, apiLat)
		}
	}
	return nil
}

// timePairs times n pages and their API calls, drawn alike, one of each
// per draw and in alternating order, so neither gains from the database
// pages the other just read; a few untimed draws warm up first.
func timePairs(n int, p consolePage, size int64, page, api func(string) error) (latency, latency, error) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < min(n, 50); i++ {
		pu, au := p.pick(r, size)
		if err := page(pu); err != nil {
			return latency{}, latency{}, err
		}
		if err := api(au); err != nil {
			return latency{}, latency{}, err
		}
	}
	pages, apis := make([]time.Duration, n), make([]time.Duration, n)
	for i := 0; i < n; i++ {
		pu, au := p.pick(r, size)
		calls := []struct {
			fn  func(string) error
			u   string
			out *time.Duration
		}{{page, pu, &pages[i]}, {api, au, &apis[i]}}
		if i%2 == 1 {
			calls[0], calls[1] = calls[1], calls[0]
		}
		for _, c := range calls {
			start := time.Now()
			if err := c.fn(c.u); err != nil {
				return latency{}, latency{}, err
			}
			*c.out = time.Since(start)
		}
	}
	return percentiles(pages), percentiles(apis), nil
}

// consolePages lists the measured pages; ids are events to open.
func consolePages(o queryOptions, ids []string) []consolePage {
	fixed := func(name, page, api string) consolePage {
		return consolePage{name, func(*rand.Rand, int64) (string, string) { return page, api }}
	}
	return []consolePage{
		fixed("posture /ui/", "/ui/", "/v1/status"),
		fixed("audit, first page", "/ui/audit", "/v1/audit/events?limit=50"),
		{"audit, correlation_id", func(r *rand.Rand, size int64) (string, string) {
			q := "correlation_id=" + url.QueryEscape(input(int(r.Int64N(size)), o).CorrelationID)
			return "/ui/audit?" + q, "/v1/audit/events?limit=50&" + q
		}},
		{"audit, actor_user_id", func(r *rand.Rand, size int64) (string, string) {
			for {
				if a := input(int(r.Int64N(size)), o).ActorUserID; a != "" {
					q := "actor_user_id=" + url.QueryEscape(a)
					return "/ui/audit?" + q, "/v1/audit/events?limit=50&" + q
				}
			}
		}},
		{"audit, q= a target id", func(r *rand.Rand, size int64) (string, string) {
			q := "q=" + url.QueryEscape(input(int(r.Int64N(size)), o).TargetID)
			return "/ui/audit?" + q, "/v1/audit/events?limit=50&" + q
		}},
		{"event /ui/audit/{id}", func(r *rand.Rand, _ int64) (string, string) {
			id := ids[r.IntN(len(ids))]
			return "/ui/audit/" + id, "/v1/audit/events/" + id
		}},
	}
}

// eventIDs returns the ids of a page of events, to open one by one.
func eventIDs(ctx context.Context, hc *http.Client, base, token string) ([]string, error) {
	var page struct{ Events []struct{ ID string } }
	if err := send(ctx, hc, "GET", base+"/v1/audit/events?limit=1000", token, "", &page); err != nil {
		return nil, err
	}
	ids := make([]string, len(page.Events))
	for i, e := range page.Events {
		ids[i] = e.ID
	}
	if len(ids) == 0 {
		return nil, errors.New("the trail is empty")
	}
	return ids, nil
}

var csrfValue = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn opens a console session as a browser does and returns a client
// that carries its cookie.
func signIn(ctx context.Context, base, token string) (*http.Client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Jar: jar, Timeout: time.Minute}
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/ui/signin", nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfValue.FindSubmatch(body)
	if err != nil || m == nil {
		return nil, fmt.Errorf("sign-in form: %v", err)
	}
	form := url.Values{"csrf": {string(m[1])}, "token": {token}}
	req, err = http.NewRequestWithContext(ctx, "POST", base+"/ui/signin", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err = hc.Do(req); err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/ui/" {
		return nil, fmt.Errorf("sign-in ended at %s (%s)", resp.Request.URL, resp.Status)
	}
	return hc, nil
}

// send makes one request and fails unless it answers 2xx; out, when set,
// receives the decoded JSON answer.
func send(ctx context.Context, hc *http.Client, method, u, token, body string, out any) error {
	var rd io.Reader
	if body != "" {
		rd = bytes.NewReader([]byte(body))
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 || resp.Request.URL.Path == "/ui/signin" {
		return fmt.Errorf("%s %s answered %s at %s: %.200s", method, u, resp.Status, resp.Request.URL.Path, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}
