-- +goose Up
-- Every status a component pushed, kept as history.
CREATE TABLE platform_status_component_history (
    id             TEXT NOT NULL PRIMARY KEY,
    component      TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('healthy', 'degraded', 'down', 'unknown')),
    detail         TEXT NOT NULL DEFAULT '',
    source         TEXT NOT NULL,
    source_url     TEXT NOT NULL DEFAULT '',
    observed_at    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    correlation_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX platform_status_component_history_component ON platform_status_component_history (component, id);

-- The latest status per component: a projection of the history beside it,
-- overwritten by each newer report (an older one arriving late does not
-- move it back).
CREATE TABLE platform_status_component_status (
    component      TEXT NOT NULL PRIMARY KEY,
    report_id      TEXT NOT NULL,
    status         TEXT NOT NULL,
    detail         TEXT NOT NULL DEFAULT '',
    source         TEXT NOT NULL,
    source_url     TEXT NOT NULL DEFAULT '',
    observed_at    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    correlation_id TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER platform_status_component_history_no_update BEFORE UPDATE ON platform_status_component_history
BEGIN SELECT RAISE(ABORT, 'platform_status_component_history is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER platform_status_component_history_no_delete BEFORE DELETE ON platform_status_component_history
BEGIN SELECT RAISE(ABORT, 'platform_status_component_history is append-only: DELETE is not allowed'); END;

-- +goose Down
DROP TABLE platform_status_component_status;
DROP TABLE platform_status_component_history;
