package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/evidence"
)

// ListBundles implements evidence.Store.
func (db *DB) ListBundles(ctx context.Context, f evidence.Filter) (_ []*evidence.Bundle, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", db.dialect.placeholder(len(args))))
	}
	for _, c := range []struct{ col, v string }{
		{"kind", f.Kind}, {"subject_name", f.SubjectName}, {"subject_ref", f.SubjectRef},
	} {
		if c.v != "" {
			add(c.col+" = ?", c.v)
		}
	}
	switch f.State {
	case evidence.StateOpen:
		where = append(where, "state = 'open'")
	case evidence.StateSealed:
		where = append(where, "state = 'sealed' AND "+promotedColumn+" = 0")
	case evidence.StatePromoted:
		where = append(where, "state = 'sealed' AND "+promotedColumn+" = 1")
	}
	if f.Stage != "" {
		add("id IN (SELECT bundle_id FROM platform_evidence_promotions WHERE stage = ?)", f.Stage)
	}
	if !f.Since.IsZero() {
		add("created_at >= ?", db.dialect.timeArg(f.Since))
	}
	if !f.Until.IsZero() {
		add("created_at < ?", db.dialect.timeArg(f.Until))
	}
	if id, ok := canonicalID(f.BeforeID); ok {
		add("id < ?", id)
	}
	for k, v := range f.Labels {
		key := k
		if db.dialect.name() == "sqlite" {
			key = `$."` + k + `"` // label keys are [a-z0-9._/-]: nothing to escape
		}
		args = append(args, key)
		cond := db.dialect.jsonText("labels", len(args))
		args = append(args, v)
		where = append(where, cond+" = "+db.dialect.placeholder(len(args)))
	}
	q := `SELECT ` + bundleColumns + `, ` + promotedColumn + ` FROM platform_evidence_bundles`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, f.Limit)
	q += " ORDER BY id DESC LIMIT " + db.dialect.placeholder(len(args))
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list bundles: %w", err)
	}
	return scanBundles(rows, true)
}

// LatestBundle implements evidence.Store.
func (db *DB) LatestBundle(ctx context.Context, kind, subject, ref, stage string) (_ *evidence.Bundle, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	ph := db.dialect.placeholder
	q := `SELECT ` + bundleColumns + `, ` + promotedColumn + ` FROM platform_evidence_bundles WHERE kind = ` + ph(1) +
		` AND subject_name = ` + ph(2) + ` AND state = 'sealed'`
	args := []any{kind, subject}
	if ref != "" {
		args = append(args, ref)
		q += fmt.Sprintf(" AND subject_ref = %s", db.dialect.placeholder(len(args)))
	}
	if stage != "" {
		args = append(args, stage)
		q += fmt.Sprintf(" AND id IN (SELECT bundle_id FROM platform_evidence_promotions WHERE stage = %s)", db.dialect.placeholder(len(args)))
	}
	q += " ORDER BY sealed_at DESC, id DESC LIMIT 1"
	rows, err := db.read.QueryContext(ctx, q, args...)
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
