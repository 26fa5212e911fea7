-- +goose Up
-- A withdrawal takes a subject's latest result of a gate out of the
-- posture. It names the result it withdrew, so a later evaluation, a new
-- result, counts again; one result is withdrawn at most once.
CREATE TABLE platform_gate_withdrawals (
    id           UUID NOT NULL PRIMARY KEY,
    gate         TEXT NOT NULL,
    subject      TEXT NOT NULL,
    result_id    UUID NOT NULL UNIQUE REFERENCES platform_release_gate_results (id),
    verdict      TEXT NOT NULL CHECK (verdict IN ('pass', 'block')),
    reason       TEXT NOT NULL,
    withdrawn_by TEXT NOT NULL,
    withdrawn_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX platform_gate_withdrawals_subject ON platform_gate_withdrawals (gate, subject, withdrawn_at);
CREATE TRIGGER platform_gate_withdrawals_append_only BEFORE UPDATE OR DELETE ON platform_gate_withdrawals
    FOR EACH ROW EXECUTE FUNCTION aeso_reject_change();
CREATE TRIGGER platform_gate_withdrawals_no_truncate BEFORE TRUNCATE ON platform_gate_withdrawals
    FOR EACH STATEMENT EXECUTE FUNCTION aeso_reject_change();
-- ALWAYS: the triggers fire under session_replication_role = replica too.
ALTER TABLE platform_gate_withdrawals ENABLE ALWAYS TRIGGER platform_gate_withdrawals_append_only;
ALTER TABLE platform_gate_withdrawals ENABLE ALWAYS TRIGGER platform_gate_withdrawals_no_truncate;

-- +goose Down
DROP TABLE platform_gate_withdrawals;
