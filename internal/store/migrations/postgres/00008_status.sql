-- +goose Up
-- When the component's current status began: kept by the projection, so
-- "degraded since" does not move with every repeated report.
ALTER TABLE platform_status_component_status ADD COLUMN status_since TIMESTAMPTZ;

-- The posture reads the latest result of each gate, whatever the subject.
CREATE INDEX platform_release_gate_results_gate ON platform_release_gate_results (gate, evaluated_at);

-- Readiness snapshots: the posture with its reasons as it stood at one
-- moment, stored whole and never changed.
CREATE TABLE platform_readiness_snapshots (
    id            UUID NOT NULL PRIMARY KEY,
    taken_at      TIMESTAMPTZ NOT NULL,
    taken_by      TEXT NOT NULL,
    cause         TEXT NOT NULL CHECK (cause IN ('manual', 'schedule')),
    note          TEXT NOT NULL DEFAULT '',
    posture       TEXT NOT NULL CHECK (posture IN ('healthy', 'degraded', 'blocked')),
    inputs_digest TEXT NOT NULL,
    body          JSON NOT NULL
);
CREATE INDEX platform_readiness_snapshots_cause ON platform_readiness_snapshots (cause, taken_at);
CREATE TRIGGER platform_readiness_snapshots_append_only BEFORE UPDATE OR DELETE ON platform_readiness_snapshots
    FOR EACH ROW EXECUTE FUNCTION aeso_reject_change();
CREATE TRIGGER platform_readiness_snapshots_no_truncate BEFORE TRUNCATE ON platform_readiness_snapshots
    FOR EACH STATEMENT EXECUTE FUNCTION aeso_reject_change();

-- +goose Down
DROP TABLE platform_readiness_snapshots;
DROP INDEX platform_release_gate_results_gate;
ALTER TABLE platform_status_component_status DROP COLUMN status_since;
