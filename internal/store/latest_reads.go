package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"github.com/aeso-dev/aeso/internal/gate"
	"github.com/aeso-dev/aeso/internal/guard"
	"github.com/aeso-dev/aeso/internal/invariant"
)

// gateResultsByID reads gate results by id.
func (db *DB) gateResultsByID(ctx context.Context, ids []string) ([]*gate.Result, error) {
	var out []*gate.Result
	err := chunks(ids, func(ids []string) error {
		q := db.byIDQuery("platform_release_gate_results", gateResultColumns, ids)
		rs, err := db.queryGateResults(ctx, q.sql, q.args...)
		out = append(out, rs...)
		return err
	})
	return out, err
}

// guardReportsByID reads guard reports by id.
func (db *DB) guardReportsByID(ctx context.Context, ids []string) ([]*guard.Report, error) {
	var out []*guard.Report
	err := chunks(ids, func(ids []string) error {
		q := db.byIDQuery("platform_guard_report_summaries", guardColumns, ids)
		rs, err := db.queryGuardReports(ctx, q.sql, q.args...)
		out = append(out, rs...)
		return err
	})
	return out, err
}

// invariantResultsByID reads invariant results by id.
func (db *DB) invariantResultsByID(ctx context.Context, ids []string) ([]*invariant.Result, error) {
	out := []*invariant.Result{}
	err := chunks(ids, func(ids []string) error {
		q := db.byIDQuery("platform_product_invariant_results", resultColumns, ids)
		rs, err := db.queryResults(ctx, q.sql, q.args...)
		out = append(out, rs...)
		return err
	})
	return out, err
}

// countingGateResults is LatestGateResults for one gate: per subject name,
// the latest results of its subjects that count (see counting), ordered
// by subject, newest first.
func (db *DB) countingGateResults(ctx context.Context, g string) ([]*gate.Result, error) {
	ids, err := db.firstColumn(ctx, db.projectionOf(gateLatest, "gate", g))
	if err != nil {
		return nil, fmt.Errorf("latest gate results: %w", err)
	}
	results, err := db.gateResultsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	withdrawn, err := db.withdrawnResults(ctx, ids)
	if err != nil {
		return nil, err
	}
	byName := map[string][]*gate.Result{}
	for _, r := range results {
		byName[subjectName(r.Subject)] = append(byName[subjectName(r.Subject)], r)
	}
	out := []*gate.Result{}
	for _, rs := range byName {
		sort.Slice(rs, func(i, j int) bool { return newerFirst(rs[i].EvaluatedAt, rs[j].EvaluatedAt, rs[i].ID, rs[j].ID) })
		out = append(out, counting(rs, func(r *gate.Result) bool { return withdrawn[r.ID] })...)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Subject != out[j].Subject {
			return out[i].Subject < out[j].Subject
		}
		return newerFirst(out[i].EvaluatedAt, out[j].EvaluatedAt, out[i].ID, out[j].ID)
	})
	return out, nil
}

// withdrawnSubjects returns, per subject withdrawn from the posture, the
// greatest id of its withdrawn results. A subject is withdrawn when its
// latest result is withdrawn on every posture gate that evaluated it.
func (db *DB) withdrawnSubjects(ctx context.Context, gates []string) (map[string]string, error) {
	q := db.postureGatesQuery(gates)
	rows, err := db.read.QueryContext(ctx, q.sql, q.args...)
	if err != nil {
		return nil, fmt.Errorf("latest gate results: %w", err)
	}
	defer rows.Close()
	latest := map[string][]string{}
	var ids []string
	for rows.Next() {
		var subject, id string
		if err := rows.Scan(&subject, &id); err != nil {
			return nil, err
		}
		latest[subject] = append(latest[subject], id)
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	withdrawn, err := db.withdrawnResults(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
subjects:
	for subject, ids := range latest {
		greatest := ""
		for _, id := range ids {
			if !withdrawn[id] {
				continue subjects
			}
			greatest = max(greatest, id)
		}
		out[subject] = greatest
	}
	return out, nil
}

// postureGatesQuery reads the latest result of each subject on the gates
// named.
func (db *DB) postureGatesQuery(gates []string) query {
	b := db.build()
	b.in("gate", gates, false)
	return b.query(`SELECT subject, result_id FROM platform_gate_result_latest` + b.clause())
}

// countingGuardReports is LatestGuardReports' selection: per guard and
// subject name, the latest reports of its subjects that count, each with
// the withdrawn result of its subject ("" when it is not withdrawn),
// ordered by guard and subject.
func (db *DB) countingGuardReports(ctx context.Context, gates []string) ([]*guard.Report, []sql.NullString, error) {
	withdrawn, err := db.withdrawnSubjects(ctx, gates)
	if err != nil {
		return nil, nil, err
	}
	ids, err := db.firstColumn(ctx, projectionQuery(guardLatest, ""))
	if err != nil {
		return nil, nil, fmt.Errorf("latest guard reports: %w", err)
	}
	reports, err := db.guardReportsByID(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	byName := map[[2]string][]*guard.Report{}
	for _, r := range reports {
		k := [2]string{r.Guard, subjectName(r.Subject)}
		byName[k] = append(byName[k], r)
	}
	var out []*guard.Report
	for _, rs := range byName {
		sort.Slice(rs, func(i, j int) bool { return newerFirst(rs[i].ObservedAt, rs[j].ObservedAt, rs[i].ID, rs[j].ID) })
		out = append(out, counting(rs, func(r *guard.Report) bool { _, ok := withdrawn[r.Subject]; return ok })...)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Guard != out[j].Guard {
			return out[i].Guard < out[j].Guard
		}
		return out[i].Subject < out[j].Subject
	})
	results := make([]sql.NullString, len(out))
	for i, r := range out {
		if id, ok := withdrawn[r.Subject]; ok {
			results[i] = sql.NullString{String: id, Valid: true}
		}
	}
	return out, results, nil
}
