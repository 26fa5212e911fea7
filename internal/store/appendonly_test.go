package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso/internal/testdb"
)

// guardedTable is a table the database itself protects. tamper is a text
// column a rewrite would change; mutable tables (whose rows change by
// design but are never deleted or replaced) are not tried with UPDATE.
type guardedTable struct {
	name    string
	tamper  string
	mutable bool
}

// guardedTables lists every table with a trigger that refuses changes. The
// test fails when the schema guards a table this list does not name, so a
// new append-only table is covered here or the suite says so.
var guardedTables = []guardedTable{
	{name: "audit_logs", tamper: "action"},
	{name: "audit_display_names", tamper: "actor_display_name"},
	{name: "audit_tree_runs", tamper: "hashes"},
	{name: "platform_evidence_bundles", tamper: "title"},
	{name: "platform_evidence_items", tamper: "name"},
	{name: "platform_evidence_promotions", tamper: "reason"},
	{name: "platform_invariant_definitions", tamper: "title"},
	{name: "platform_product_invariant_results", tamper: "environment"},
	{name: "platform_guard_report_summaries", tamper: "subject"},
	{name: "platform_release_gate_results", tamper: "subject"},
	{name: "platform_gate_waivers", tamper: "reason"},
	{name: "platform_gate_withdrawals", tamper: "reason"},
	{name: "platform_status_component_history", tamper: "detail"},
	{name: "platform_reconciliation_records", tamper: "owner", mutable: true},
	{name: "platform_reconciliation_transitions", tamper: "reason"},
	{name: "platform_readiness_snapshots", tamper: "note"},
}

// Fixed ids, ascending, so "the first row" of a table is a known one: the
// first bundle is sealed, the last open.
const (
	bundle1 = "00000000-0000-4000-8000-000000000b01"
	bundle2 = "00000000-0000-4000-8000-000000000b02"
	bundle3 = "00000000-0000-4000-8000-000000000b03"
	record1 = "00000000-0000-4000-8000-000000000c01"
	record2 = "00000000-0000-4000-8000-000000000c02"
	when    = "'2026-11-23T12:00:00.000000Z'"
)

// seedGuarded writes rows as aeso writes them: a sealed bundle with an item
// and a promotion, superseded by a second sealed bundle, a third still
// open; an invariant with a result; two reconciliation records, the first
// with a transition; one row in every other table.
var seedGuarded = []string{
	`INSERT INTO audit_logs (seq, id, actor_user_id, action, target_type, target_id, result, occurred_at, recorded_at, source)
		VALUES (1, '00000000-0000-4000-8000-000000000a01', 'alice', 'credentials.api_key.rotate', 'api_key', 'key-1', 'success', ` + when + `, ` + when + `, 'ci')`,
	`UPDATE audit_seq SET last_seq = 1`,
	`INSERT INTO audit_display_names (seq, actor_display_name, target_display_name) VALUES (1, 'Alice Example', 'deploy key')`,
	`INSERT INTO platform_evidence_bundles (id, kind, subject_name, subject_ref, title, state, created_at, created_by)
		VALUES ('` + bundle1 + `', 'release', 'shop', 'v1.0.0', 'Release shop v1.0.0', 'open', ` + when + `, 'ci')`,
	`INSERT INTO platform_evidence_items (id, bundle_id, position, type, name, result, counts, observed_at, created_at, created_by)
		VALUES ('00000000-0000-4000-8000-000000000d01', '` + bundle1 + `', 1, 'test', 'unit tests', 'pass',
		'{"total":3,"passed":3}', ` + when + `, ` + when + `, 'ci')`,
	`UPDATE platform_evidence_bundles SET state = 'sealed', sealed_at = ` + when + `, sealed_by = 'ci',
		digest = 'sha256:0a1b', document = '{}' WHERE id = '` + bundle1 + `'`,
	`INSERT INTO platform_evidence_promotions (id, bundle_id, stage, reason, digest, promoted_at, promoted_by)
		VALUES ('00000000-0000-4000-8000-000000000e01', '` + bundle1 + `', 'production', 'approved', 'sha256:0a1b', ` + when + `, 'ci')`,
	`INSERT INTO platform_evidence_bundles (id, kind, subject_name, subject_ref, title, state, created_at, created_by, supersedes, supersede_reason)
		VALUES ('` + bundle2 + `', 'release', 'shop', 'v1.0.0', 'Release shop v1.0.0, corrected', 'open', ` + when + `, 'ci', '` + bundle1 + `', 'wrong test run')`,
	`UPDATE platform_evidence_bundles SET superseded_by = '` + bundle2 + `' WHERE id = '` + bundle1 + `'`,
	`UPDATE platform_evidence_bundles SET state = 'sealed', sealed_at = ` + when + `, sealed_by = 'ci',
		digest = 'sha256:0c2d', document = '{}' WHERE id = '` + bundle2 + `'`,
	`INSERT INTO platform_evidence_bundles (id, kind, subject_name, subject_ref, title, state, created_at, created_by)
		VALUES ('` + bundle3 + `', 'uat', 'shop', 'v1.0.1', 'UAT shop v1.0.1', 'open', ` + when + `, 'ci')`,
	// The open bundle's item sorts first, so upserts reach the UPDATE guard
	// rather than stopping at "the bundle is sealed".
	`INSERT INTO platform_evidence_items (id, bundle_id, position, type, name, result, counts, observed_at, created_at, created_by)
		VALUES ('00000000-0000-4000-8000-000000000d00', '` + bundle3 + `', 1, 'test', 'uat run', 'pass',
		'{"total":1,"passed":1}', ` + when + `, ` + when + `, 'ci')`,
	`INSERT INTO platform_invariant_definitions (id, title, owner, severity, critical, required, max_age_ms, first_seen)
		VALUES ('INV-BILLING-001', 'Invoices balance', 'billing', 'high', true, true, 86400000, ` + when + `)`,
	`INSERT INTO platform_invariant_definitions (id, title, owner, severity, critical, required, max_age_ms, first_seen)
		VALUES ('INV-BILLING-002', 'Refunds reach the ledger', 'billing', 'medium', false, true, 86400000, ` + when + `)`,
	`INSERT INTO platform_product_invariant_results (id, invariant_id, status, environment, observed_at, recorded_at, source)
		VALUES ('00000000-0000-4000-8000-000000000f01', 'INV-BILLING-001', 'pass', 'production', ` + when + `, ` + when + `, 'ci')`,
	`INSERT INTO platform_guard_report_summaries (id, guard, subject, mode, counts, findings, observed_at, recorded_at, source)
		VALUES ('00000000-0000-4000-8000-000000001001', 'gosec', 'shop@v1.0.0', 'blocking', '{"total":0}', '[]', ` + when + `, ` + when + `, 'ci')`,
	`INSERT INTO platform_release_gate_results (id, gate, subject, verdict, warnings, reasons, inputs_digest, ruleset_version, evaluator, evaluated_at)
		VALUES ('00000000-0000-4000-8000-000000001101', 'release', 'shop@v1.0.0', 'pass', '[]', '[]', 'sha256:1e', 'v1', 'ci', ` + when + `)`,
	`INSERT INTO platform_gate_waivers (id, gate, rule, subject, reason, created_by, created_at, expires_at)
		VALUES ('00000000-0000-4000-8000-000000001201', 'release', 'guard:gosec', 'shop@v1.0.0', 'false positive', 'alice', ` + when + `, ` + when + `)`,
	`INSERT INTO platform_gate_withdrawals (id, gate, subject, result_id, verdict, reason, withdrawn_by, withdrawn_at)
		VALUES ('00000000-0000-4000-8000-000000001701', 'release', 'shop@v1.0.0', '00000000-0000-4000-8000-000000001101', 'pass', 'abandoned', 'alice', ` + when + `)`,
	`INSERT INTO platform_status_component_history (id, component, status, detail, source, observed_at, recorded_at)
		VALUES ('00000000-0000-4000-8000-000000001301', 'api', 'healthy', 'all good', 'probe', ` + when + `, ` + when + `)`,
	`INSERT INTO platform_reconciliation_records (id, kind, severity, owner, evidence, redacted_paths, state, created_at, created_by, updated_at)
		VALUES ('` + record1 + `', 'drift', 'high', 'billing', '{}', '[]', 'open', ` + when + `, 'ci', ` + when + `)`,
	`INSERT INTO platform_reconciliation_records (id, kind, severity, owner, evidence, redacted_paths, state, created_at, created_by, updated_at)
		VALUES ('` + record2 + `', 'drift', 'low', 'billing', '{}', '[]', 'open', ` + when + `, 'ci', ` + when + `)`,
	`INSERT INTO platform_reconciliation_transitions (id, record_id, from_state, to_state, actor, reason, at)
		VALUES ('00000000-0000-4000-8000-000000001501', '` + record1 + `', 'open', 'investigating', 'alice', 'looking', ` + when + `)`,
	`INSERT INTO platform_readiness_snapshots (id, taken_at, taken_by, cause, note, posture, inputs_digest, body)
		VALUES ('00000000-0000-4000-8000-000000001601', ` + when + `, 'alice', 'manual', 'before release', 'healthy', 'sha256:2f', '{}')`,
}

// seedTree stores the one-leaf tree's hash; a blob literal is written
// differently in each dialect.
var seedTree = map[string]string{
	"sqlite":   `INSERT INTO audit_tree_runs (first_idx, hashes) VALUES (0, zeroblob(32))`,
	"postgres": `INSERT INTO audit_tree_runs (first_idx, hashes) VALUES (0, decode(repeat('00', 32), 'hex'))`,
}

// refusal says whether err is one of the guards' refusals of table (and
// not, say, a unique or foreign key error that merely happened first).
func refusal(err error, table string) bool {
	if err == nil {
		return false
	}
	m := err.Error()
	return strings.Contains(m, table) && (strings.Contains(m, "not allowed") ||
		strings.Contains(m, "cannot change") || strings.Contains(m, "keeps its title"))
}

func TestEveryWayToRewriteAGuardedRowIsRefused(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		db := open(t, tg)
		ctx := context.Background()
		for _, q := range append(seedGuarded, seedTree[tg.Dialect]) {
			if err := db.Exec(ctx, q); err != nil {
				t.Fatalf("seed: %v\n%s", err, q)
			}
		}
		conn := db.WriteConn()
		if got, want := triggerTables(t, conn, tg.Dialect), listedTables(); got != want {
			t.Fatalf("tables with guard triggers: %s\ntables this test tries:     %s\n(add the new table to guardedTables)", got, want)
		}
		if tg.Dialect == "postgres" {
			requireAlwaysTriggers(t, conn)
		}

		refused := 0
		try := func(t *testing.T, exec func(string) error, table guardedTable, q string) {
			t.Helper()
			before := rows(t, conn, table.name)
			err := exec(q)
			if !refusal(err, table.name) {
				t.Errorf("%s\n  err = %v; want the guard of %s to refuse it", q, err, table.name)
			} else {
				refused++
			}
			if after := rows(t, conn, table.name); after != before {
				t.Errorf("%s\n  changed %s:\n  before %s\n  after  %s", q, table.name, before, after)
			}
		}
		plain := func(q string) error { return db.Exec(ctx, q) }
		for _, table := range guardedTables {
			for _, q := range statements(t, conn, tg.Dialect, table) {
				try(t, plain, table, q)
			}
		}
		direct := refused
		if tg.Dialect == "sqlite" {
			// UPDATE OR REPLACE onto another row's key would delete that
			// row without a DELETE trigger.
			bundles, records := guarded(t, "platform_evidence_bundles"), guarded(t, "platform_reconciliation_records")
			try(t, plain, bundles, `UPDATE OR REPLACE platform_evidence_bundles SET id = '`+bundle1+`' WHERE id = '`+bundle3+`'`)
			try(t, plain, bundles, `UPDATE OR REPLACE platform_evidence_bundles SET supersedes = '`+bundle1+`' WHERE id = '`+bundle3+`'`)
			try(t, plain, records, `UPDATE OR REPLACE platform_reconciliation_records SET id = '`+record1+`' WHERE id = '`+record2+`'`)
			// An upsert whose insert passes (same title) reaches its UPDATE,
			// which the UPDATE guard refuses.
			try(t, plain, guarded(t, "platform_invariant_definitions"), `INSERT INTO platform_invariant_definitions SELECT * FROM platform_invariant_definitions
				WHERE true ON CONFLICT DO UPDATE SET title = 'tampered'`)
		} else {
			// A replica-mode session skips triggers that are not ALWAYS.
			c, err := conn.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.ExecContext(ctx, `SET session_replication_role = replica`); err != nil {
				t.Fatal(err)
			}
			replica := func(q string) error { _, err := c.ExecContext(ctx, q); return err }
			for _, table := range guardedTables {
				for _, q := range statements(t, conn, tg.Dialect, table) {
					try(t, replica, table, q)
				}
			}
			if _, err := c.ExecContext(ctx, `RESET session_replication_role`); err != nil {
				t.Fatal(err)
			}
		}
		extra := "UPDATE OR REPLACE onto another row's key or an upsert's UPDATE"
		if tg.Dialect == "postgres" {
			extra = "in a replica-mode session"
		}
		t.Logf("%s: %d statements refused over %d tables, %d of them %s", tg.Dialect, refused, len(guardedTables), refused-direct, extra)
	})
}

// statements returns every statement that would rewrite or remove a row of
// the table: UPDATE, DELETE, and for each of its unique keys REPLACE,
// INSERT OR REPLACE, upserts, INSERT OR IGNORE (SQLite, where the hidden
// rowid is a key too, and an UPDATE may move a row to another rowid); TRUNCATE and
// upserts (PostgreSQL).
func statements(t *testing.T, conn *sql.DB, dialect string, table guardedTable) []string {
	t.Helper()
	n := table.name
	var out []string
	if !table.mutable {
		out = append(out, fmt.Sprintf(`UPDATE %s SET %s = 'tampered'`, n, table.tamper))
		if dialect == "sqlite" {
			out = append(out, fmt.Sprintf(`UPDATE OR REPLACE %s SET %s = 'tampered'`, n, table.tamper))
		}
	}
	out = append(out, `DELETE FROM `+n)
	cols, types := columns(t, conn, dialect, n)
	keys := uniqueKeys(t, conn, dialect, n)
	if dialect == "sqlite" && hiddenRowid(t, conn, n) {
		// The rowid is a unique key pragma_table_info does not list: a
		// REPLACE that collides on it alone deletes the row it takes.
		keys = append(keys, []string{"rowid"})
		out = append(out,
			fmt.Sprintf(`UPDATE OR REPLACE %s SET rowid = (SELECT MIN(rowid) FROM %s) WHERE rowid = (SELECT MAX(rowid) FROM %s)`, n, n, n),
			fmt.Sprintf(`UPDATE %s SET rowid = rowid + 1000`, n))
	}
	for _, key := range keys {
		where := strings.Join(key, " IS NOT NULL AND ") + " IS NOT NULL"
		if dialect == "postgres" {
			if table.mutable {
				continue // the upsert's UPDATE is an UPDATE, allowed here
			}
			// A copy of a stored row takes the upsert's UPDATE path.
			out = append(out, fmt.Sprintf(`INSERT INTO %s SELECT * FROM %s WHERE %s ORDER BY 1 LIMIT 1
				ON CONFLICT (%s) DO UPDATE SET %s = 'tampered'`, n, n, where, strings.Join(key, ", "), table.tamper))
			continue
		}
		// A row that collides with a stored one on this key only, with the
		// tamper column changed.
		cols, types := cols, types
		if contains(key, "rowid") {
			cols, types = append([]string{"rowid"}, cols...), append([]string{"INTEGER"}, types...)
		}
		exprs := make([]string, len(cols))
		for i, c := range cols {
			switch {
			case c == table.tamper:
				exprs[i] = `'tampered'`
			case contains(key, c) || !inAnyKey(t, conn, dialect, n, c):
				exprs[i] = c
			case strings.Contains(strings.ToUpper(types[i]), "INT"):
				exprs[i] = c + " + 1000"
			default:
				exprs[i] = c + " || '-other'"
			}
		}
		sel := fmt.Sprintf(`(%s) SELECT %s FROM %s WHERE %s ORDER BY 1 LIMIT 1`, strings.Join(cols, ", "), strings.Join(exprs, ", "), n, where)
		out = append(out,
			`REPLACE INTO `+n+` `+sel,
			`INSERT OR REPLACE INTO `+n+` `+sel,
			`INSERT INTO `+n+` `+sel+` ON CONFLICT DO UPDATE SET `+table.tamper+` = excluded.`+table.tamper,
			`INSERT OR IGNORE INTO `+n+` `+sel,
			`INSERT INTO `+n+` `+sel+` ON CONFLICT DO NOTHING`,
		)
	}
	if dialect == "postgres" {
		out = append(out, `TRUNCATE `+n+` CASCADE`)
	}
	return out
}
