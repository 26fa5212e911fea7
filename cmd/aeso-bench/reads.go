package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aeso-dev/aeso/internal/app"
	"github.com/google/uuid"
)

// The groups the filled histories spread over: each is one row of the
// posture, and its history grows with every size.
const (
	readsComponents = 10
	readsSubjects   = 10 // gate and guard subjects svc-N@v1
	readsGuards     = 3
	readsInvariants = 10
)

// readsRoutes are the reads measured at each size.
var readsRoutes = []string{
	"/v1/status",
	"/v1/gates/release/results/latest?subject=svc-0@v1",
	"/v1/guards/guard-0/reports/latest?subject=svc-0@v1",
	"/v1/invariants?environment=production",
}

// runReads fills the histories to each size and measures the reads there.
func runReads(args []string) error {
	fs := flag.NewFlagSet("reads", flag.ExitOnError)
	sizesFlag := fs.String("sizes", "1000,100000", "rows of each history at which reads are measured, ascending")
	n := fs.Int("n", 1000, "requests per route and size, one in flight")
	pg := fs.String("postgres", os.Getenv("AESO_BENCH_POSTGRES_URL"), "PostgreSQL URL; empty skips PostgreSQL")
	_ = fs.Parse(args)
	groups := readsComponents + readsSubjects + readsGuards*readsSubjects + readsInvariants
	sizes, err := parseSizes(*sizesFlag, groups)
	if err != nil {
		return err
	}
	if *n < 1 {
		return errors.New("-n must be at least 1")
	}
	fmt.Printf("Reads through the HTTP server, %d requests per route and size, one in flight; each history (component reports, gate results, guard reports, invariant results) holds the size in rows; latencies in ms\n", *n)
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "dialect\troute")
	for _, s := range sizes {
		fmt.Fprintf(tw, "\tp50 @%d\tp99 @%d", s, s)
	}
	fmt.Fprintf(tw, "\tp99 @%d / p99 @%d\n", sizes[len(sizes)-1], sizes[0])
	for _, dialect := range dialects(*pg) {
		rows, err := withTarget(dialect, *pg, func(cfg app.Config) ([][]latency, error) {
			return measureReads(cfg, sizes, *n)
		})
		if err != nil {
			return fmt.Errorf("%s: %w", dialect, err)
		}
		for i, route := range readsRoutes {
			fmt.Fprintf(tw, "%s\t%s", dialect, route)
			for _, l := range rows[i] {
				fmt.Fprintf(tw, "\t%s\t%s", msText(l.p50), msText(l.p99))
			}
			last := rows[i][len(rows[i])-1]
			fmt.Fprintf(tw, "\t%.2f\n", float64(last.p99)/float64(rows[i][0].p99))
		}
	}
	return tw.Flush()
}

// readsConfig defines the groups: every gate, guard, component and
// invariant the posture reads.
func readsConfig() string {
	var b strings.Builder
	b.WriteString("invariants:\n")
	for i := 0; i < readsInvariants; i++ {
		fmt.Fprintf(&b, "  - {id: INV-BENCH-%03d, title: Bench invariant %d, owner: bench, severity: medium, max_age: 24h}\n", i, i)
	}
	b.WriteString("components:\n")
	for i := 0; i < readsComponents; i++ {
		fmt.Fprintf(&b, "  - {name: comp-%d, owner: bench, stale_after: 5m, dead_after: 30m}\n", i)
	}
	b.WriteString("gates:\n  - name: release\n    affects_posture: true\n    rules:\n      - {guards: blocking}\n      - {components: [comp-0]}\n")
	b.WriteString("status:\n  environment: production\n")
	return b.String()
}

// measureReads returns, per route, the latencies at each size.
func measureReads(cfg app.Config, sizes []int64, n int) ([][]latency, error) {
	ctx := context.Background()
	cfg.ConfigPath = filepath.Join(cfg.DataDir, "bench.yaml")
	if err := os.WriteFile(cfg.ConfigPath, []byte(readsConfig()), 0o600); err != nil {
		return nil, err
	}
	m, err := app.Start(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer m.Shutdown(ctx)
	cfg.Migrate = false
	db, err := app.OpenDB(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	h := &historyFiller{db: db.WriteConn(), dialect: db.Dialect(), hc: &http.Client{Timeout: time.Minute},
		base: m.URL(), token: cfg.AdminToken, past: time.Now().Add(-48 * time.Hour)}
	out := make([][]latency, len(readsRoutes))
	for _, size := range sizes {
		start := time.Now()
		if err := h.fillTo(ctx, size); err != nil {
			return nil, fmt.Errorf("fill to %d: %w", size, err)
		}
		fmt.Fprintf(os.Stderr, "%s: histories at %d rows each (filled in %.1fs)\n", db.Dialect(), size, time.Since(start).Seconds())
		for i, route := range readsRoutes {
			l, err := h.latencies(ctx, route, n)
			if err != nil {
				return nil, err
			}
			out[i] = append(out[i], l)
		}
	}
	return out, nil
}

// historyFiller grows the four histories. Old rows go straight into the
// tables in multi-row INSERTs; then each group gets its newest row through
// the API, so what the posture reads was written the way a user's reports
// are, and the older rows are history beneath it.
type historyFiller struct {
	db      *sql.DB
	dialect string
	hc      *http.Client
	base    string
	token   string
	past    time.Time // raw rows are timed from here, before every API row
	rows    int64     // rows in each history so far
	raw     int       // raw rows written so far, for their times and ids
}

func (h *historyFiller) fillTo(ctx context.Context, size int64) error {
	// Every API round adds one row per group of each history; the gate's
	// history gets one per subject.
	perRound := map[string]int{
		"platform_status_component_history":  readsComponents,
		"platform_release_gate_results":      readsSubjects,
		"platform_guard_report_summaries":    readsGuards * readsSubjects,
		"platform_product_invariant_results": readsInvariants,
	}
	for table, api := range perRound {
		if int(size-h.rows) < api {
			return fmt.Errorf("-sizes must lie at least %d rows apart", api)
		}
		if err := h.insertRaw(ctx, table, int(size-h.rows)-api); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
	}
	h.raw += int(size - h.rows)
	h.rows = size
	if err := h.apiRound(ctx); err != nil {
		return err
	}
	// Statistics as a database that grew this way would have them
	// (PostgreSQL's autovacuum analyzes a table after enough inserts).
	_, err := h.db.ExecContext(ctx, "ANALYZE")
	return err
}

func (h *historyFiller) ts(t time.Time) any {
	if h.dialect == "sqlite" {
		return t.UTC().Format("2006-01-02T15:04:05.000000Z")
	}
	return t.UTC()
}

// insertRaw adds n old rows to table.
func (h *historyFiller) insertRaw(ctx context.Context, table string, n int) error {
	var cols string
	var row func(i int) []any
	at := func(i int) any { return h.ts(h.past.Add(time.Duration(h.raw+i) * time.Millisecond)) }
	id := func() string { return uuid.Must(uuid.NewV7()).String() }
	switch table {
	case "platform_status_component_history":
		cols = "id, component, status, detail, source, source_url, observed_at, recorded_at, correlation_id"
		row = func(i int) []any {
			return []any{id(), fmt.Sprintf("comp-%d", i%readsComponents), "healthy", "ok", "bench", "", at(i), at(i), ""}
		}
	case "platform_release_gate_results":
		cols = "id, gate, subject, verdict, warnings, reasons, inputs_digest, ruleset_version, evaluator, evaluated_at, correlation_id"
		row = func(i int) []any {
			return []any{id(), "release", fmt.Sprintf("svc-%d@v1", i%readsSubjects), "pass", "[]", "[]",
				"sha256:" + strings.Repeat("0", 64), "v1", "bench", at(i), ""}
		}
	case "platform_guard_report_summaries":
		cols = "id, guard, subject, mode, counts, findings, duplicates, source_url, observed_at, recorded_at, correlation_id, source"
		row = func(i int) []any {
			return []any{id(), fmt.Sprintf("guard-%d", i%readsGuards), fmt.Sprintf("svc-%d@v1", (i/readsGuards)%readsSubjects),
				"warn", `{"critical":0,"high":0,"medium":0,"low":0,"info":0}`, "[]", 0, "", at(i), at(i), "", "bench"}
		}
	case "platform_product_invariant_results":
		cols = "id, invariant_id, status, environment, observed_at, recorded_at, correlation_id, bundle_id, item_id, details, redacted_paths, source"
		row = func(i int) []any {
			return []any{id(), fmt.Sprintf("INV-BENCH-%03d", i%readsInvariants), "pass", "production", at(i), at(i),
				"", "", "", "{}", "[]", "bench"}
		}
	default:
		return fmt.Errorf("no rows for %s", table)
	}
	width := strings.Count(cols, ",") + 1
	const batch = 500
	for done := 0; done < n; done += batch {
		k := min(batch, n-done)
		var q strings.Builder
		q.WriteString("INSERT INTO " + table + " (" + cols + ") VALUES ")
		args := make([]any, 0, k*width)
		for i := 0; i < k; i++ {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteByte('(')
			for j := 1; j <= width; j++ {
				if j > 1 {
					q.WriteByte(',')
				}
				if h.dialect == "sqlite" {
					q.WriteByte('?') // see rawRate: numbered parameters are slow in SQLite's driver
				} else {
					fmt.Fprintf(&q, "$%d", len(args)+j)
				}
			}
			q.WriteByte(')')
			args = append(args, row(done+i)...)
		}
		if _, err := h.db.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// apiRound writes the newest row of every group through the API.
func (h *historyFiller) apiRound(ctx context.Context) error {
	for i := 0; i < readsComponents; i++ {
		if err := h.post(ctx, fmt.Sprintf("/v1/components/comp-%d/status", i), `{"status":"healthy","detail":"ok"}`); err != nil {
			return err
		}
	}
	for g := 0; g < readsGuards; g++ {
		for s := 0; s < readsSubjects; s++ {
			if err := h.post(ctx, fmt.Sprintf("/v1/guards/guard-%d/reports", g),
				fmt.Sprintf(`{"subject":"svc-%d@v1","mode":"warn","findings":[]}`, s)); err != nil {
				return err
			}
		}
	}
	for i := 0; i < readsInvariants; i++ {
		if err := h.post(ctx, fmt.Sprintf("/v1/invariants/INV-BENCH-%03d/results", i), `{"status":"pass","environment":"production"}`); err != nil {
			return err
		}
	}
	for s := 0; s < readsSubjects; s++ {
		if err := h.post(ctx, "/v1/gates/release/evaluate", fmt.Sprintf(`{"subject":"svc-%d@v1"}`, s)); err != nil {
			return err
		}
	}
	return nil
}

func (h *historyFiller) post(ctx context.Context, path, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.base+path, bytes.NewReader([]byte(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+h.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("POST %s answered %s: %.300s", path, resp.Status, data)
	}
	return nil
}

// latencies times n GETs of path, one in flight, after a few to warm up.
func (h *historyFiller) latencies(ctx context.Context, path string, n int) (latency, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.base+path, nil)
	if err != nil {
		return latency{}, err
	}
	req.Header.Set("Authorization", "Bearer "+h.token)
	buf := make([]byte, 64<<10)
	ds := make([]time.Duration, 0, n)
	for i := -min(n, 20); i < n; i++ {
		start := time.Now()
		resp, err := h.hc.Do(req)
		if err != nil {
			return latency{}, err
		}
		_, err = io.CopyBuffer(struct{ io.Writer }{io.Discard}, resp.Body, buf)
		resp.Body.Close()
		if err != nil {
			return latency{}, err
		}
		if resp.StatusCode != http.StatusOK {
			return latency{}, fmt.Errorf("GET %s answered %s", path, resp.Status)
		}
		if i >= 0 {
			ds = append(ds, time.Since(start))
		}
	}
	return percentiles(ds), nil
}
