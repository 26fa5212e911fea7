package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/app"
	"github.com/aeso-dev/aeso/internal/auditgen"
)

// queryOptions are the query subcommand's flags.
type queryOptions struct {
	sizes              string
	requests           int
	batch, concurrency int
	step, fillTimeout  time.Duration
	pg                 string
	noSQLite           bool
	start              time.Time // occurred_at of the first event filled
	maxSize            int64
}

// dialects are the databases to measure.
func (o queryOptions) dialects() []string {
	if o.noSQLite {
		return []string{"postgres"}
	}
	return []string{"sqlite", "postgres"}
}

// runQuery fills a trail per dialect through the batch API to each of
// -sizes events, spread as auditgen spreads them, and at each size times
// every listing filter through the HTTP server beside the same query on
// the raw database.
func runQuery(args []string) error {
	o, sizes, err := parseTrailOptions("query", "listings", "per filter and size (and as many raw queries)", args)
	if err != nil {
		return err
	}

	fmt.Printf("Listings through the HTTP server (%d requests each, one in flight, page of %d) beside the same query on the raw database; latencies in ms\n",
		o.requests, pageSize)
	const row = "%-8s %9s  %-28s %8s %8s %8s %8s %9s %9s\n"
	fmt.Printf(row, "dialect", "events", "filter", "api p50", "p99", "raw p50", "p99", "api/raw", "p99/page")
	var failed error
	for _, dialect := range o.dialects() {
		if dialect == "postgres" && o.pg == "" {
			fmt.Fprintln(os.Stderr, "postgres: skipped (set -postgres or AESO_BENCH_POSTGRES_URL)")
			continue
		}
		_, err := withTarget(dialect, o.pg, func(cfg app.Config) (struct{}, error) {
			return struct{}{}, measureQueries(cfg, dialect, sizes, o, func(size int64, c queryCase, api, raw latency, page time.Duration) {
				fmt.Printf(row, dialect, strconv.FormatInt(size, 10), c.name, msText(api.p50), msText(api.p99),
					msText(raw.p50), msText(raw.p99), fmt.Sprintf("%.1f", float64(api.p50)/float64(raw.p50)),
					fmt.Sprintf("%.1f", float64(api.p99)/float64(page)))
			})
		})
		if err != nil {
			failed = errors.Join(failed, fmt.Errorf("%s: %w", dialect, err))
		}
	}
	return failed
}

// pageSize is the page every listing asks for: the API's default.
const pageSize = 100

// measureQueries fills one trail, growing, to each size and times every
// case there; report is called as each case is measured.
func measureQueries(cfg app.Config, dialect string, sizes []int64, o queryOptions,
	report func(size int64, c queryCase, api, raw latency, firstPageP99 time.Duration)) error {
	ctx := context.Background()
	m, err := app.Start(ctx, cfg)
	if err != nil {
		return err
	}
	defer m.Shutdown(ctx)
	cfg.Migrate = false
	db, err := app.OpenDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	raw := db.WriteConn()
	hc := &http.Client{Timeout: time.Minute}
	fillCtx, cancel := context.WithTimeout(ctx, o.fillTimeout)
	defer cancel()
	var have int64
	for _, size := range sizes {
		if err := fillSpread(fillCtx, hc, m.URL(), cfg.AdminToken, have, size, o); err != nil {
			return fmt.Errorf("fill from %d to %d events: %w", have, size, err)
		}
		if err := analyzeAsInService(ctx, cfg); err != nil {
			return err
		}
		have = size
		var firstPage time.Duration
		for _, c := range queryCases(dialect) {
			var api, rawLat latency
			// Both runs draw the same filters: timeRequests seeds alike.
			var slow slowest
			api, err = timeRequests(o.requests, func(r *rand.Rand) (func() error, error) {
				q := c.pick(r, o, size)
				start := time.Now()
				body, err := getPage(ctx, hc, m.URL(), cfg.AdminToken, q.values)
				slow.note(time.Since(start), q.values, min(o.requests, 50))
				return func() error { return checkPage(ctx, raw, dialect, c, q, body) }, err
			})
			if err != nil {
				return fmt.Errorf("%s at %d: %w", c.name, size, err)
			}
			// Whether the slowest request is slow for its values or was
			// slow once (a cold page, a busy machine): asked again, warm.
			start := time.Now()
			if _, err := getPage(ctx, hc, m.URL(), cfg.AdminToken, slow.values); err != nil {
				return fmt.Errorf("%s at %d: %w", c.name, size, err)
			}
			fmt.Fprintf(os.Stderr, "%s %d %s: slowest request %s ms (?%s), asked again %s ms\n",
				dialect, size, c.name, msText(slow.took), slow.values.Encode(), msText(time.Since(start)))
			rawLat, err = timeRequests(o.requests, func(r *rand.Rand) (func() error, error) {
				q := c.pick(r, o, size)
				_, err := rawSeqs(ctx, raw, dialect, c, q)
				return func() error { return nil }, err
			})
			if err != nil {
				return fmt.Errorf("raw %s at %d: %w", c.name, size, err)
			}
			if firstPage == 0 {
				firstPage = api.p99
			}
			report(size, c, api, rawLat, firstPage)
		}
	}
	return nil
}

// slowest keeps the slowest timed request of a case: the first warm
// calls are not timed.
type slowest struct {
	calls  int
	took   time.Duration
	values url.Values
}

func (s *slowest) note(d time.Duration, v url.Values, warm int) {
	s.calls++
	if s.calls > warm && d > s.took {
		s.took, s.values = d, v
	}
}

// analyzeAsInService gives a PostgreSQL trail the statistics a database
// in service has: autovacuum analyzes a table after enough inserts, but
// a cluster made for tests may run without it (this machine's does), and
// a planner without statistics takes a busy search phrase for a rare one
// (every match read from the search index, ~0.5 s at 1M events, where
// walking newest first takes ~4 ms). SQLite keeps no statistics unless
// asked, in service as here, and the listings are written for that.
func analyzeAsInService(ctx context.Context, cfg app.Config) error {
	if cfg.DatabaseURL == "" {
		return nil
	}
	db, err := sql.Open("pgx", cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}

// fillSpread posts the events from..to of the auditgen trail through the
// batch API, from several producers.
func fillSpread(ctx context.Context, hc *http.Client, base, token string, from, to int64, o queryOptions) error {
	next := make(chan [2]int64)
	go func() {
		defer close(next)
		for i := from; i < to; i += int64(o.batch) {
			select {
			case next <- [2]int64{i, min(to, i+int64(o.batch))}:
			case <-ctx.Done():
				return
			}
		}
	}()
	errs := make(chan error, o.concurrency)
	for w := 0; w < o.concurrency; w++ {
		go func() {
			for span := range next {
				events := make([]client.EventInput, 0, span[1]-span[0])
				for i := span[0]; i < span[1]; i++ {
					events = append(events, input(int(i), o))
				}
				body, err := json.Marshal(map[string]any{"events": events})
				if err == nil {
					err = post(ctx, hc, base, token, body)
				}
				if err != nil {
					errs <- err
					for range next { // let the producer finish
					}
					return
				}
			}
			errs <- ctx.Err()
		}()
	}
	var first error
	for w := 0; w < o.concurrency; w++ {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// input is the i-th event of the trail as a client sends it.
func input(i int, o queryOptions) client.EventInput {
	e := auditgen.Event(i, o.start, o.step)
	return client.EventInput{
		ActorUserID: e.ActorUserID, ActorServiceAccountID: e.ActorServiceAccountID, ActorRole: e.ActorRole,
		ActorDisplayName: e.ActorDisplayName, Action: e.Action, TargetType: e.TargetType, TargetID: e.TargetID,
		Result: e.Result, CorrelationID: e.CorrelationID, OccurredAt: e.OccurredAt.Format(time.RFC3339Nano),
		Metadata: e.Metadata,
	}
}

func getPage(ctx context.Context, hc *http.Client, base, token string, q url.Values) ([]byte, error) {
	q.Set("limit", strconv.Itoa(pageSize))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/audit/events?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET ?%s answered %s: %.200s", q.Encode(), resp.Status, body)
	}
	return body, nil
}

// checkPage fails the run when the server's page is not exactly what the
// raw query returns: a fast wrong listing is no result.
func checkPage(ctx context.Context, raw *sql.DB, dialect string, c queryCase, q pick, body []byte) error {
	var page client.EventPage
	if err := json.Unmarshal(body, &page); err != nil {
		return err
	}
	got := make([]int64, len(page.Events))
	for i, e := range page.Events {
		got[i] = e.Seq
	}
	want, err := rawSeqs(ctx, raw, dialect, c, q)
	if err != nil {
		return err
	}
	return check(slices.Equal(got, want), "%s ?%s: the server listed seqs %v, the raw query %v", c.name, q.values.Encode(), got, want)
}

// rawSeqs runs the case's query on the raw database, reading whole rows
// as the server does, and returns their seqs.
func rawSeqs(ctx context.Context, raw *sql.DB, dialect string, c queryCase, q pick) ([]int64, error) {
	from, order := "audit_logs l", "l.seq"
	if q.search != "" {
		from, order = "audit_logs l JOIN audit_search s ON s.seq = l.seq", "l.seq"
		if dialect == "sqlite" {
			from, order = "audit_search s JOIN audit_logs l ON l.seq = s.rowid", "s.rowid"
		}
	}
	if c.windowOnly && dialect == "sqlite" {
		order = "l.seq + 0" // read the window as a range of occurred_at, as aeso does
	}
	// The best a database does: the page's seqs from the index, then
	// those rows only.
	keys := q.keys
	if keys == "" {
		keys = "SELECT " + strings.TrimSuffix(order, " + 0") + " AS seq FROM " + from
		if q.where != "" {
			keys += " WHERE " + q.where
		}
		keys += " ORDER BY " + order + " DESC LIMIT " + strconv.Itoa(pageSize)
	}
	query := "SELECT l.* FROM (" + keys + ") k CROSS JOIN audit_logs l WHERE l.seq = k.seq ORDER BY k.seq DESC"
	rows, err := raw.QueryContext(ctx, query, q.args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var seqs []int64
	vals := make([]any, len(cols))
	var seq int64
	vals[0] = &seq
	for i := 1; i < len(vals); i++ {
		vals[i] = new(sql.RawBytes)
	}
	for rows.Next() {
		if err := rows.Scan(vals...); err != nil {
			return nil, err
		}
		seqs = append(seqs, seq)
	}
	return seqs, rows.Err()
}

// pick is one request's filter: as query parameters for the API and as
// SQL for the raw database.
type pick struct {
	values url.Values
	where  string
	args   []any
	keys   string // the page's seqs, when where alone cannot say how to find them
	search string // the words of q=, when set
}

// queryCase is one kind of listing; pick draws the filter of a request
// from a random event of the trail, so values come as often as they occur.
type queryCase struct {
	name       string
	windowOnly bool
	pick       func(r *rand.Rand, o queryOptions, size int64) pick
}

// queryCases lists the measured listings; the first is the unfiltered
// page the others are compared with.
func queryCases(dialect string) []queryCase {
	ts := func(t time.Time) any {
		if dialect == "sqlite" {
			return t.UTC().Format("2006-01-02T15:04:05.000000Z")
		}
		return t
	}
	action := "l.action"
	if dialect == "postgres" {
		action = `l.action COLLATE "C"`
	}
	event := func(r *rand.Rand, o queryOptions, size int64, ok func(c client.EventInput) bool) client.EventInput {
		for {
			if e := input(int(r.Int64N(size)), o); ok(e) {
				return e
			}
		}
	}
	anyEvent := func(client.EventInput) bool { return true }
	eq := func(name, param, where string, value func(client.EventInput) string) queryCase {
		return queryCase{name: name, pick: func(r *rand.Rand, o queryOptions, size int64) pick {
			v := value(event(r, o, size, func(e client.EventInput) bool { return value(e) != "" }))
			return pick{values: url.Values{param: {v}}, where: where, args: []any{v}}
		}}
	}
	end := func(o queryOptions, size int64) time.Time { return o.start.Add(time.Duration(size) * o.step) }
	search := func(name string, words func(client.EventInput) string) queryCase {
		return queryCase{name: name, pick: func(r *rand.Rand, o queryOptions, size int64) pick {
			w := words(event(r, o, size, anyEvent))
			p := pick{values: url.Values{"q": {w}}, search: w}
			p.where, p.args = searchWhere(dialect, w)
			return p
		}}
	}
	return []queryCase{
		{name: "first page", pick: func(*rand.Rand, queryOptions, int64) pick { return pick{values: url.Values{}} }},
		eq("actor_user_id", "actor_user_id", "l.actor_user_id = $1 AND l.actor_user_id <> ''",
			func(e client.EventInput) string { return e.ActorUserID }),
		eq("actor_service_account_id", "actor_service_account_id", "l.actor_service_account_id = $1 AND l.actor_service_account_id <> ''",
			func(e client.EventInput) string { return e.ActorServiceAccountID }),
		eq("action", "action", action+" = $1", func(e client.EventInput) string { return e.Action }),
		{name: "action prefix", pick: func(r *rand.Rand, o queryOptions, size int64) pick {
			family, _, _ := strings.Cut(event(r, o, size, anyEvent).Action, ".")
			// Each action of the family walked for a page, the pages
			// merged: the best a database does with an index on
			// (action, seq).
			var arms []string
			var args []any
			for _, a := range auditgen.Actions() {
				if strings.HasPrefix(a, family+".") {
					args = append(args, a)
					arms = append(arms, fmt.Sprintf("SELECT seq FROM (SELECT l.seq FROM audit_logs l WHERE %s = $%d ORDER BY l.seq DESC LIMIT %d) a%d",
						action, len(args), pageSize, len(args)))
				}
			}
			return pick{values: url.Values{"action": {family + ".*"}}, args: args,
				keys: strings.Join(arms, " UNION ALL ") + " ORDER BY seq DESC LIMIT " + strconv.Itoa(pageSize)}
		}},
		{name: "target_type+target_id", pick: func(r *rand.Rand, o queryOptions, size int64) pick {
			e := event(r, o, size, anyEvent)
			return pick{values: url.Values{"target_type": {e.TargetType}, "target_id": {e.TargetID}},
				where: "l.target_type = $1 AND l.target_id = $2", args: []any{e.TargetType, e.TargetID}}
		}},
		{name: "result=denied (rare)", pick: func(*rand.Rand, queryOptions, int64) pick {
			return pick{values: url.Values{"result": {"denied"}}, where: "l.result = $1", args: []any{"denied"}}
		}},
		eq("correlation_id", "correlation_id", "l.correlation_id = $1 AND l.correlation_id <> ''",
			func(e client.EventInput) string { return e.CorrelationID }),
		{name: "since the last hour", windowOnly: true, pick: func(_ *rand.Rand, o queryOptions, size int64) pick {
			since := end(o, size).Add(-time.Hour)
			return pick{values: url.Values{"since": {since.Format(time.RFC3339Nano)}}, where: "l.occurred_at >= $1", args: []any{ts(since)}}
		}},
		{name: "an hour anywhere", windowOnly: true, pick: func(r *rand.Rand, o queryOptions, size int64) pick {
			since := o.start.Add(time.Duration(r.Int64N(size)) * o.step)
			until := since.Add(time.Hour)
			return pick{values: url.Values{"since": {since.Format(time.RFC3339Nano)}, "until": {until.Format(time.RFC3339Nano)}},
				where: "l.occurred_at >= $1 AND l.occurred_at < $2", args: []any{ts(since), ts(until)}}
		}},
		{name: "until anywhere", windowOnly: true, pick: func(r *rand.Rand, o queryOptions, size int64) pick {
			until := o.start.Add(time.Duration(r.Int64N(size)) * o.step)
			return pick{values: url.Values{"until": {until.Format(time.RFC3339Nano)}}, where: "l.occurred_at < $1", args: []any{ts(until)}}
		}},
		{name: "actor_user_id, a day anywhere", pick: func(r *rand.Rand, o queryOptions, size int64) pick {
			e := event(r, o, size, func(e client.EventInput) bool { return e.ActorUserID != "" })
			since := o.start.Add(time.Duration(r.Int64N(size)) * o.step)
			until := since.Add(24 * time.Hour)
			return pick{values: url.Values{"actor_user_id": {e.ActorUserID}, "since": {since.Format(time.RFC3339Nano)}, "until": {until.Format(time.RFC3339Nano)}},
				where: "l.actor_user_id = $1 AND l.actor_user_id <> '' AND l.occurred_at >= $2 AND l.occurred_at < $3",
				args:  []any{e.ActorUserID, ts(since), ts(until)}}
		}},
		search("q= a target id (rare)", func(e client.EventInput) string { return e.TargetID }),
		search("q= a metadata word (common)", func(e client.EventInput) string {
			var md struct{ Reason string }
			_ = json.Unmarshal(e.Metadata, &md) // auditgen always writes a reason
			return strings.Fields(md.Reason)[0]
		}),
	}
}

// searchWhere is the raw search condition for words typed as q= (the
// bench's words are plain: letters and digits joined by '-').
func searchWhere(dialect, words string) (string, []any) {
	var terms []string
	for _, field := range strings.Fields(words) {
		parts := strings.FieldsFunc(strings.ToLower(field), func(r rune) bool { return r == '-' || r == '_' || r == '.' })
		if dialect == "sqlite" {
			terms = append(terms, `"`+strings.Join(parts, " ")+`"`)
		} else {
			terms = append(terms, "("+strings.Join(parts, " <-> ")+")")
		}
	}
	if dialect == "sqlite" {
		return "audit_search MATCH $1", []any{strings.Join(terms, " ")}
	}
	return "s.doc @@ to_tsquery('simple', $1)", []any{strings.Join(terms, " & ")}
}

// parseTrailOptions parses the flags of a subcommand that fills one trail
// per dialect to each of -sizes events and measures something at each
// size: name is the subcommand, what is measured and per what -n counts.
func parseTrailOptions(name, what, perN string, args []string) (queryOptions, []int64, error) {
	fs := flag.NewFlagSet(name, flag.ExitOnError)
	var o queryOptions
	fs.StringVar(&o.sizes, "sizes", "100000,1000000", "trail sizes at which "+what+" are measured, ascending")
	fs.IntVar(&o.requests, "n", 200, "requests "+perN)
	fs.IntVar(&o.batch, "batch", 1000, "events per fill request (at most 1000)")
	fs.IntVar(&o.concurrency, "concurrency", 2, "fill requests in flight")
	fs.DurationVar(&o.step, "step", time.Second, "time between two events' occurred_at: the trail's rate")
	fs.DurationVar(&o.fillTimeout, "fill-timeout", 30*time.Minute, "give up filling a trail past this time")
	fs.StringVar(&o.pg, "postgres", os.Getenv("AESO_BENCH_POSTGRES_URL"), "PostgreSQL URL; empty skips PostgreSQL")
	fs.BoolVar(&o.noSQLite, "skip-sqlite", false, "measure PostgreSQL only")
	_ = fs.Parse(args)
	if o.requests < 1 || o.batch < 1 || o.batch > 1000 || o.concurrency < 1 || o.step <= 0 {
		return o, nil, errors.New("-n, -concurrency and -step must be positive, -batch 1..1000")
	}
	sizes, err := parseSizes(o.sizes, 1)
	if err != nil {
		return o, nil, err
	}
	o.maxSize = sizes[len(sizes)-1]
	// The last event of the largest trail happens a minute ago: every
	// event is in the past, as ingest requires.
	o.start = time.Now().UTC().Add(-time.Minute - time.Duration(o.maxSize)*o.step).Truncate(time.Second)
	return o, sizes, nil
}
