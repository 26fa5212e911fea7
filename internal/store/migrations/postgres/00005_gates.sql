-- +goose Up
CREATE TABLE platform_release_gate_results (
    id              UUID NOT NULL PRIMARY KEY,
    gate            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    verdict         TEXT NOT NULL CHECK (verdict IN ('pass', 'block')),
    warnings        JSON NOT NULL,
    reasons         JSON NOT NULL,
    inputs_digest   TEXT NOT NULL,
    ruleset_version TEXT NOT NULL,
    evaluator       TEXT NOT NULL,
    evaluated_at    TIMESTAMPTZ NOT NULL,
    correlation_id  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX platform_release_gate_results_latest ON platform_release_gate_results (gate, subject, evaluated_at);

CREATE TABLE platform_gate_waivers (
    id         UUID NOT NULL PRIMARY KEY,
    gate       TEXT NOT NULL,
    rule       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    reason     TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX platform_gate_waivers_subject ON platform_gate_waivers (gate, subject, expires_at);
CREATE TRIGGER platform_release_gate_results_append_only BEFORE UPDATE OR DELETE ON platform_release_gate_results
    FOR EACH ROW EXECUTE FUNCTION aeso_reject_change();
CREATE TRIGGER platform_release_gate_results_no_truncate BEFORE TRUNCATE ON platform_release_gate_results
    FOR EACH STATEMENT EXECUTE FUNCTION aeso_reject_change();
CREATE TRIGGER platform_gate_waivers_append_only BEFORE UPDATE OR DELETE ON platform_gate_waivers
    FOR EACH ROW EXECUTE FUNCTION aeso_reject_change();
CREATE TRIGGER platform_gate_waivers_no_truncate BEFORE TRUNCATE ON platform_gate_waivers
    FOR EACH STATEMENT EXECUTE FUNCTION aeso_reject_change();

-- +goose Down
DROP TABLE platform_gate_waivers;
DROP TABLE platform_release_gate_results;
