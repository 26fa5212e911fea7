-- +goose Up
-- A withdrawal takes a subject's latest result of a gate out of the
-- posture. It names the result it withdrew, so a later evaluation, a new
-- result, counts again; one result is withdrawn at most once.
CREATE TABLE platform_gate_withdrawals (
    id           TEXT NOT NULL PRIMARY KEY,
    gate         TEXT NOT NULL,
    subject      TEXT NOT NULL,
    result_id    TEXT NOT NULL UNIQUE REFERENCES platform_release_gate_results (id),
    verdict      TEXT NOT NULL CHECK (verdict IN ('pass', 'block')),
    reason       TEXT NOT NULL,
    withdrawn_by TEXT NOT NULL,
    withdrawn_at TEXT NOT NULL
);
CREATE INDEX platform_gate_withdrawals_subject ON platform_gate_withdrawals (gate, subject, withdrawn_at);
CREATE TRIGGER platform_gate_withdrawals_no_update BEFORE UPDATE ON platform_gate_withdrawals
BEGIN SELECT RAISE(ABORT, 'platform_gate_withdrawals is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER platform_gate_withdrawals_no_delete BEFORE DELETE ON platform_gate_withdrawals
BEGIN SELECT RAISE(ABORT, 'platform_gate_withdrawals is append-only: DELETE is not allowed'); END;
-- REPLACE deletes the row it collides with, on any unique key or the
-- hidden rowid, without firing a delete trigger; refusing the colliding
-- insert first keeps it append-only.
CREATE TRIGGER platform_gate_withdrawals_no_replace BEFORE INSERT ON platform_gate_withdrawals
WHEN EXISTS (SELECT 1 FROM platform_gate_withdrawals WHERE id = NEW.id OR result_id = NEW.result_id OR rowid = NEW.rowid)
BEGIN SELECT RAISE(ABORT, 'platform_gate_withdrawals is append-only: REPLACE is not allowed'); END;

-- +goose Down
DROP TABLE platform_gate_withdrawals;
