-- +goose Up
-- What each invariant ID has meant, so an ID cannot quietly change meaning
-- across restarts and a retired ID keeps its history.
CREATE TABLE platform_invariant_definitions (
    id          TEXT    NOT NULL PRIMARY KEY,
    title       TEXT    NOT NULL,
    owner       TEXT    NOT NULL,
    severity    TEXT    NOT NULL,
    critical    INTEGER NOT NULL,
    required    INTEGER NOT NULL,
    max_age_ms  INTEGER NOT NULL,
    first_seen  TEXT    NOT NULL,
    retired_at  TEXT
);
CREATE TRIGGER platform_invariant_definitions_title BEFORE UPDATE ON platform_invariant_definitions
WHEN NEW.title IS NOT OLD.title OR NEW.id IS NOT OLD.id
BEGIN SELECT RAISE(ABORT, 'platform_invariant_definitions: an ID keeps its title'); END;
CREATE TRIGGER platform_invariant_definitions_no_delete BEFORE DELETE ON platform_invariant_definitions
BEGIN SELECT RAISE(ABORT, 'platform_invariant_definitions: DELETE is not allowed'); END;

CREATE TABLE platform_product_invariant_results (
    id             TEXT NOT NULL PRIMARY KEY,
    invariant_id   TEXT NOT NULL REFERENCES platform_invariant_definitions (id),
    status         TEXT NOT NULL CHECK (status IN ('pass', 'fail', 'error')),
    environment    TEXT NOT NULL,
    observed_at    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    correlation_id TEXT NOT NULL DEFAULT '',
    bundle_id      TEXT NOT NULL DEFAULT '',
    item_id        TEXT NOT NULL DEFAULT '',
    details        TEXT NOT NULL DEFAULT '{}',
    redacted_paths TEXT NOT NULL DEFAULT '[]',
    source         TEXT NOT NULL
);
CREATE INDEX platform_product_invariant_results_latest
    ON platform_product_invariant_results (invariant_id, environment, observed_at);
CREATE TRIGGER platform_product_invariant_results_no_update BEFORE UPDATE ON platform_product_invariant_results
BEGIN SELECT RAISE(ABORT, 'platform_product_invariant_results is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER platform_product_invariant_results_no_delete BEFORE DELETE ON platform_product_invariant_results
BEGIN SELECT RAISE(ABORT, 'platform_product_invariant_results is append-only: DELETE is not allowed'); END;

-- +goose Down
DROP TABLE platform_product_invariant_results;
DROP TABLE platform_invariant_definitions;
