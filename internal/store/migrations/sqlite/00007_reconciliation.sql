-- +goose Up
-- A record's current state is a projection of its transitions, which are
-- appended beside it and never rewritten.
CREATE TABLE platform_reconciliation_records (
    id                TEXT NOT NULL PRIMARY KEY,
    component         TEXT NOT NULL DEFAULT '',
    invariant_id      TEXT NOT NULL DEFAULT '',
    kind              TEXT NOT NULL,
    severity          TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    owner             TEXT NOT NULL,
    correlation_id    TEXT NOT NULL DEFAULT '',
    evidence          TEXT NOT NULL,
    redacted_paths    TEXT NOT NULL,
    state             TEXT NOT NULL,
    next_action       TEXT NOT NULL DEFAULT '',
    next_action_owner TEXT NOT NULL DEFAULT '',
    accepted_until    TEXT,
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    resolved_at       TEXT
);
CREATE INDEX platform_reconciliation_records_open ON platform_reconciliation_records (state, severity);

CREATE TABLE platform_reconciliation_transitions (
    id                TEXT NOT NULL PRIMARY KEY,
    record_id         TEXT NOT NULL REFERENCES platform_reconciliation_records (id),
    from_state        TEXT NOT NULL,
    to_state          TEXT NOT NULL,
    actor             TEXT NOT NULL,
    reason            TEXT NOT NULL DEFAULT '',
    next_action       TEXT NOT NULL DEFAULT '',
    next_action_owner TEXT NOT NULL DEFAULT '',
    accepted_until    TEXT,
    at                TEXT NOT NULL
);
CREATE INDEX platform_reconciliation_transitions_record ON platform_reconciliation_transitions (record_id, at);
CREATE TRIGGER platform_reconciliation_records_no_delete BEFORE DELETE ON platform_reconciliation_records
BEGIN SELECT RAISE(ABORT, 'platform_reconciliation_records: DELETE is not allowed'); END;
CREATE TRIGGER platform_reconciliation_transitions_no_update BEFORE UPDATE ON platform_reconciliation_transitions
BEGIN SELECT RAISE(ABORT, 'platform_reconciliation_transitions is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER platform_reconciliation_transitions_no_delete BEFORE DELETE ON platform_reconciliation_transitions
BEGIN SELECT RAISE(ABORT, 'platform_reconciliation_transitions is append-only: DELETE is not allowed'); END;

-- +goose Down
DROP TABLE platform_reconciliation_transitions;
DROP TABLE platform_reconciliation_records;
