package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/guard"
)

var _ guard.Store = (*DB)(nil)

const guardColumns = `id, guard, subject, mode, counts, findings, duplicates, source_url, observed_at,
	recorded_at, correlation_id, source`

// AddGuardReport implements guard.Store.
func (db *DB) AddGuardReport(ctx context.Context, r *guard.Report) (err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	counts, err := json.Marshal(r.Counts)
	if err != nil {
		return err
	}
	findings, err := json.Marshal(r.Findings)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO platform_guard_report_summaries (`+guardColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			r.ID, r.Guard, r.Subject, r.Mode, string(counts), string(findings), r.Duplicates, r.SourceURL,
			db.dialect.timeArg(r.ObservedAt), db.dialect.timeArg(r.RecordedAt), r.CorrelationID, r.Source)
		if err != nil {
			return fmt.Errorf("insert guard report: %w", err)
		}
		return db.advance(ctx, tx, guardLatest, r.Guard, r.Subject, r.ID, r.ObservedAt)
	})
}

// LatestGuardReport implements guard.Store.
func (db *DB) LatestGuardReport(ctx context.Context, g, subject string) (_ *guard.Report, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	q := db.latestGuardReportQuery(g, subject)
	reports, err := db.queryGuardReports(ctx, q.sql, q.args...)
	if err != nil {
		return nil, err
	}
	if len(reports) == 0 {
		return nil, aeso.Reasonf(aeso.ENOTFOUND, "no_guard_report", "no report of guard %s for this subject", g)
	}
	return reports[0], nil
}

// LatestGuardReportForName implements guard.Store.
func (db *DB) LatestGuardReportForName(ctx context.Context, g, name string) (_ *guard.Report, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	b := db.build()
	b.where("guard = ? AND "+db.dialect.subjectName("subject")+" = ?", g, name)
	q := b.query(`SELECT report_id FROM platform_guard_report_latest` + b.clause() + ` ORDER BY observed_at DESC, report_id DESC LIMIT 1`)
	ids, err := db.firstColumn(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("latest guard report: %w", err)
	}
	reports, err := db.guardReportsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	if len(reports) == 0 {
		return nil, aeso.Reasonf(aeso.ENOTFOUND, "no_guard_report", "no report of guard %s for this subject name", g)
	}
	return reports[0], nil
}

// GuardReports implements guard.Store.
func (db *DB) GuardReports(ctx context.Context, g, subject, beforeID string, limit int) (_ []*guard.Report, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	q, args := db.pageQuery(`SELECT `+guardColumns+` FROM platform_guard_report_summaries`,
		[]filter{{"guard", g}, {"subject", subject}}, beforeID, limit)
	return db.queryGuardReports(ctx, q, args...)
}

func (db *DB) queryGuardReports(ctx context.Context, q string, args ...any) ([]*guard.Report, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("guard reports: %w", err)
	}
	defer rows.Close()
	out := []*guard.Report{}
	for rows.Next() {
		r, err := scanGuardReport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// scanGuardReport reads guardColumns, then into extra any columns the
// query adds after them.
func scanGuardReport(rows *sql.Rows, extra ...any) (*guard.Report, error) {
	var r guard.Report
	var counts, findings string
	var observed, recorded dbTime
	dest := append([]any{&r.ID, &r.Guard, &r.Subject, &r.Mode, &counts, &findings, &r.Duplicates,
		&r.SourceURL, &observed, &recorded, &r.CorrelationID, &r.Source}, extra...)
	if err := rows.Scan(dest...); err != nil {
		return nil, err
	}
	r.ObservedAt, r.RecordedAt = observed.Time, recorded.Time
	if err := json.Unmarshal([]byte(counts), &r.Counts); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(findings), &r.Findings); err != nil {
		return nil, err
	}
	return &r, nil
}

// LatestGuardReportsForSubject implements guard.Store.
func (db *DB) LatestGuardReportsForSubject(ctx context.Context, subject string) (_ []*guard.Report, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	ids, err := db.firstColumn(ctx, db.projectionOf(guardLatest, "subject", subject))
	if err != nil {
		return nil, fmt.Errorf("latest guard reports: %w", err)
	}
	reports, err := db.guardReportsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := []*guard.Report{}
	out = append(out, reports...)
	sort.Slice(out, func(i, j int) bool { return out[i].Guard < out[j].Guard })
	return out, nil
}
