package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aeso-dev/aeso/internal/app"
)

// logOptions are the log subcommand's flags.
type logOptions struct {
	n, batch, rounds, concurrency int
	pg                            string
	sizes                         string
	requests, proofRounds         int
	fillTimeout                   time.Duration
}

// logIngest is the best rate of each ingest path of one dialect.
type logIngest struct {
	dialect            string
	raw                float64
	on1, off1, on, off float64
}

// runLog prints the cost of the log on ingest, then proof latencies per
// tree size, each table as soon as its dialect is measured.
func runLog(dialects []string, o logOptions) error {
	sizes, err := parseSizes(o.sizes, o.batch)
	if err != nil {
		return err
	}
	if o.requests < 1 {
		return errors.New("-n-proof must be at least 1")
	}
	var ingest []logIngest
	for _, dialect := range dialects {
		r, err := measureLogIngest(dialect, o)
		if err != nil {
			return fmt.Errorf("%s ingest: %w", dialect, err)
		}
		ingest = append(ingest, r)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Batch ingest, %d events, batch %d, best of %d\n", o.n, o.batch, o.rounds)
	fmt.Fprintf(tw, "dialect\tstreams\traw events/s\twithout log events/s\twith log events/s\twith/without\twith/raw\n")
	for _, r := range ingest {
		fmt.Fprintf(tw, "%s\t1\t%.0f\t%.0f\t%.0f\t%.2f\t%.2f\n", r.dialect, r.raw, r.off1, r.on1, r.on1/r.off1, r.on1/r.raw)
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.0f\t%.0f\t%.2f\t%.2f\n", r.dialect, o.concurrency, r.raw, r.off, r.on, r.on/r.off, r.on/r.raw)
	}
	tw.Flush()
	fmt.Println()
	fmt.Printf("Proofs through the HTTP server, one server and database per tree size, all filled first, then %d requests of each kind per size in %d interleaved rounds, one in flight; raw = one indexed point read of a tree hash; latencies in ms\n", o.requests, max(1, min(o.proofRounds, o.requests)))
	var failed error
	for _, dialect := range dialects {
		_, err := withTargets(dialect, o.pg, len(sizes), func(cfgs []app.Config) ([]proofRow, error) {
			// Fills are printed as each ends, so a fill that runs out of
			// time still shows the sizes it reached.
			rows, err := measureProofs(cfgs, sizes, o, func(r proofRow) {
				fmt.Printf("%s: filled to %d in %.1f s (%.0f events/s)\n", dialect, r.size, r.fill.Seconds(), float64(r.filled)/r.fill.Seconds())
			})
			tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintf(tw, "dialect\ttree size\tincl p50\tp99\tcons p50\tp99\traw p50\tp99\tincl/raw\tincl p50 / first size's\tcons p50 / first size's\t\n")
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%.1f\t%.2f\t%.2f\t\n", dialect, r.size,
					msText(r.incl.p50), msText(r.incl.p99), msText(r.cons.p50), msText(r.cons.p99), msText(r.raw.p50), msText(r.raw.p99),
					float64(r.incl.p50)/float64(r.raw.p50), float64(r.incl.p50)/float64(rows[0].incl.p50), float64(r.cons.p50)/float64(rows[0].cons.p50))
			}
			tw.Flush()
			return rows, err
		})
		if err != nil {
			failed = errors.Join(failed, fmt.Errorf("%s proofs: %w", dialect, err))
		}
	}
	return failed
}

// msText writes a latency in milliseconds.
func msText(d time.Duration) string { return fmt.Sprintf("%.3f", float64(d)/float64(time.Millisecond)) }

// parseSizes reads ascending tree sizes, at least one batch each.
func parseSizes(s string, batch int) ([]int64, error) {
	var out []int64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil || v < int64(batch) || (len(out) > 0 && v <= out[len(out)-1]) {
			return nil, fmt.Errorf("-sizes %q: want ascending sizes of at least -batch (%d)", s, batch)
		}
		out = append(out, v)
	}
	return out, nil
}

// measureLogIngest measures raw inserts and the batch API with and without
// the log, interleaved round by round so drift on the machine hits every
// path alike; the best of the rounds is kept for each.
func measureLogIngest(dialect string, o logOptions) (logIngest, error) {
	res := logIngest{dialect: dialect}
	api := func(streams int, tree bool) func(app.Config) (float64, error) {
		return func(cfg app.Config) (float64, error) {
			cfg.WithoutTreeForMeasurement = !tree
			return apiRate(cfg, o.n, o.batch, streams)
		}
	}
	for i := 0; i < o.rounds; i++ {
		for _, m := range []struct {
			into *float64
			fn   func(app.Config) (float64, error)
		}{
			{&res.raw, func(cfg app.Config) (float64, error) { return rawRate(cfg, o.n, o.batch) }},
			{&res.on1, api(1, true)},
			{&res.off1, api(1, false)},
			{&res.on, api(o.concurrency, true)},
			{&res.off, api(o.concurrency, false)},
		} {
			v, err := withTarget(dialect, o.pg, m.fn)
			if err != nil {
				return res, err
			}
			*m.into = max(*m.into, v)
		}
	}
	return res, nil
}

// check fails the run when a measurement's own answer is wrong: a fast
// wrong proof is no result.
func check(ok bool, format string, args ...any) error {
	if ok {
		return nil
	}
	return fmt.Errorf(format, args...)
}
