package store

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/evidence"
)

// ListBundles implements evidence.Store.
func (db *DB) ListBundles(ctx context.Context, f evidence.Filter) (_ []*evidence.Bundle, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	b := db.build()
	b.eq("kind", f.Kind)
	b.eq("subject_name", f.SubjectName)
	b.eq("subject_ref", f.SubjectRef)
	switch f.State {
	case evidence.StateOpen:
		b.where("state = 'open'")
	case evidence.StateSealed:
		b.where("state = 'sealed' AND " + promotedColumn + " = 0")
	case evidence.StatePromoted:
		b.where("state = 'sealed' AND " + promotedColumn + " = 1")
	}
	if f.Stage != "" {
		b.where("id IN (SELECT bundle_id FROM platform_evidence_promotions WHERE stage = ?)", f.Stage)
	}
	if !f.Since.IsZero() {
		b.where("created_at >= ?", db.dialect.timeArg(f.Since))
	}
	if !f.Until.IsZero() {
		b.where("created_at < ?", db.dialect.timeArg(f.Until))
	}
	for _, k := range slices.Sorted(maps.Keys(f.Labels)) {
		b.where(db.dialect.jsonText("labels")+" = ?", db.dialect.jsonKey(k), f.Labels[k])
	}
	id, _ := canonicalID(f.BeforeID)
	q := b.query(`SELECT ` + bundleColumns + `, ` + promotedColumn + ` FROM platform_evidence_bundles` +
		newestFirst(b, "id", id, f.Limit))
	rows, err := db.read.QueryContext(ctx, q.sql, q.args...)
	if err != nil {
		return nil, fmt.Errorf("list bundles: %w", err)
	}
	return scanBundles(rows, true)
}

// LatestBundle implements evidence.Store.
func (db *DB) LatestBundle(ctx context.Context, kind, subject, ref, stage string) (_ *evidence.Bundle, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	b := db.build()
	b.where("kind = ? AND subject_name = ? AND state = 'sealed'", kind, subject)
	b.eq("subject_ref", ref)
	if stage != "" {
		b.where("id IN (SELECT bundle_id FROM platform_evidence_promotions WHERE stage = ?)", stage)
	}
	q := b.query(`SELECT ` + bundleColumns + `, ` + promotedColumn + ` FROM platform_evidence_bundles` + b.clause() +
		" ORDER BY sealed_at DESC, id DESC LIMIT 1")
	rows, err := db.read.QueryContext(ctx, q.sql, q.args...)
	if err != nil {
		return nil, fmt.Errorf("latest bundle: %w", err)
	}
	bundles, err := scanBundles(rows, true)
	if err != nil {
		return nil, err
	}
	if len(bundles) == 0 {
		return nil, aeso.Reasonf(aeso.ENOTFOUND, "no_bundle", "no sealed %s bundle matches this subject", kind)
	}
	return bundles[0], nil
}
