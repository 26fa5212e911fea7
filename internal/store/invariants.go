package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/invariant"
)

var _ invariant.Store = (*DB)(nil)

// InvariantDefinitions implements invariant.Store.
func (db *DB) InvariantDefinitions(ctx context.Context) (_ []*invariant.Stored, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	rows, err := db.read.QueryContext(ctx, `SELECT id, title, owner, severity, critical, required, max_age_ms,
		first_seen, retired_at FROM platform_invariant_definitions ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list invariant definitions: %w", err)
	}
	defer rows.Close()
	out := []*invariant.Stored{}
	for rows.Next() {
		var d invariant.Stored
		var maxAge int64
		var first, retired dbTime
		if err := rows.Scan(&d.ID, &d.Title, &d.Owner, &d.Severity, &d.Critical, &d.Required, &maxAge, &first, &retired); err != nil {
			return nil, err
		}
		d.MaxAge.Duration = time.Duration(maxAge) * time.Millisecond
		d.FirstSeen, d.RetiredAt = first.Time, retired.ptr()
		out = append(out, &d)
	}
	return out, rows.Err()
}

// SaveInvariantDefinitions implements invariant.Store.
func (db *DB) SaveInvariantDefinitions(ctx context.Context, save []*invariant.Stored, retire []string, at time.Time, events []*audit.Event) (err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, d := range save {
			_, err := tx.ExecContext(ctx, `INSERT INTO platform_invariant_definitions (id, title, owner, severity,
				critical, required, max_age_ms, first_seen) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
				ON CONFLICT (id) DO UPDATE SET owner = $3, severity = $4, critical = $5, required = $6,
				max_age_ms = $7, retired_at = NULL`,
				d.ID, d.Title, d.Owner, d.Severity, d.Critical, d.Required, d.MaxAge.Milliseconds(), db.dialect.timeArg(d.FirstSeen))
			if err != nil {
				return fmt.Errorf("save invariant %s: %w", d.ID, err)
			}
		}
		for _, id := range retire {
			if _, err := tx.ExecContext(ctx, `UPDATE platform_invariant_definitions SET retired_at = $1 WHERE id = $2`,
				db.dialect.timeArg(at), id); err != nil {
				return fmt.Errorf("retire invariant %s: %w", id, err)
			}
		}
		if len(events) == 0 {
			return nil
		}
		return db.appendInTx(ctx, tx, events...)
	})
}

const resultColumns = `id, invariant_id, status, environment, observed_at, recorded_at, correlation_id,
	bundle_id, item_id, details, redacted_paths, source, expires_at`

// AddInvariantResult implements invariant.Store.
func (db *DB) AddInvariantResult(ctx context.Context, r *invariant.Result) (err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	return db.inTx(ctx, func(tx *sql.Tx) error { return db.insertInvariantResult(ctx, tx, r) })
}

func (db *DB) insertInvariantResult(ctx context.Context, tx *sql.Tx, r *invariant.Result) error {
	paths, err := json.Marshal(nonNil(r.RedactedPaths))
	if err != nil {
		return err
	}
	details := string(r.Details)
	if details == "" {
		details = "{}"
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO platform_product_invariant_results (`+resultColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		r.ID, r.InvariantID, r.Status, r.Environment, db.dialect.timeArg(r.ObservedAt), db.dialect.timeArg(r.RecordedAt),
		r.CorrelationID, r.BundleID, r.ItemID, details, string(paths), r.Source, nullTime{r.ExpiresAt, db.dialect})
	if err != nil {
		return fmt.Errorf("insert invariant result: %w", err)
	}
	return db.advance(ctx, tx, invariantLatest, r.InvariantID, r.Environment, r.ID, r.ObservedAt)
}

// InvariantResults implements invariant.Store.
func (db *DB) InvariantResults(ctx context.Context, invariantID, environment, beforeID string, limit int) (_ []*invariant.Result, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	q, args := db.pageQuery(`SELECT `+resultColumns+` FROM platform_product_invariant_results`,
		[]filter{{"invariant_id", invariantID}, {"environment", environment}}, beforeID, limit)
	return db.queryResults(ctx, q, args...)
}

// LatestInvariantResults implements invariant.Store.
func (db *DB) LatestInvariantResults(ctx context.Context) (_ []*invariant.Result, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	ids, err := db.firstColumn(ctx, projectionQuery(invariantLatest, ""))
	if err != nil {
		return nil, fmt.Errorf("latest invariant results: %w", err)
	}
	latest, err := db.invariantResultsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	// The newest result does not count while its bundle is open or once it
	// is superseded: the newest one that counts stands in its place.
	out := latest[:0]
	for _, r := range latest {
		if !r.Counts() {
			if r, err = db.newestCountingResult(ctx, r.InvariantID, r.Environment); err != nil {
				return nil, err
			}
		}
		if r == nil {
			continue
		}
		if r.Status != invariant.StatusPass {
			if r.FailingSince, err = db.failingSince(ctx, r); err != nil {
				return nil, err
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// failingSince is when the run of results without a counting pass that r
// ends began: the first result other than a pass after the last pass that
// counts before r (or r's own time). A pass of an open or corrected
// bundle proves nothing, so it neither ends the run nor starts it.
func (db *DB) failingSince(ctx context.Context, r *invariant.Result) (*time.Time, error) {
	at := db.dialect.timeArg(r.ObservedAt)
	lastPass, err := db.newestCounting(ctx, r.InvariantID, r.Environment, func(b *builder) {
		b.where("status = 'pass' AND observed_at < ?", at)
	})
	if err != nil {
		return nil, fmt.Errorf("invariant failing since: %w", err)
	}
	b := db.build()
	b.where("invariant_id = ? AND environment = ? AND status <> 'pass' AND observed_at <= ?", r.InvariantID, r.Environment, at)
	if lastPass != nil {
		b.where("observed_at > ?", db.dialect.timeArg(lastPass.ObservedAt))
	}
	q := b.query(`SELECT MIN(observed_at) FROM platform_product_invariant_results` + b.clause())
	var first dbTime
	if err := db.read.QueryRowContext(ctx, q.sql, q.args...).Scan(&first); err != nil {
		return nil, fmt.Errorf("invariant failing since: %w", err)
	}
	if !first.Valid || first.Time.After(r.ObservedAt) {
		return &r.ObservedAt, nil
	}
	return &first.Time, nil
}

func (db *DB) queryResults(ctx context.Context, q string, args ...any) ([]*invariant.Result, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("invariant results: %w", err)
	}
	defer rows.Close()
	out := []*invariant.Result{}
	for rows.Next() {
		var r invariant.Result
		var observed, recorded, expires dbTime
		var details, paths string
		if err := rows.Scan(&r.ID, &r.InvariantID, &r.Status, &r.Environment, &observed, &recorded,
			&r.CorrelationID, &r.BundleID, &r.ItemID, &details, &paths, &r.Source, &expires); err != nil {
			return nil, err
		}
		r.ObservedAt, r.RecordedAt, r.ExpiresAt = observed.Time, recorded.Time, expires.ptr()
		r.Details = json.RawMessage(details)
		if err := json.Unmarshal([]byte(paths), &r.RedactedPaths); err != nil {
			return nil, err
		}
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, db.readBundles(ctx, out)
}

// readBundles fills in the state of the bundles the results name and
// which of them were corrected since, by which bundle and when (see
// invariant.Result.BundleState). A bundle that cannot be found leaves the
// state empty: the result does not count.
func (db *DB) readBundles(ctx context.Context, results []*invariant.Result) error {
	seen := map[string]bool{}
	var ids []string
	for _, r := range results {
		if r.BundleID != "" && !seen[r.BundleID] {
			seen[r.BundleID] = true
			ids = append(ids, r.BundleID)
		}
	}
	type bundle struct {
		state, by string
		at        *time.Time
	}
	found := map[string]bundle{}
	err := chunks(ids, func(ids []string) error {
		b := db.build()
		b.in("b.id", ids, false)
		q := b.query(`SELECT b.id, b.state, COALESCE(CAST(corr.id AS TEXT), ''), corr.created_at FROM platform_evidence_bundles b
			LEFT JOIN platform_evidence_bundles corr ON corr.id = b.superseded_by` + b.clause())
		rows, err := db.read.QueryContext(ctx, q.sql, q.args...)
		if err != nil {
			return fmt.Errorf("invariant results' bundles: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var x bundle
			var at dbTime
			if err := rows.Scan(&id, &x.state, &x.by, &at); err != nil {
				return err
			}
			x.at = at.ptr()
			found[id] = x
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	for _, r := range results {
		if x, ok := found[r.BundleID]; ok {
			r.BundleState, r.SupersededBy, r.SupersededAt = x.state, x.by, x.at
		}
	}
	return nil
}

// newestCountingResult is the newest result of an invariant in an
// environment that counts (invariant.Result.Counts), or nil: what its
// state is read from when the newest result does not count. Results that
// do not count are few (passes of open or corrected bundles), so it reads
// the history newest first, a page at a time, and at most maxUncounted
// results: past them it answers nil, the invariant unproven, rather than
// let anyone who may post results make every posture read the history.
func (db *DB) newestCountingResult(ctx context.Context, invariantID, environment string) (*invariant.Result, error) {
	return db.newestCounting(ctx, invariantID, environment, nil)
}

// newestCounting is newestCountingResult among the results that also meet
// the conditions narrow adds, if any.
func (db *DB) newestCounting(ctx context.Context, invariantID, environment string, narrow func(*builder)) (*invariant.Result, error) {
	const page = 20
	var after *invariant.Result
	for read := 0; read < maxUncounted; read += page {
		b := db.build()
		b.where("invariant_id = ? AND environment = ?", invariantID, environment)
		if narrow != nil {
			narrow(b)
		}
		if after != nil {
			at := db.dialect.timeArg(after.ObservedAt)
			b.where("(observed_at < ? OR (observed_at = ? AND id < ?))", at, at, after.ID)
		}
		q := b.query(`SELECT ` + resultColumns + ` FROM platform_product_invariant_results` + b.clause() +
			` ORDER BY observed_at DESC, id DESC LIMIT ` + strconv.Itoa(page))
		rs, err := db.queryResults(ctx, q.sql, q.args...)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if r.Counts() {
				return r, nil
			}
		}
		if len(rs) < page {
			return nil, nil
		}
		after = rs[len(rs)-1]
	}
	return nil, nil
}

// maxUncounted bounds the results newestCountingResult reads.
const maxUncounted = 500
