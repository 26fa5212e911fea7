// Command aeso-bench measures aeso against the raw database in one run, so
// results are ratios that hold from machine to machine.
//
//	go run ./cmd/aeso-bench ingest [-n 20000] [-batch 1000] [-postgres URL]
//	go run ./cmd/aeso-bench log [-sizes 100000,1000000] [-n-proof 2000] [-postgres URL]
//	go run ./cmd/aeso-bench single [-clients 32] [-duration 5s] [-postgres URL]
//	go run ./cmd/aeso-bench query [-sizes 100000,1000000] [-n 200] [-postgres URL]
//	go run ./cmd/aeso-bench memory [-n 1000000] [-postgres URL]
//	go run ./cmd/aeso-bench auth [-clients 32] [-duration 5s] [-postgres URL]
//	go run ./cmd/aeso-bench reads [-sizes 1000,100000] [-n 1000] [-postgres URL]
//	go run ./cmd/aeso-bench console [-sizes 100000,1000000] [-n 200] [-postgres URL]
//
// ingest writes N identical-shaped audit events twice per dialect: straight
// into audit_logs in transactions of -batch rows (the database's ceiling:
// multi-row INSERTs on SQLite, COPY on PostgreSQL), then through the HTTP
// batch API of a real server (validation, redaction, seq assignment,
// presentation of the answer). It
// prints both rates and their ratio. PostgreSQL runs when -postgres or
// AESO_BENCH_POSTGRES_URL names a server; each run uses a schema of its own.
//
// log prices the verifiable audit log: batch ingest with the log, without
// it (a server started with the measurement switch that keeps the tree off)
// and raw inserts; then, on a log filled to each of -sizes events, the
// latency of inclusion and consistency proofs through the HTTP server beside
// one indexed point read of a tree hash from the same database.
//
// single sends one event per request from -clients clients at once, and
// from one, beside GET /healthz from the same clients on the same server:
// the HTTP floor of the machine, load generator included.
//
// query fills a trail through the batch API to each of -sizes events,
// spread as a busy platform's are (many actors, rare denials, shared
// correlation ids), and times every listing filter and q= search through
// the HTTP server beside the same query on the raw database, checking
// that both return the same page.
//
// auth prices the token check: the request rate of GET /healthz (no token)
// against GET /v1/audit/actions with a valid token (nothing read but the
// token) under the same concurrent load, and their ratio.
//
// reads fills the histories the posture reads (component reports, gate
// results, guard reports, invariant results) to each of -sizes rows and
// measures p50/p99 of the status, latest and invariant routes at each size
// through the real server, with the ratio of the largest to the smallest.
//
// console fills a trail as query does, and components with full status
// strips, then times each page of the operator console (posture, audit
// explorer with filters and q=, an event) through a signed-in session
// beside the API call that page reads.
//
// memory runs `aeso serve` as a process of its own and reports its resident
// memory (peak, and after each tenth) while -n events go in.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/app"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/auditsearch"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

const usage = "usage: aeso-bench ingest|log|single|query|auth|reads|memory|console [flags] (-h lists them)"

func main() {
	// Subcommands that parse their own flags.
	own := map[string]func([]string) error{"query": runQuery, "auth": runAuth, "reads": runReads, "memory": runMemory, "console": runConsole}
	if len(os.Args) >= 2 && own[os.Args[1]] != nil {
		if err := own[os.Args[1]](os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) < 2 || (os.Args[1] != "ingest" && os.Args[1] != "log" && os.Args[1] != "single") {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	n := fs.Int("n", 20000, "events per ingest measurement")
	batch := fs.Int("batch", 1000, "events per transaction and per API request (at most 1000)")
	pg := fs.String("postgres", os.Getenv("AESO_BENCH_POSTGRES_URL"), "PostgreSQL URL; empty skips PostgreSQL")
	rounds := fs.Int("rounds", 3, "measurements per path; the best is kept")
	concurrency := fs.Int("concurrency", 2, "API requests in flight, as from several producers (1 is also measured)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run (server included) to this file")
	var lo logOptions
	if os.Args[1] == "log" {
		fs.StringVar(&lo.sizes, "sizes", "100000,1000000", "tree sizes at which proofs are measured, ascending")
		fs.IntVar(&lo.requests, "n-proof", 2000, "proofs (and raw point reads) measured at each size")
		fs.IntVar(&lo.proofRounds, "proof-rounds", 10, "rounds the proofs of every size are measured in, interleaved")
		fs.DurationVar(&lo.fillTimeout, "fill-timeout", 15*time.Minute, "give up filling a log past this time")
	}
	var so singleOptions
	if os.Args[1] == "single" {
		fs.IntVar(&so.clients, "clients", 32, "concurrent clients, each with its own connection")
		fs.DurationVar(&so.duration, "duration", 5*time.Second, "length of each measurement")
	}
	_ = fs.Parse(os.Args[2:])
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if *batch < 1 || *batch > 1000 || *n < *batch || *concurrency < 1 {
		fmt.Fprintln(os.Stderr, "-batch must be 1..1000, -n at least -batch, -concurrency at least 1")
		os.Exit(2)
	}
	var dialects []string
	for _, dialect := range []string{"sqlite", "postgres"} {
		if dialect == "postgres" && *pg == "" {
			fmt.Fprintln(os.Stderr, "postgres: skipped (set -postgres or AESO_BENCH_POSTGRES_URL)")
			continue
		}
		dialects = append(dialects, dialect)
	}
	if os.Args[1] == "single" {
		so.rounds, so.pg = *rounds, *pg
		if err := runSingle(dialects, so); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if os.Args[1] == "log" {
		lo.n, lo.batch, lo.rounds, lo.concurrency, lo.pg = *n, *batch, *rounds, *concurrency, *pg
		if err := runLog(dialects, lo); err != nil {
			fmt.Fprintln(os.Stderr, err)
			pprof.StopCPUProfile()
			os.Exit(1)
		}
		return
	}
	var results []result
	for _, dialect := range dialects {
		r, err := measure(dialect, *pg, *n, *batch, *rounds, *concurrency)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", dialect, err)
			os.Exit(1)
		}
		results = append(results, r)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "dialect\tevents\tbatch\traw events/s\tapi events/s (1 stream)\tapi/raw\tapi events/s (%d streams)\tapi/raw\n", *concurrency)
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%.0f\t%.2f\t%.0f\t%.2f\n", r.dialect, *n, *batch, r.raw, r.api1, r.api1/r.raw, r.api, r.api/r.raw)
	}
	tw.Flush()
}

type result struct {
	dialect        string
	raw, api1, api float64
}

func measure(dialect, pgURL string, n, batch, rounds, concurrency int) (result, error) {
	res := result{dialect: dialect}
	for i := 0; i < rounds; i++ {
		raw, err := withTarget(dialect, pgURL, func(cfg app.Config) (float64, error) { return rawRate(cfg, n, batch) })
		if err != nil {
			return res, fmt.Errorf("raw: %w", err)
		}
		api1, err := withTarget(dialect, pgURL, func(cfg app.Config) (float64, error) { return apiRate(cfg, n, batch, 1) })
		if err != nil {
			return res, fmt.Errorf("api: %w", err)
		}
		api, err := withTarget(dialect, pgURL, func(cfg app.Config) (float64, error) { return apiRate(cfg, n, batch, concurrency) })
		if err != nil {
			return res, fmt.Errorf("api: %w", err)
		}
		res.raw, res.api1, res.api = max(res.raw, raw), max(res.api1, api1), max(res.api, api)
	}
	return res, nil
}

// withTarget gives fn a fresh, empty database of the dialect.
func withTarget[T any](dialect, pgURL string, fn func(app.Config) (T, error)) (T, error) {
	var zero T
	dir, err := os.MkdirTemp("", "aeso-bench-")
	if err != nil {
		return zero, err
	}
	defer os.RemoveAll(dir)
	cfg := app.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = dir
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.AdminToken = "aeso_benchADMINtokenBBBBBBBBBBBBBBBBBBBBBBBBB"
	if dialect == "postgres" {
		var b [6]byte
		_, _ = rand.Read(b[:])
		schema := "aeso_bench_" + hex.EncodeToString(b[:])
		admin, err := sql.Open("pgx", pgURL)
		if err != nil {
			return zero, err
		}
		defer admin.Close()
		if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
			return zero, err
		}
		defer admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		u, err := url.Parse(pgURL)
		if err != nil {
			return zero, err
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		cfg.DatabaseURL = u.String()
	}
	return fn(cfg)
}

// withTargets runs fn with n fresh targets of dialect, each its own
// database.
func withTargets[T any](dialect, pgURL string, n int, fn func([]app.Config) (T, error)) (T, error) {
	var all func(cfgs []app.Config) (T, error)
	all = func(cfgs []app.Config) (T, error) {
		if len(cfgs) == n {
			return fn(cfgs)
		}
		return withTarget(dialect, pgURL, func(cfg app.Config) (T, error) {
			return all(append(cfgs[:len(cfgs):len(cfgs)], cfg))
		})
	}
	return all(nil)
}

// template is the shape of every event: all fields set, ~300 bytes of metadata.
func template(i int) client.EventInput {
	return client.EventInput{
		ActorUserID: "user-1234", ActorRole: "operator", Action: "credentials.api_key.rotate",
		TargetType: "api_key", TargetID: fmt.Sprintf("key-%d", i), Result: "success",
		CorrelationID: "corr-0123456789", OccurredAt: "2026-11-23T12:00:00.123456Z",
		Metadata: []byte(`{"key_name":"deploy","scope":"write","region":"eu-west-1","reason":"scheduled rotation","ticket":"OPS-1234","previous_key_age_days":90,"client":{"ip":"192.0.2.10","agent":"aeso-bench/1.0"},"tags":["rotation","scheduled","production"]}`),
	}
}

// rawRate inserts n rows straight into audit_logs: the same columns and
// values the service writes, with no validation, redaction or HTTP, and
// their search rows as the service writes them (the schema has no trigger
// that would). The search rows' text or tsvector is made before the clock
// starts, so the raw rate is the database's alone.
func rawRate(cfg app.Config, n, batch int) (float64, error) {
	ctx := context.Background()
	cfg.Migrate = true
	db, err := app.OpenDB(ctx, cfg)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	conn := db.WriteConn()
	ts := func(s string) any {
		if db.Dialect() == "sqlite" {
			return s
		}
		t, _ := time.Parse(time.RFC3339Nano, s)
		return t
	}
	search := searchRows(db.Dialect(), (n+batch-1)/batch*batch) // every transaction writes batch rows
	if db.Dialect() == "postgres" {
		return copyRate(ctx, conn, n, batch, search)
	}
	start := time.Now()
	seq := int64(0)
	for done := 0; done < n; done += batch {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		var q strings.Builder
		q.WriteString(`INSERT INTO audit_logs (seq, id, actor_user_id, actor_service_account_id, actor_role, action,
			target_type, target_id, result, correlation_id, occurred_at, metadata, recorded_at, source,
			request_id, trace_id, redacted_paths) VALUES `)
		args := make([]any, 0, batch*17)
		for i := 0; i < batch; i++ {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteByte('(')
			for j := 1; j <= 17; j++ {
				if j > 1 {
					q.WriteByte(',')
				}
				if db.Dialect() == "sqlite" {
					q.WriteByte('?') // see store's dialect: numbered parameters are slow in SQLite's driver
				} else {
					fmt.Fprintf(&q, "$%d", len(args)+j)
				}
			}
			q.WriteByte(')')
			seq++
			ev := template(done + i)
			args = append(args, seq, uuid.Must(uuid.NewV7()).String(), ev.ActorUserID, "", ev.ActorRole, ev.Action,
				ev.TargetType, ev.TargetID, ev.Result, ev.CorrelationID, ts(ev.OccurredAt), string(ev.Metadata),
				ts("2026-11-23T12:00:01.000000Z"), "bench", "req-1", "", "[]")
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			tx.Rollback()
			return 0, err
		}
		// The search rows, as the store writes them: FTS5 makes the words.
		q.Reset()
		q.WriteString(`INSERT INTO audit_search (rowid, doc) VALUES `)
		args = args[:0]
		for i := 0; i < batch; i++ {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString("(?,?)")
			args = append(args, seq-int64(batch)+int64(i)+1, search[done+i])
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			tx.Rollback()
			return 0, err
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// copyRate writes n rows into audit_logs with PostgreSQL's COPY, in
// transactions of batch rows: the database's real ceiling for bulk writes.
func copyRate(ctx context.Context, pool *sql.DB, n, batch int, search []string) (float64, error) {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	columns := []string{"seq", "id", "actor_user_id", "actor_service_account_id", "actor_role", "action",
		"target_type", "target_id", "result", "correlation_id", "occurred_at", "metadata", "recorded_at", "source",
		"request_id", "trace_id", "redacted_paths"}
	occurred, _ := time.Parse(time.RFC3339Nano, template(0).OccurredAt)
	recorded := time.Date(2026, 11, 23, 12, 0, 1, 0, time.UTC)
	start := time.Now()
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		seq := int64(0)
		for done := 0; done < n; done += batch {
			rows := make([][]any, batch)
			for i := range rows {
				seq++
				ev := template(done + i)
				rows[i] = []any{seq, uuid.Must(uuid.NewV7()).String(), ev.ActorUserID, "", ev.ActorRole, ev.Action,
					ev.TargetType, ev.TargetID, ev.Result, ev.CorrelationID, occurred, string(ev.Metadata),
					recorded, "bench", "req-1", "", "[]"}
			}
			tx, err := pc.Begin(ctx)
			if err != nil {
				return err
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"audit_logs"}, columns, pgx.CopyFromRows(rows)); err != nil {
				tx.Rollback(ctx)
				return err
			}
			// The search rows, as the store writes them: one statement of
			// ready tsvectors, which the database only parses.
			seqs := make([]int64, batch)
			for i := range seqs {
				seqs[i] = seq - int64(batch) + int64(i) + 1
			}
			if _, err := tx.Exec(ctx, `INSERT INTO audit_search (seq, doc) SELECT * FROM unnest($1::bigint[], $2::text[]::tsvector[])`,
				seqs, search[done:done+batch]); err != nil {
				tx.Rollback(ctx)
				return err
			}
			if err := tx.Commit(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// searchRows returns the search row of each of the n events rawRate
// writes: the text FTS5 indexes on SQLite, a tsvector on PostgreSQL.
func searchRows(dialect string, n int) []string {
	out := make([]string, n)
	for i := range out {
		ev := template(i)
		text := auditsearch.Text(&audit.Event{ActorUserID: ev.ActorUserID, ActorRole: ev.ActorRole, Action: ev.Action,
			TargetType: ev.TargetType, TargetID: ev.TargetID, CorrelationID: ev.CorrelationID, Metadata: ev.Metadata})
		if dialect == "postgres" {
			text = auditsearch.PostgresVector(text)
		}
		out[i] = text
	}
	return out
}

// apiRate sends n events through the HTTP batch API of a real server.
func apiRate(cfg app.Config, n, batch, concurrency int) (float64, error) {
	ctx := context.Background()
	m, err := app.Start(ctx, cfg)
	if err != nil {
		return 0, err
	}
	defer m.Shutdown(ctx)
	// Bodies are encoded before the clock starts: the client is a load
	// generator here, as the raw path's argument building is not timed
	// apart either but costs far less.
	var bodies [][]byte
	for done := 0; done < n; done += batch {
		b := make([]client.EventInput, batch)
		for i := range b {
			b[i] = template(done + i)
		}
		body, err := json.Marshal(map[string]any{"events": b})
		if err != nil {
			return 0, err
		}
		bodies = append(bodies, body)
	}
	hc := &http.Client{Timeout: time.Minute}
	next := make(chan []byte, len(bodies))
	for _, b := range bodies {
		next <- b
	}
	close(next)
	errs := make(chan error, concurrency)
	start := time.Now()
	for w := 0; w < concurrency; w++ {
		go func() {
			for body := range next {
				if err := post(ctx, hc, m.URL(), cfg.AdminToken, body); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for w := 0; w < concurrency; w++ {
		if err := <-errs; err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

func post(ctx context.Context, hc *http.Client, base, token string, body []byte) error {
	return call(ctx, hc, http.MethodPost, base+"/v1/audit/events", token, body, http.StatusCreated)
}
