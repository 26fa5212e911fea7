-- +goose Up
-- A record's current state is a projection of its transitions, which are
-- appended beside it and never rewritten.
CREATE TABLE platform_reconciliation_records (
    id                UUID NOT NULL PRIMARY KEY,
    component         TEXT NOT NULL DEFAULT '',
    invariant_id      TEXT NOT NULL DEFAULT '',
    kind              TEXT NOT NULL,
    severity          TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    owner             TEXT NOT NULL,
    correlation_id    TEXT NOT NULL DEFAULT '',
    evidence          JSON NOT NULL,
    redacted_paths    JSON NOT NULL,
    state             TEXT NOT NULL,
    next_action       TEXT NOT NULL DEFAULT '',
    next_action_owner TEXT NOT NULL DEFAULT '',
    accepted_until    TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL,
    created_by        TEXT NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    resolved_at       TIMESTAMPTZ
);
CREATE INDEX platform_reconciliation_records_open ON platform_reconciliation_records (state, severity);

CREATE TABLE platform_reconciliation_transitions (
    id                UUID NOT NULL PRIMARY KEY,
    record_id         UUID NOT NULL REFERENCES platform_reconciliation_records (id),
    from_state        TEXT NOT NULL,
    to_state          TEXT NOT NULL,
    actor             TEXT NOT NULL,
    reason            TEXT NOT NULL DEFAULT '',
    next_action       TEXT NOT NULL DEFAULT '',
    next_action_owner TEXT NOT NULL DEFAULT '',
    accepted_until    TIMESTAMPTZ,
    at                TIMESTAMPTZ NOT NULL
);
CREATE INDEX platform_reconciliation_transitions_record ON platform_reconciliation_transitions (record_id, at);
CREATE TRIGGER platform_reconciliation_records_no_delete BEFORE DELETE ON platform_reconciliation_records
    FOR EACH ROW EXECUTE FUNCTION aeso_reject_change();
CREATE TRIGGER platform_reconciliation_transitions_append_only BEFORE UPDATE OR DELETE ON platform_reconciliation_transitions
    FOR EACH ROW EXECUTE FUNCTION aeso_reject_change();
CREATE TRIGGER platform_reconciliation_transitions_no_truncate BEFORE TRUNCATE ON platform_reconciliation_transitions
    FOR EACH STATEMENT EXECUTE FUNCTION aeso_reject_change();

-- +goose Down
DROP TABLE platform_reconciliation_transitions;
DROP TABLE platform_reconciliation_records;
