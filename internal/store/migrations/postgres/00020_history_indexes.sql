-- +goose Up
-- The posture and the "latest" reads answer from the newest row of each
-- group (gate and subject, guard and subject, invariant and environment).
-- Found by scanning the history, their cost grew with every result kept;
-- these projections name that row instead, updated in the transaction that
-- adds a newer one, so the reads cost what the groups cost, not the history.
-- The history itself stays append-only beside them.
CREATE TABLE platform_gate_result_latest (
    gate         TEXT NOT NULL,
    subject      TEXT NOT NULL,
    result_id    UUID NOT NULL REFERENCES platform_release_gate_results (id),
    evaluated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (gate, subject)
);
CREATE TABLE platform_guard_report_latest (
    guard       TEXT NOT NULL,
    subject     TEXT NOT NULL,
    report_id   UUID NOT NULL REFERENCES platform_guard_report_summaries (id),
    observed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (guard, subject)
);
CREATE INDEX platform_guard_report_latest_subject ON platform_guard_report_latest (subject, guard);
CREATE TABLE platform_invariant_result_latest (
    invariant_id TEXT NOT NULL,
    environment  TEXT NOT NULL,
    result_id    UUID NOT NULL REFERENCES platform_product_invariant_results (id),
    observed_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (invariant_id, environment)
);

INSERT INTO platform_gate_result_latest (gate, subject, result_id, evaluated_at)
SELECT gate, subject, id, evaluated_at FROM (SELECT gate, subject, id, evaluated_at,
    ROW_NUMBER() OVER (PARTITION BY gate, subject ORDER BY evaluated_at DESC, id DESC) AS rn
    FROM platform_release_gate_results) r WHERE rn = 1;
INSERT INTO platform_guard_report_latest (guard, subject, report_id, observed_at)
SELECT guard, subject, id, observed_at FROM (SELECT guard, subject, id, observed_at,
    ROW_NUMBER() OVER (PARTITION BY guard, subject ORDER BY observed_at DESC, id DESC) AS rn
    FROM platform_guard_report_summaries) r WHERE rn = 1;
INSERT INTO platform_invariant_result_latest (invariant_id, environment, result_id, observed_at)
SELECT invariant_id, environment, id, observed_at FROM (SELECT invariant_id, environment, id, observed_at,
    ROW_NUMBER() OVER (PARTITION BY invariant_id, environment ORDER BY observed_at DESC, id DESC) AS rn
    FROM platform_product_invariant_results) r WHERE rn = 1;

-- "Newest first" within a group breaks ties by id: with the id in the
-- index, the newest row is the index's last entry, read without a sort.
CREATE INDEX platform_release_gate_results_newest ON platform_release_gate_results (gate, subject, evaluated_at, id);
DROP INDEX platform_release_gate_results_latest;
CREATE INDEX platform_guard_report_summaries_newest ON platform_guard_report_summaries (guard, subject, observed_at, id);
DROP INDEX platform_guard_report_summaries_latest;
CREATE INDEX platform_product_invariant_results_newest ON platform_product_invariant_results (invariant_id, environment, observed_at, id);
DROP INDEX platform_product_invariant_results_latest;

-- The standing bundle of a kind, the open reconciliation records and the
-- active waivers of a gate, read by every posture.
CREATE INDEX platform_evidence_bundles_standing ON platform_evidence_bundles (kind, sealed_at, id);
CREATE INDEX platform_reconciliation_records_unresolved ON platform_reconciliation_records (severity, id) WHERE state <> 'resolved';
CREATE INDEX platform_gate_waivers_active ON platform_gate_waivers (gate, expires_at);

-- +goose Down
DROP INDEX platform_gate_waivers_active;
DROP INDEX platform_reconciliation_records_unresolved;
DROP INDEX platform_evidence_bundles_standing;
CREATE INDEX platform_product_invariant_results_latest ON platform_product_invariant_results (invariant_id, environment, observed_at);
DROP INDEX platform_product_invariant_results_newest;
CREATE INDEX platform_guard_report_summaries_latest ON platform_guard_report_summaries (guard, subject, observed_at);
DROP INDEX platform_guard_report_summaries_newest;
CREATE INDEX platform_release_gate_results_latest ON platform_release_gate_results (gate, subject, evaluated_at);
DROP INDEX platform_release_gate_results_newest;
DROP TABLE platform_invariant_result_latest;
DROP TABLE platform_guard_report_latest;
DROP TABLE platform_gate_result_latest;
