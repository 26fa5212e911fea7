package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/store"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// historyTables grow with every report, result and record kept; no read
// of the posture or of a "latest" may scan one whole.
var historyTables = []string{
	"platform_release_gate_results", "platform_guard_report_summaries",
	"platform_product_invariant_results", "platform_status_component_history",
	"platform_gate_withdrawals", "platform_gate_waivers",
	"platform_evidence_bundles", "platform_reconciliation_records",
}

// historyRows is how many rows each long history gets: enough that a
// planner with statistics prefers an index wherever one serves.
const historyRows = 20000

// Groups of the generated history: row i belongs to group i % n, and its
// time grows with i, so the newest row of a group is its last.
const (
	gateGroups      = 3 * 20 // 3 gates × 20 subjects
	guardGroups     = 5 * 20
	invariantGroups = 20 * 3 // 20 invariants × 3 environments
)

func TestPostureAndLatestReadsScanNoHistory(t *testing.T) {
	testdb.ForEachEmpty(t, func(t *testing.T, tg testdb.Target) {
		ctx := context.Background()
		db, err := store.Open(ctx, store.Options{URL: tg.URL, DataDir: tg.DataDir})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		// The history is written as the schema before the projections
		// left it, so migrating also proves they are filled from it.
		if err := db.MigrateTo(ctx, 19); err != nil {
			t.Fatal(err)
		}
		fillHistory(t, db)
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.WriteConn().ExecContext(ctx, "ANALYZE"); err != nil {
			t.Fatal(err)
		}

		checkBackfill(t, db)

		gate, subject, guard := "gate-1", "svc-1@v1", "guard-1"
		ids := []string{historyID(1, 0), historyID(1, 1)}
		partial := partialIndexes(t, db)
		for _, q := range db.PostureReads(gate, subject, guard, "release", "production", ids, at(historyRows)) {
			plan := explain(t, db, q)
			if scans := fullScans(db.Dialect(), q.SQL, plan, partial); len(scans) > 0 {
				t.Errorf("%s scans history: %s\nplan:\n%s", q.Name, strings.Join(scans, "; "), plan)
			}
		}
	})
}

var base = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// at is the time of row i: one second apart.
func at(i int) time.Time { return base.Add(time.Duration(i) * time.Second) }

// historyID is the id of row i of table number n, time-ordered like UUIDv7.
func historyID(n, i int) string {
	return fmt.Sprintf("01900000-%04x-7000-8000-%012x", n, i)
}

// rowsInserter writes rows in multi-row INSERTs inside one transaction.
type rowsInserter struct {
	t       *testing.T
	dialect string
	tx      *sql.Tx
}

func (r *rowsInserter) insert(table, columns string, n int, row func(i int) []any) {
	r.t.Helper()
	const batch = 200
	for start := 0; start < n; start += batch {
		var q strings.Builder
		q.WriteString("INSERT INTO " + table + " (" + columns + ") VALUES ")
		var args []any
		for i := start; i < min(n, start+batch); i++ {
			if i > start {
				q.WriteByte(',')
			}
			q.WriteByte('(')
			for j, v := range row(i) {
				if j > 0 {
					q.WriteByte(',')
				}
				args = append(args, v)
				if r.dialect == "sqlite" {
					q.WriteByte('?')
				} else {
					fmt.Fprintf(&q, "$%d", len(args))
				}
			}
			q.WriteByte(')')
		}
		if _, err := r.tx.Exec(q.String(), args...); err != nil {
			r.t.Fatalf("fill %s: %v", table, err)
		}
	}
}

// ts is a time as the dialect stores it.
func (r *rowsInserter) ts(t time.Time) any {
	if r.dialect == "sqlite" {
		return t.UTC().Format("2006-01-02T15:04:05.000000Z")
	}
	return t
}

func fillHistory(t *testing.T, db *store.DB) {
	t.Helper()
	tx, err := db.WriteConn().Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	r := &rowsInserter{t: t, dialect: db.Dialect(), tx: tx}
	r.insert("platform_invariant_definitions", "id, title, owner, severity, critical, required, max_age_ms, first_seen", 20,
		func(i int) []any {
			return []any{fmt.Sprintf("INV-T-%03d", i), "invariant", "team", "high", false, false, 3600000, r.ts(base)}
		})
	r.insert("platform_product_invariant_results", "id, invariant_id, status, environment, observed_at, recorded_at, source", historyRows,
		func(i int) []any {
			g := i % invariantGroups
			return []any{historyID(3, i), fmt.Sprintf("INV-T-%03d", g%20), "pass", fmt.Sprintf("env-%d", g/20), r.ts(at(i)), r.ts(at(i)), "ci"}
		})
	r.insert("platform_release_gate_results", "id, gate, subject, verdict, warnings, reasons, inputs_digest, ruleset_version, evaluator, evaluated_at", historyRows,
		func(i int) []any {
			g := i % gateGroups
			return []any{historyID(1, i), fmt.Sprintf("gate-%d", g/20), fmt.Sprintf("svc-%d@v1", g%20), "pass", "[]", "[]",
				"sha256:00", "v1", "ci", r.ts(at(i))}
		})
	r.insert("platform_guard_report_summaries", "id, guard, subject, mode, counts, findings, observed_at, recorded_at, source", historyRows,
		func(i int) []any {
			g := i % guardGroups
			return []any{historyID(2, i), fmt.Sprintf("guard-%d", g/20), fmt.Sprintf("svc-%d@v1", g%20), "warn",
				`{"total":0}`, "[]", r.ts(at(i)), r.ts(at(i)), "ci"}
		})
	r.insert("platform_status_component_history", "id, component, status, detail, source, source_url, observed_at, recorded_at, correlation_id", historyRows,
		func(i int) []any {
			return []any{historyID(4, i), fmt.Sprintf("comp-%d", i%20), "healthy", "", "probe", "", r.ts(at(i)), r.ts(at(i)), ""}
		})
	// Every tenth gate result is withdrawn; waivers, bundles and
	// records pile up too, most of them long expired, superseded or
	// resolved.
	r.insert("platform_gate_withdrawals", "id, gate, subject, result_id, verdict, reason, withdrawn_by, withdrawn_at", historyRows/10,
		func(i int) []any {
			j := i * 10
			g := j % gateGroups
			return []any{historyID(5, i), fmt.Sprintf("gate-%d", g/20), fmt.Sprintf("svc-%d@v1", g%20), historyID(1, j), "pass",
				"test", "ops", r.ts(at(j + 1))}
		})
	r.insert("platform_gate_waivers", "id, gate, rule, subject, reason, created_by, created_at, expires_at", historyRows/4,
		func(i int) []any {
			return []any{historyID(6, i), fmt.Sprintf("gate-%d", i%3), "guards", fmt.Sprintf("svc-%d@v1", i%20), "test", "ops",
				r.ts(at(i)), r.ts(at(i + 3600))}
		})
	kinds := []string{"release", "uat", "security", "drill", "guard", "smoke", "operator", "incident"}
	r.insert("platform_evidence_bundles", "id, kind, subject_name, subject_ref, title, state, created_at, created_by, sealed_at", historyRows/2,
		func(i int) []any {
			return []any{historyID(7, i), kinds[i%len(kinds)], fmt.Sprintf("svc-%d", i%20), "v1", "bundle", "sealed",
				r.ts(at(i)), "ci", r.ts(at(i + 1))}
		})
	r.insert("platform_reconciliation_records", "id, kind, severity, owner, evidence, redacted_paths, state, created_at, created_by, updated_at", historyRows/2,
		func(i int) []any {
			state := "resolved"
			if i%500 == 0 {
				state = "detected"
			}
			return []any{historyID(8, i), "drift", []string{"low", "medium", "high", "critical"}[i%4], "team", "{}", "[]", state,
				r.ts(at(i)), "ops", r.ts(at(i))}
		})
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// checkBackfill proves the projections name the newest row of each group
// of the history written before them, and that reads through them agree
// with the history's own index.
func checkBackfill(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	results, err := db.LatestInvariantResults(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != invariantGroups {
		t.Fatalf("%d latest invariant results, want %d", len(results), invariantGroups)
	}
	for _, r := range results {
		var g, env int
		fmt.Sscanf(r.InvariantID, "INV-T-%03d", &g)
		fmt.Sscanf(r.Environment, "env-%d", &env)
		group := env*20 + g
		newest := group + invariantGroups*((historyRows-1-group)/invariantGroups) // the last row of the group
		if r.ID != historyID(3, newest) {
			t.Errorf("latest of %s %s: %s, want %s", r.InvariantID, r.Environment, r.ID, historyID(3, newest))
		}
	}
	latest, err := db.LatestGateResults(ctx, []string{"gate-0", "gate-1", "gate-2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(latest) != gateGroups {
		t.Fatalf("%d latest gate results, want %d", len(latest), gateGroups)
	}
	for _, r := range latest {
		one, err := db.LatestGateResult(ctx, r.Gate, r.Subject)
		if err != nil || one.ID != r.ID {
			t.Errorf("%s %s: posture reads %s, the history's index %v %v", r.Gate, r.Subject, r.ID, one, err)
		}
	}
	forSubject, err := db.LatestGuardReportsForSubject(ctx, "svc-3@v1")
	if err != nil || len(forSubject) != guardGroups/20 {
		t.Fatalf("latest guard reports of svc-3@v1: %d %v, want %d", len(forSubject), err, guardGroups/20)
	}
	for _, r := range forSubject {
		one, err := db.LatestGuardReport(ctx, r.Guard, r.Subject)
		if err != nil || one.ID != r.ID {
			t.Errorf("%s %s: projection %s, the history's index %v %v", r.Guard, r.Subject, r.ID, one, err)
		}
	}
}

// explain returns the plan the database chose for q: SQLite's EXPLAIN
// QUERY PLAN lines, or PostgreSQL's plan as JSON.
func explain(t *testing.T, db *store.DB, q store.ReadQuery) string {
	t.Helper()
	prefix := "EXPLAIN QUERY PLAN "
	if db.Dialect() == "postgres" {
		// Run, so the plan says how many rows each step read.
		prefix = "EXPLAIN (ANALYZE, FORMAT JSON) "
	}
	rows, err := db.WriteConn().Query(prefix+q.SQL, q.Args...)
	if err != nil {
		t.Fatalf("explain %s: %v", q.Name, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		// SQLite: id, parent, notused, detail; PostgreSQL: one JSON value.
		fmt.Fprintf(&out, "%s\n", vals[len(vals)-1])
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// partialIndexes lists the indexes that cover only some rows: reading one
// whole reads the rows its condition picks, not the history.
func partialIndexes(t *testing.T, db *store.DB) map[string]bool {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'`
	if db.Dialect() == "postgres" {
		q = `SELECT indexrelid::regclass::text FROM pg_index WHERE indpred IS NOT NULL`
	}
	rows, err := db.WriteConn().Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		out[name] = true
	}
	return out
}

// maxHistoryRead is the most rows of one history a read may touch: a
// twentieth of it, far above what a read of the latest rows needs.
const maxHistoryRead = historyRows / 20

// aliases maps the names a statement gives history tables to the tables.
func aliases(query string) map[string]string {
	out := map[string]string{}
	for _, table := range historyTables {
		out[table] = table
		re := regexp.MustCompile(`\b` + table + `\s+(?:AS\s+)?([a-z_][a-z0-9_]*)`)
		for _, m := range re.FindAllStringSubmatch(query, -1) {
			switch strings.ToUpper(m[1]) {
			case "WHERE", "ON", "JOIN", "LEFT", "ORDER", "GROUP", "LIMIT", "USING":
				continue
			}
			out[m[1]] = table
		}
	}
	return out
}

// fullScans names the steps of plan that read a history table whole, or
// much of it. SQLite's plan says how a table is read: SCAN is all of it
// (unless through a partial index, which holds only the rows its
// condition picks). PostgreSQL's, run with ANALYZE, also says how many rows
// each step read, so a range over most of a history fails too.
func fullScans(dialect, query, plan string, partial map[string]bool) []string {
	var out []string
	names := aliases(query)
	if dialect == "sqlite" {
		for _, line := range strings.Split(plan, "\n") {
			f := strings.Fields(line)
			if len(f) < 2 || f[0] != "SCAN" || names[f[1]] == "" {
				continue
			}
			if i := strings.Index(line, "INDEX "); i >= 0 && partial[strings.Fields(line[i+len("INDEX "):])[0]] {
				continue
			}
			out = append(out, line)
		}
		return out
	}
	var nodes []map[string]any
	if err := json.Unmarshal([]byte(plan), &nodes); err != nil {
		return []string{"unreadable plan: " + err.Error()}
	}
	num := func(n map[string]any, key string) float64 { v, _ := n[key].(float64); return v }
	var walk func(n map[string]any)
	walk = func(n map[string]any) {
		rel, _ := n["Relation Name"].(string)
		typ, _ := n["Node Type"].(string)
		idx, _ := n["Index Name"].(string)
		if contains(historyTables, rel) {
			read := (num(n, "Actual Rows") + num(n, "Rows Removed by Filter") + num(n, "Rows Removed by Index Recheck")) * max(1, num(n, "Actual Loops"))
			switch {
			case typ == "Seq Scan":
				out = append(out, "Seq Scan on "+rel)
			case (typ == "Index Scan" || typ == "Index Only Scan") && n["Index Cond"] == nil && !partial[idx]:
				out = append(out, typ+" of all of "+idx+" on "+rel)
			case read > maxHistoryRead:
				out = append(out, fmt.Sprintf("%s on %s read %.0f rows", typ, rel, read))
			}
		}
		if kids, ok := n["Plans"].([]any); ok {
			for _, k := range kids {
				if m, ok := k.(map[string]any); ok {
					walk(m)
				}
			}
		}
		if p, ok := n["Plan"].(map[string]any); ok {
			walk(p)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return out
}
