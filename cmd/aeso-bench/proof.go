package main

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/app"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// latency is the median and 99th percentile of a set of timings.
type latency struct{ p50, p99 time.Duration }

func percentiles(ds []time.Duration) latency {
	slices.Sort(ds)
	at := func(q float64) time.Duration { return ds[min(len(ds)-1, int(q*float64(len(ds))))] }
	return latency{at(0.50), at(0.99)}
}

// proofRow is what one tree size measured.
type proofRow struct {
	size            int64
	filled          int64         // events added to reach size
	fill            time.Duration // how long adding them took
	incl, cons, raw latency
}

// proofTarget is one server whose log was filled to one size, measured
// beside the others.
type proofTarget struct {
	row             proofRow
	root            tlog.Hash
	get             func(string) ([]byte, error)
	conn            *sql.DB
	incl, cons, raw []time.Duration
	rng             *rand.Rand
}

// measureProofs fills one log per size, each on its own server and
// database (cfgs[i] for sizes[i]), then measures proofs on all of them in
// interleaved rounds, so that whatever else the machine does during the
// run weighs on every size alike. The whole fill stops at o.fillTimeout;
// the sizes filled by then are still measured, and the error returned.
func measureProofs(cfgs []app.Config, sizes []int64, o logOptions, filled func(proofRow)) ([]proofRow, error) {
	ctx := context.Background()
	fillCtx, cancel := context.WithTimeout(ctx, o.fillTimeout)
	defer cancel()
	var targets []*proofTarget
	var fillErr error
	for i, size := range sizes {
		t, stop, err := startProofTarget(fillCtx, cfgs[i], size, o)
		if stop != nil {
			defer stop()
		}
		if err != nil {
			fillErr = err
			break
		}
		t.rng = rand.New(rand.NewPCG(uint64(size), 2))
		filled(t.row)
		targets = append(targets, t)
	}
	rounds := max(1, min(o.proofRounds, o.requests))
	for round := 0; round < rounds; round++ {
		n := o.requests / rounds
		if round < o.requests%rounds {
			n++
		}
		// Alternate the order of the sizes, so that none is always first
		// after another's requests.
		order := slices.Clone(targets)
		if round%2 == 1 {
			slices.Reverse(order)
		}
		for _, t := range order {
			if err := t.measure(ctx, n); err != nil {
				return nil, fmt.Errorf("proofs at %d: %w", t.row.size, err)
			}
		}
	}
	var rows []proofRow
	for _, t := range targets {
		t.row.incl, t.row.cons, t.row.raw = percentiles(t.incl), percentiles(t.cons), percentiles(t.raw)
		rows = append(rows, t.row)
	}
	return rows, fillErr
}

// startProofTarget starts a server on cfg and fills its log to size
// through the batch API. stop, when not nil, shuts the server down.
func startProofTarget(ctx context.Context, cfg app.Config, size int64, o logOptions) (*proofTarget, func(), error) {
	m, err := app.Start(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	cfg.Migrate = false
	db, err := app.OpenDB(ctx, cfg)
	if err != nil {
		m.Shutdown(context.Background())
		return nil, nil, err
	}
	stop := func() {
		db.Close()
		m.Shutdown(context.Background())
	}
	hc := &http.Client{Timeout: time.Minute}
	get := func(path string) ([]byte, error) {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, m.URL()+path, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+cfg.AdminToken)
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
			return nil, fmt.Errorf("GET %s answered %s: %.200s", path, resp.Status, body)
		}
		return body, nil
	}
	vkey, err := get("/v1/audit/key")
	if err != nil {
		return nil, stop, err
	}
	verifier, err := note.NewVerifier(string(vkey))
	if err != nil {
		return nil, stop, err
	}
	// Starting the server audited its admin token's creation: the log
	// starts with what it already holds.
	have, _, err := checkpoint(get, verifier)
	if err != nil {
		return nil, stop, err
	}
	start := time.Now()
	if err := fill(ctx, hc, m.URL(), cfg.AdminToken, size-have, o.batch, o.concurrency); err != nil {
		return nil, stop, fmt.Errorf("fill from %d to %d events stopped after %s: %w", have, size, time.Since(start).Round(time.Second), err)
	}
	t := &proofTarget{row: proofRow{size: size, filled: size - have, fill: time.Since(start)}, get: get, conn: db.WriteConn()}
	// The signed checkpoint must cover every event just written.
	treeSize, root, err := checkpoint(get, verifier)
	if err != nil {
		return nil, stop, err
	}
	if err := check(treeSize == size, "checkpoint covers %d events, want %d", treeSize, size); err != nil {
		return nil, stop, err
	}
	t.root = root
	// Warm up with 50 inclusion proofs spread over the tree, outside the
	// timing.
	for i := 0; i < 50; i++ {
		if _, err := get(fmt.Sprintf("/v1/audit/proof/inclusion?seq=%d&tree_size=%d", 1+int64(i)*size/50, size)); err != nil {
			return nil, stop, err
		}
	}
	return t, stop, nil
}

// measure times n inclusion proofs, n consistency proofs and n raw point
// reads of a tree row, each answer checked outside the timing.
func (t *proofTarget) measure(ctx context.Context, n int) error {
	size := t.row.size
	incl, err := sampleRequests(t.rng, n, func(r *rand.Rand) (func() error, error) {
		seq := 1 + r.Int64N(size)
		body, err := t.get(fmt.Sprintf("/v1/audit/proof/inclusion?seq=%d&tree_size=%d", seq, size))
		return func() error {
			var p struct {
				LeafHash string   `json:"leaf_hash"`
				Hashes   []string `json:"hashes"`
			}
			if err := json.Unmarshal(body, &p); err != nil {
				return err
			}
			leaf, err := decodeHash(p.LeafHash)
			if err != nil {
				return err
			}
			proof, err := decodeHashes(p.Hashes)
			if err != nil {
				return err
			}
			return tlog.CheckRecord(proof, size, t.root, seq-1, leaf)
		}, err
	})
	if err != nil {
		return fmt.Errorf("inclusion: %w", err)
	}
	cons, err := sampleRequests(t.rng, n, func(r *rand.Rand) (func() error, error) {
		from := 1 + r.Int64N(size)
		body, err := t.get(fmt.Sprintf("/v1/audit/proof/consistency?from=%d&to=%d", from, size))
		return func() error {
			var p struct {
				Hashes []string `json:"hashes"`
			}
			if err := json.Unmarshal(body, &p); err != nil {
				return err
			}
			_, err := decodeHashes(p.Hashes)
			return check(err == nil && (len(p.Hashes) > 0 || from == size), "consistency %d→%d: %d hashes, %v", from, size, len(p.Hashes), err)
		}, err
	})
	if err != nil {
		return fmt.Errorf("consistency: %w", err)
	}
	stored := tlog.StoredHashCount(size)
	raw, err := sampleRequests(t.rng, n, func(r *rand.Rand) (func() error, error) {
		var h []byte
		err := t.conn.QueryRowContext(ctx, `SELECT hashes FROM audit_tree_runs WHERE first_idx <= $1 ORDER BY first_idx DESC LIMIT 1`, r.Int64N(stored)).Scan(&h)
		return func() error {
			return check(len(h) >= tlog.HashSize && len(h)%tlog.HashSize == 0, "tree row of %d bytes", len(h))
		}, err
	})
	if err != nil {
		return fmt.Errorf("raw point read: %w", err)
	}
	t.incl, t.cons, t.raw = append(t.incl, incl...), append(t.cons, cons...), append(t.raw, raw...)
	return nil
}

// checkpoint reads and verifies the server's latest checkpoint.
func checkpoint(get func(string) ([]byte, error), v note.Verifier) (int64, tlog.Hash, error) {
	cp, err := get("/v1/audit/checkpoint")
	if err != nil {
		return 0, tlog.Hash{}, err
	}
	n, err := note.Open(cp, note.VerifierList(v))
	if err != nil {
		return 0, tlog.Hash{}, fmt.Errorf("checkpoint: %w", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 3 {
		return 0, tlog.Hash{}, fmt.Errorf("checkpoint body %q", n.Text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return 0, tlog.Hash{}, fmt.Errorf("checkpoint size %q", lines[1])
	}
	root, err := decodeHash(lines[2])
	return size, root, err
}

// timeRequests runs one timed call n times after a short warm-up. call
// does the timed work and returns the untimed check of its answer.
func timeRequests(n int, call func(*rand.Rand) (func() error, error)) (latency, error) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < min(n, 50); i++ {
		if _, err := call(r); err != nil {
			return latency{}, err
		}
	}
	ds, err := sampleRequests(r, n, call)
	if err != nil {
		return latency{}, err
	}
	return percentiles(ds), nil
}

// sampleRequests times call n times, checking each answer after its
// timing.
func sampleRequests(r *rand.Rand, n int, call func(*rand.Rand) (func() error, error)) ([]time.Duration, error) {
	ds := make([]time.Duration, n)
	for i := range ds {
		start := time.Now()
		verify, err := call(r)
		ds[i] = time.Since(start)
		if err != nil {
			return nil, err
		}
		if err := verify(); err != nil {
			return nil, err
		}
	}
	return ds, nil
}

func decodeHash(s string) (tlog.Hash, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize {
		return tlog.Hash{}, fmt.Errorf("bad hash %q", s)
	}
	return tlog.Hash(b), nil
}

func decodeHashes(ss []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(ss))
	for i, s := range ss {
		h, err := decodeHash(s)
		if err != nil {
			return nil, err
		}
		out[i] = h
	}
	return out, nil
}

// fill posts n events through the batch API, in batches, from several
// producers; ctx's deadline stops it.
func fill(ctx context.Context, hc *http.Client, base, token string, n int64, batch, concurrency int) error {
	encode := func(k int) ([]byte, error) {
		events := make([]client.EventInput, k)
		for i := range events {
			events[i] = template(i)
		}
		return json.Marshal(map[string]any{"events": events})
	}
	full, err := encode(batch)
	if err != nil {
		return err
	}
	next := make(chan []byte, n/int64(batch)+1)
	for i := int64(0); i < n/int64(batch); i++ {
		next <- full
	}
	if rest := int(n % int64(batch)); rest > 0 {
		b, err := encode(rest)
		if err != nil {
			return err
		}
		next <- b
	}
	close(next)
	errs := make(chan error, concurrency)
	for w := 0; w < concurrency; w++ {
		go func() {
			for body := range next {
				if err := post(ctx, hc, base, token, body); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	var first error
	for w := 0; w < concurrency; w++ {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}
