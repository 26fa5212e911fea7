package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/aeso-dev/aeso/internal/component"
)

var _ component.Store = (*DB)(nil)

const componentColumns = `status, detail, source, source_url, observed_at, recorded_at, correlation_id`

// AddComponentReport implements component.Store: the history row and the
// latest projection change in one transaction.
func (db *DB) AddComponentReport(ctx context.Context, r *component.Report) (err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		args := []any{r.ID, r.Component, r.Status, r.Detail, r.Source, r.SourceURL,
			db.dialect.timeArg(r.ObservedAt), db.dialect.timeArg(r.RecordedAt), r.CorrelationID}
		if _, err := tx.ExecContext(ctx, `INSERT INTO platform_status_component_history (id, component, `+componentColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, args...); err != nil {
			return fmt.Errorf("insert component report: %w", err)
		}
		// status_since stays while the status repeats and restarts when it
		// changes.
		_, err := tx.ExecContext(ctx, `INSERT INTO platform_status_component_status (report_id, component, `+componentColumns+`, status_since)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $7)
			ON CONFLICT (component) DO UPDATE SET report_id = excluded.report_id, status = excluded.status,
				status_since = CASE WHEN platform_status_component_status.status = excluded.status
					THEN COALESCE(platform_status_component_status.status_since, platform_status_component_status.observed_at)
					ELSE excluded.observed_at END,
				detail = excluded.detail, source = excluded.source, source_url = excluded.source_url,
				observed_at = excluded.observed_at, recorded_at = excluded.recorded_at,
				correlation_id = excluded.correlation_id
			WHERE excluded.observed_at >= platform_status_component_status.observed_at`, args...)
		if err != nil {
			return fmt.Errorf("update component status: %w", err)
		}
		return nil
	})
}

// LatestComponentReports implements component.Store.
func (db *DB) LatestComponentReports(ctx context.Context) (_ []*component.Report, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	return db.queryComponentReports(ctx, latestComponentReportsQuery)
}

// latestComponentReportsQuery reads the projection of each component's
// latest report.
const latestComponentReportsQuery = `SELECT report_id, component, ` + componentColumns + `,
		COALESCE(status_since, observed_at) FROM platform_status_component_status ORDER BY component`

// ComponentReports implements component.Store.
func (db *DB) ComponentReports(ctx context.Context, name, beforeID string, limit int) (_ []*component.Report, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	q, args := db.pageQuery(`SELECT id, component, `+componentColumns+`, observed_at FROM platform_status_component_history`,
		[]filter{{"component", name}}, beforeID, limit)
	return db.queryComponentReports(ctx, q, args...)
}

func (db *DB) queryComponentReports(ctx context.Context, q string, args ...any) ([]*component.Report, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("component reports: %w", err)
	}
	defer rows.Close()
	out := []*component.Report{}
	for rows.Next() {
		var r component.Report
		var observed, recorded, since dbTime
		if err := rows.Scan(&r.ID, &r.Component, &r.Status, &r.Detail, &r.Source, &r.SourceURL,
			&observed, &recorded, &r.CorrelationID, &since); err != nil {
			return nil, err
		}
		r.ObservedAt, r.RecordedAt, r.StatusSince = observed.Time, recorded.Time, since.Time
		out = append(out, &r)
	}
	return out, rows.Err()
}
