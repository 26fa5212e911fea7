package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/invariant"
	"github.com/aeso-dev/aeso/internal/report"
	"github.com/google/uuid"
)

var _ evidence.Store = (*DB)(nil)

const bundleColumns = `id, kind, subject_name, subject_ref, title, labels, correlation_id, owner, state,
	created_at, created_by, sealed_at, sealed_by, digest, supersedes, supersede_reason, superseded_by, document`

// promotedColumn reads whether a bundle has any promotion, as 0 or 1 on
// both dialects.
const promotedColumn = `CASE WHEN EXISTS (SELECT 1 FROM platform_evidence_promotions p
	WHERE p.bundle_id = platform_evidence_bundles.id) THEN 1 ELSE 0 END`

const itemColumns = `id, bundle_id, position, type, name, result, counts, summary, links, source_url,
	source_runner, observed_at, expires_at, correlation_id, metadata, redacted_paths, report, created_at, created_by`

func bundleNotFound() error {
	return aeso.Reasonf(aeso.ENOTFOUND, "bundle_not_found", "no evidence bundle has this id")
}

// CreateBundle implements evidence.Store.
func (db *DB) CreateBundle(ctx context.Context, b *evidence.Bundle) (err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	return db.inTx(ctx, func(tx *sql.Tx) error { return db.insertBundle(ctx, tx, b) })
}

func (db *DB) insertBundle(ctx context.Context, tx *sql.Tx, b *evidence.Bundle) error {
	labels, err := json.Marshal(nonNilMap(b.Labels))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO platform_evidence_bundles (id, kind, subject_name, subject_ref,
		title, labels, correlation_id, owner, state, created_at, created_by, supersedes, supersede_reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		b.ID, b.Kind, b.Subject.Name, b.Subject.Ref, b.Title, string(labels), b.CorrelationID, b.Owner,
		b.State, db.dialect.timeArg(b.CreatedAt), b.CreatedBy, nullString(b.Supersedes), b.SupersedeReason)
	if err != nil {
		return fmt.Errorf("insert bundle: %w", err)
	}
	return nil
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// canonicalID returns id in the one form stored (lowercase, hyphenated), so
// "{…}" or upper-case spellings find the same row on both dialects.
func canonicalID(id string) (string, bool) {
	u, err := uuid.Parse(id)
	if err != nil {
		return "", false
	}
	return u.String(), true
}

// lockBundle reads a bundle and locks its row until tx ends.
func (db *DB) lockBundle(ctx context.Context, tx *sql.Tx, id string) (*evidence.Bundle, error) {
	id, ok := canonicalID(id)
	if !ok {
		return nil, bundleNotFound()
	}
	b, err := scanBundle(tx.QueryRowContext(ctx, `SELECT `+bundleColumns+` FROM platform_evidence_bundles WHERE id = $1`+db.dialect.forUpdate(), id), false)
	if err == sql.ErrNoRows {
		return nil, bundleNotFound()
	}
	return b, err
}

// AddItem implements evidence.Store. The item and the invariant result it
// carries commit together or not at all.
func (db *DB) AddItem(ctx context.Context, bundleID string, add func(*evidence.Bundle, int) (*evidence.Item, *invariant.Result, error)) (_ *evidence.Item, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	var it *evidence.Item
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		b, err := db.lockBundle(ctx, tx, bundleID)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM platform_evidence_items WHERE bundle_id = $1`, b.ID).Scan(&n); err != nil {
			return err
		}
		var res *invariant.Result
		if it, res, err = add(b, n); err != nil {
			return err
		}
		if err := db.insertItem(ctx, tx, it); err != nil {
			return err
		}
		if res == nil {
			return nil
		}
		return db.insertInvariantResult(ctx, tx, res)
	})
	if err != nil {
		return nil, err
	}
	return it, nil
}

func (db *DB) insertItem(ctx context.Context, tx *sql.Tx, it *evidence.Item) error {
	counts, err := json.Marshal(it.Counts)
	if err != nil {
		return err
	}
	links := it.Links
	if links == nil {
		links = []evidence.Link{}
	}
	linksJSON, err := json.Marshal(links)
	if err != nil {
		return err
	}
	paths, err := json.Marshal(nonNil(it.RedactedPaths))
	if err != nil {
		return err
	}
	var rep any
	if it.Report != nil {
		b, err := json.Marshal(it.Report)
		if err != nil {
			return err
		}
		rep = string(b)
	}
	metadata := string(it.Metadata)
	if metadata == "" {
		metadata = "{}"
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO platform_evidence_items (`+itemColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
		it.ID, it.BundleID, it.Position, it.Type, it.Name, it.Result, string(counts), it.Summary, string(linksJSON),
		it.Source.URL, it.Source.Runner, db.dialect.timeArg(it.ObservedAt), nullTime{it.ExpiresAt, db.dialect},
		it.CorrelationID, metadata, string(paths), rep, db.dialect.timeArg(it.CreatedAt), it.CreatedBy)
	if err != nil {
		return fmt.Errorf("insert item: %w", err)
	}
	return nil
}

// SealBundle implements evidence.Store.
func (db *DB) SealBundle(ctx context.Context, id string, seal func(*evidence.Bundle, []*evidence.Item) (*audit.Event, error)) (_ *evidence.Bundle, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	var b *evidence.Bundle
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if b, err = db.lockBundle(ctx, tx, id); err != nil {
			return err
		}
		items, err := queryItems(ctx, tx, `WHERE bundle_id = $1 ORDER BY position`, b.ID)
		if err != nil {
			return err
		}
		ev, err := seal(b, items)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE platform_evidence_bundles SET state = $1, sealed_at = $2,
			sealed_by = $3, digest = $4, document = $5 WHERE id = $6`,
			b.State, nullTime{b.SealedAt, db.dialect}, b.SealedBy, b.Digest, string(b.Document), b.ID)
		if err != nil {
			return fmt.Errorf("seal bundle: %w", err)
		}
		return db.appendInTx(ctx, tx, ev)
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// PromoteBundle implements evidence.Store.
func (db *DB) PromoteBundle(ctx context.Context, id string, promote func(*evidence.Bundle, []*evidence.Promotion) (*evidence.Promotion, *audit.Event, error)) (err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		b, err := db.lockBundle(ctx, tx, id)
		if err != nil {
			return err
		}
		held, err := queryPromotions(ctx, tx, b.ID)
		if err != nil {
			return err
		}
		p, ev, err := promote(b, held)
		if err != nil || p == nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO platform_evidence_promotions (id, bundle_id, stage, reason,
			digest, promoted_at, promoted_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			p.ID, p.BundleID, p.Stage, p.Reason, p.Digest, db.dialect.timeArg(p.PromotedAt), p.PromotedBy)
		if err != nil {
			return fmt.Errorf("insert promotion: %w", err)
		}
		return db.appendInTx(ctx, tx, ev)
	})
}

// SupersedeBundle implements evidence.Store.
func (db *DB) SupersedeBundle(ctx context.Context, oldID string, build func(*evidence.Bundle) (*evidence.Bundle, *audit.Event, error)) (_ *evidence.Bundle, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	var b *evidence.Bundle
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		old, err := db.lockBundle(ctx, tx, oldID)
		if err != nil {
			return err
		}
		var ev *audit.Event
		if b, ev, err = build(old); err != nil {
			return err
		}
		if err := db.insertBundle(ctx, tx, b); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE platform_evidence_bundles SET superseded_by = $1
			WHERE id = $2 AND superseded_by IS NULL`, b.ID, old.ID)
		if err != nil {
			return fmt.Errorf("link superseded bundle: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return aeso.Reasonf(aeso.ECONFLICT, "already_superseded", "bundle %s is already superseded", old.ID)
		}
		return db.appendInTx(ctx, tx, ev)
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// GetBundle implements evidence.Store.
func (db *DB) GetBundle(ctx context.Context, id string) (_ *evidence.Bundle, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	id, ok := canonicalID(id)
	if !ok {
		return nil, bundleNotFound()
	}
	b, err := scanBundle(db.read.QueryRowContext(ctx, `SELECT `+bundleColumns+`, `+promotedColumn+` FROM platform_evidence_bundles WHERE id = $1`, id), true)
	if err == sql.ErrNoRows {
		return nil, bundleNotFound()
	}
	return b, err
}

// BundleItems implements evidence.Store.
func (db *DB) BundleItems(ctx context.Context, id string) (_ []*evidence.Item, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	return queryItems(ctx, db.read, `WHERE bundle_id = $1 ORDER BY position`, id)
}

// GetItem implements evidence.Store.
func (db *DB) GetItem(ctx context.Context, id string) (_ *evidence.Item, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	notFound := aeso.Reasonf(aeso.ENOTFOUND, "item_not_found", "no evidence item has this id")
	id, ok := canonicalID(id)
	if !ok {
		return nil, notFound
	}
	items, err := queryItems(ctx, db.read, `WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, notFound
	}
	return items[0], nil
}

// BundlePromotions implements evidence.Store.
func (db *DB) BundlePromotions(ctx context.Context, id string) (_ []*evidence.Promotion, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	return queryPromotions(ctx, db.read, id)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func queryPromotions(ctx context.Context, q querier, bundleID string) ([]*evidence.Promotion, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, bundle_id, stage, reason, digest, promoted_at, promoted_by
		FROM platform_evidence_promotions WHERE bundle_id = $1 ORDER BY promoted_at, id`, bundleID)
	if err != nil {
		return nil, fmt.Errorf("list promotions: %w", err)
	}
	defer rows.Close()
	out := []*evidence.Promotion{}
	for rows.Next() {
		var p evidence.Promotion
		var at dbTime
		if err := rows.Scan(&p.ID, &p.BundleID, &p.Stage, &p.Reason, &p.Digest, &at, &p.PromotedBy); err != nil {
			return nil, err
		}
		p.PromotedAt = at.Time
		out = append(out, &p)
	}
	return out, rows.Err()
}

func queryItems(ctx context.Context, q querier, where string, args ...any) ([]*evidence.Item, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+itemColumns+` FROM platform_evidence_items `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list items: %w", err)
	}
	defer rows.Close()
	out := []*evidence.Item{}
	for rows.Next() {
		var it evidence.Item
		var counts, links, metadata, paths string
		var rep sql.NullString
		var observed, expires, created dbTime
		if err := rows.Scan(&it.ID, &it.BundleID, &it.Position, &it.Type, &it.Name, &it.Result, &counts,
			&it.Summary, &links, &it.Source.URL, &it.Source.Runner, &observed, &expires, &it.CorrelationID,
			&metadata, &paths, &rep, &created, &it.CreatedBy); err != nil {
			return nil, fmt.Errorf("scan item: %w", err)
		}
		it.ObservedAt, it.ExpiresAt, it.CreatedAt = observed.Time, expires.ptr(), created.Time
		it.Metadata = json.RawMessage(metadata)
		for _, f := range []struct {
			raw string
			dst any
		}{{counts, &it.Counts}, {links, &it.Links}, {paths, &it.RedactedPaths}} {
			if err := json.Unmarshal([]byte(f.raw), f.dst); err != nil {
				return nil, fmt.Errorf("item %s: %w", it.ID, err)
			}
		}
		if rep.Valid {
			it.Report = &report.Summary{}
			if err := json.Unmarshal([]byte(rep.String), it.Report); err != nil {
				return nil, fmt.Errorf("item %s report: %w", it.ID, err)
			}
		}
		out = append(out, &it)
	}
	return out, rows.Err()
}

// scanBundle reads bundleColumns, and promotedColumn after them when
// withPromoted is set.
func scanBundle(row scanner, withPromoted bool) (*evidence.Bundle, error) {
	var b evidence.Bundle
	var labels string
	var created, sealed dbTime
	var supersedes, supersededBy, document sql.NullString
	var promoted int
	dest := []any{&b.ID, &b.Kind, &b.Subject.Name, &b.Subject.Ref, &b.Title, &labels, &b.CorrelationID,
		&b.Owner, &b.State, &created, &b.CreatedBy, &sealed, &b.SealedBy, &b.Digest, &supersedes,
		&b.SupersedeReason, &supersededBy, &document}
	if withPromoted {
		dest = append(dest, &promoted)
	}
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	b.Promoted = promoted == 1
	if document.Valid {
		b.Document = []byte(document.String)
	}
	b.CreatedAt, b.SealedAt = created.Time, sealed.ptr()
	b.Supersedes, b.SupersededBy = supersedes.String, supersededBy.String
	if err := json.Unmarshal([]byte(labels), &b.Labels); err != nil {
		return nil, fmt.Errorf("bundle %s labels: %w", b.ID, err)
	}
	return &b, nil
}

func scanBundles(rows *sql.Rows, withPromoted bool) ([]*evidence.Bundle, error) {
	defer rows.Close()
	out := []*evidence.Bundle{}
	for rows.Next() {
		b, err := scanBundle(rows, withPromoted)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}
