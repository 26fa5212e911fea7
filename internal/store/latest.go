package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// The newest row of each group of a history (a gate's result for a
// subject, a guard's report for a subject, an invariant's result in an
// environment) is named by a projection table, updated in the transaction
// that adds a newer row. The posture and the "latest" reads join the
// projection to the history by primary key, so their cost follows the
// number of groups, not the length of the history.

// latestProjection describes one projection: its table, the two columns
// of its group, the column naming the history row and the ordering time.
type latestProjection struct {
	table, group1, group2, ref, at string
}

var (
	gateLatest      = latestProjection{"platform_gate_result_latest", "gate", "subject", "result_id", "evaluated_at"}
	guardLatest     = latestProjection{"platform_guard_report_latest", "guard", "subject", "report_id", "observed_at"}
	invariantLatest = latestProjection{"platform_invariant_result_latest", "invariant_id", "environment", "result_id", "observed_at"}
)

// advance makes id the newest row of its group unless the projection
// already names a newer one: newer is a later time, or the same time and a
// greater id, the order every "newest first" read uses. On PostgreSQL the
// conflicting row is locked and the condition rechecked, so concurrent
// writers of one group end with the newest.
func (db *DB) advance(ctx context.Context, tx *sql.Tx, p latestProjection, g1, g2, id string, at time.Time) error {
	t := p.table
	_, err := tx.ExecContext(ctx, `INSERT INTO `+t+` (`+p.group1+`, `+p.group2+`, `+p.ref+`, `+p.at+`)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (`+p.group1+`, `+p.group2+`) DO UPDATE SET `+p.ref+` = excluded.`+p.ref+`, `+p.at+` = excluded.`+p.at+`
		WHERE excluded.`+p.at+` > `+t+`.`+p.at+`
			OR (excluded.`+p.at+` = `+t+`.`+p.at+` AND excluded.`+p.ref+` > `+t+`.`+p.ref+`)`,
		g1, g2, id, db.dialect.timeArg(at))
	if err != nil {
		return fmt.Errorf("update %s: %w", t, err)
	}
	return nil
}

// query is one read statement with its arguments.
type query struct {
	sql  string
	args []any
}

// The reads through a projection run in two steps: the ids it names, then
// those rows of the history by primary key. Each step is an index lookup
// by construction, whatever a planner would make of a join between a
// small table and a long one.

// projectionQuery reads the ids a projection names for the condition
// where (no condition when empty), whose placeholders args fill.
func projectionQuery(p latestProjection, where string, args ...any) query {
	q := `SELECT ` + p.ref + ` FROM ` + p.table
	if where != "" {
		q += ` WHERE ` + where
	}
	return query{q, args}
}

// projectionOf reads the ids a projection names in one group: those whose
// column (group1 or group2) is v.
func (db *DB) projectionOf(p latestProjection, column, v string) query {
	b := db.build()
	cond := b.expr(column+" = ?", v)
	return projectionQuery(p, cond, b.args...)
}

// byIDQuery reads rows of a history by primary key.
func (db *DB) byIDQuery(table, columns string, ids []string) query {
	b := db.build()
	b.in("id", ids, false)
	return b.query(`SELECT ` + columns + ` FROM ` + table + b.clause())
}

// maxIDsPerQuery bounds the ids one statement names, well within both
// databases' limits on parameters.
const maxIDsPerQuery = 500

// chunks calls fn with ids in runs of at most maxIDsPerQuery.
func chunks(ids []string, fn func([]string) error) error {
	for len(ids) > 0 {
		n := min(len(ids), maxIDsPerQuery)
		if err := fn(ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// firstColumn reads the first column of q's rows.
func (db *DB) firstColumn(ctx context.Context, q query) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, q.sql, q.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// withdrawnResults returns which of the gate results ids name were
// withdrawn.
func (db *DB) withdrawnResults(ctx context.Context, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	err := chunks(ids, func(ids []string) error {
		q := db.withdrawalsOfQuery(ids)
		ws, err := db.queryWithdrawals(ctx, q.sql, q.args...)
		for _, w := range ws {
			out[w.ResultID] = true
		}
		return err
	})
	return out, err
}

// subjectName is the name part of a "name@ref" subject, as the dialects'
// subjectName computes it in SQL.
func subjectName(subject string) string {
	name, _, _ := strings.Cut(subject, "@")
	return name
}

// newerFirst orders rows of one group newest first: by time, then by id,
// as every "newest first" read does.
func newerFirst(at1, at2 time.Time, id1, id2 string) bool {
	if !at1.Equal(at2) {
		return at1.After(at2)
	}
	return id1 > id2
}

// counting walks the latest rows of the subjects of one name, newest
// first, and keeps the withdrawn ones up to and including the first that
// is not: the one that counts, with the withdrawn results newer than it.
// Only a subject's latest row can be withdrawn, and then the subject
// counts for nothing, not by its older rows nor by hiding another's.
func counting[T any](rows []T, withdrawn func(T) bool) []T {
	for i, r := range rows {
		if !withdrawn(r) {
			return rows[:i+1]
		}
	}
	return rows
}

// latestGateResultQuery is LatestGateResult's: the last entry of the
// group in the (gate, subject, evaluated_at, id) index.
func (db *DB) latestGateResultQuery(g, subject string) query {
	b := db.build()
	b.where("gate = ? AND subject = ?", g, subject)
	return b.query(`SELECT ` + gateResultColumns + ` FROM platform_release_gate_results` + b.clause() +
		` ORDER BY evaluated_at DESC, id DESC LIMIT 1`)
}

// latestGuardReportQuery is LatestGuardReport's.
func (db *DB) latestGuardReportQuery(g, subject string) query {
	b := db.build()
	b.where("guard = ? AND subject = ?", g, subject)
	return b.query(`SELECT ` + guardColumns + ` FROM platform_guard_report_summaries` + b.clause() +
		` ORDER BY observed_at DESC, id DESC LIMIT 1`)
}

// standingBundleQuery is StandingBundle's: the newest sealed, unsuperseded
// bundle of a kind, promoted to stage when one is named.
func (db *DB) standingBundleQuery(kind, stage string) query {
	b := db.build()
	b.where("kind = ? AND state = 'sealed' AND superseded_by IS NULL", kind)
	if stage != "" {
		b.where("id IN (SELECT bundle_id FROM platform_evidence_promotions WHERE stage = ?)", stage)
	}
	return b.query(`SELECT ` + bundleColumns + `, ` + promotedColumn + ` FROM platform_evidence_bundles` + b.clause() +
		" ORDER BY sealed_at DESC, id DESC LIMIT 1")
}

// openReconciliationsQuery is OpenReconciliations' list: records whose
// acceptance is unexpired at now last (they count for nothing, and must
// not fill the list that is read in place of records that count), then
// blocked records first, then by severity. The condition on state repeats
// the partial index's, so SQLite uses it.
func (db *DB) openReconciliationsQuery(limit int, now time.Time) query {
	b := db.build()
	accepted := b.bind(db.dialect.timeArg(now))
	return b.query(`SELECT ` + recordColumns + ` FROM platform_reconciliation_records
		WHERE state <> 'resolved'
		ORDER BY CASE WHEN state = 'accepted' AND accepted_until > ` + accepted + ` THEN 1 ELSE 0 END,
			CASE state WHEN 'blocked' THEN 0 ELSE 1 END,
			CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, id DESC
		LIMIT ` + b.bind(limit))
}

// openCountsQuery counts the open reconciliation records by severity.
const openCountsQuery = `SELECT severity, COUNT(*) FROM platform_reconciliation_records
		WHERE state <> 'resolved' GROUP BY severity`

// activeWaiversQuery is ActiveGateWaivers' statement for gate g.
func (db *DB) activeWaiversQuery(g string, now time.Time) query {
	b := db.build()
	b.where("gate = ? AND expires_at > ?", g, db.dialect.timeArg(now))
	return b.query(`SELECT ` + waiverColumns + ` FROM platform_gate_waivers` + b.clause() +
		` ORDER BY created_at DESC, id DESC`)
}
