-- +goose Up
CREATE TABLE platform_release_gate_results (
    id              TEXT NOT NULL PRIMARY KEY,
    gate            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    verdict         TEXT NOT NULL CHECK (verdict IN ('pass', 'block')),
    warnings        TEXT NOT NULL,
    reasons         TEXT NOT NULL,
    inputs_digest   TEXT NOT NULL,
    ruleset_version TEXT NOT NULL,
    evaluator       TEXT NOT NULL,
    evaluated_at    TEXT NOT NULL,
    correlation_id  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX platform_release_gate_results_latest ON platform_release_gate_results (gate, subject, evaluated_at);

CREATE TABLE platform_gate_waivers (
    id         TEXT NOT NULL PRIMARY KEY,
    gate       TEXT NOT NULL,
    rule       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    reason     TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX platform_gate_waivers_subject ON platform_gate_waivers (gate, subject, expires_at);
CREATE TRIGGER platform_release_gate_results_no_update BEFORE UPDATE ON platform_release_gate_results
BEGIN SELECT RAISE(ABORT, 'platform_release_gate_results is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER platform_release_gate_results_no_delete BEFORE DELETE ON platform_release_gate_results
BEGIN SELECT RAISE(ABORT, 'platform_release_gate_results is append-only: DELETE is not allowed'); END;
CREATE TRIGGER platform_gate_waivers_no_update BEFORE UPDATE ON platform_gate_waivers
BEGIN SELECT RAISE(ABORT, 'platform_gate_waivers is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER platform_gate_waivers_no_delete BEFORE DELETE ON platform_gate_waivers
BEGIN SELECT RAISE(ABORT, 'platform_gate_waivers is append-only: DELETE is not allowed'); END;

-- +goose Down
DROP TABLE platform_gate_waivers;
DROP TABLE platform_release_gate_results;
