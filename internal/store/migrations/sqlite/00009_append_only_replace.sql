-- +goose Up
-- REPLACE (INSERT OR REPLACE, REPLACE INTO, UPDATE OR REPLACE) deletes the
-- row in its way without firing a DELETE trigger, and an upsert's insert
-- runs before its UPDATE. So an append-only table also refuses an insert
-- whose primary key or any unique key is already stored, the hidden rowid
-- included: a table with a TEXT primary key still has one, and a REPLACE
-- that names a stored rowid takes that row. (audit_logs and
-- audit_display_names have an INTEGER primary key, seq, which is their
-- rowid; no aeso table is WITHOUT ROWID.) aeso never names a rowid, and
-- an insert that does not has none stored yet. This refuses
-- INSERT OR IGNORE and ON CONFLICT DO NOTHING of a stored key too: a
-- trigger cannot tell them from REPLACE, aeso never writes a stored key,
-- and a refused no-op loses nothing.
-- +goose StatementBegin
CREATE TRIGGER audit_logs_no_replace BEFORE INSERT ON audit_logs
WHEN EXISTS (SELECT 1 FROM audit_logs WHERE seq = NEW.seq) OR EXISTS (SELECT 1 FROM audit_logs WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'audit_logs is append-only: REPLACE or upsert of a stored row is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_display_names_no_replace BEFORE INSERT ON audit_display_names
WHEN EXISTS (SELECT 1 FROM audit_display_names WHERE seq = NEW.seq)
BEGIN
    SELECT RAISE(ABORT, 'audit_display_names is append-only: REPLACE or upsert of a stored row is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER platform_evidence_bundles_no_replace BEFORE INSERT ON platform_evidence_bundles
WHEN EXISTS (SELECT 1 FROM platform_evidence_bundles WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM platform_evidence_bundles WHERE supersedes = NEW.supersedes) OR EXISTS (SELECT 1 FROM platform_evidence_bundles WHERE rowid = NEW.rowid)
BEGIN
    SELECT RAISE(ABORT, 'platform_evidence_bundles is append-only: REPLACE or upsert of a stored row is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER platform_evidence_items_no_replace BEFORE INSERT ON platform_evidence_items
WHEN EXISTS (SELECT 1 FROM platform_evidence_items WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM platform_evidence_items WHERE bundle_id = NEW.bundle_id AND position = NEW.position) OR EXISTS (SELECT 1 FROM platform_evidence_items WHERE rowid = NEW.rowid)
BEGIN
    SELECT RAISE(ABORT, 'platform_evidence_items is append-only: REPLACE or upsert of a stored row is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER platform_evidence_promotions_no_replace BEFORE INSERT ON platform_evidence_promotions
WHEN EXISTS (SELECT 1 FROM platform_evidence_promotions WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM platform_evidence_promotions WHERE bundle_id = NEW.bundle_id AND stage = NEW.stage) OR EXISTS (SELECT 1 FROM platform_evidence_promotions WHERE rowid = NEW.rowid)
BEGIN
    SELECT RAISE(ABORT, 'platform_evidence_promotions is append-only: REPLACE or upsert of a stored row is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER platform_product_invariant_results_no_replace BEFORE INSERT ON platform_product_invariant_results
WHEN EXISTS (SELECT 1 FROM platform_product_invariant_results WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM platform_product_invariant_results WHERE rowid = NEW.rowid)
BEGIN
    SELECT RAISE(ABORT, 'platform_product_invariant_results is append-only: REPLACE or upsert of a stored row is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER platform_guard_report_summaries_no_replace BEFORE INSERT ON platform_guard_report_summaries
WHEN EXISTS (SELECT 1 FROM platform_guard_report_summaries WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM platform_guard_report_summaries WHERE rowid = NEW.rowid)
BEGIN
    SELECT RAISE(ABORT, 'platform_guard_report_summaries is append-only: REPLACE or upsert of a stored row is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER platform_release_gate_results_no_replace BEFORE INSERT ON platform_release_gate_results
WHEN EXISTS (SELECT 1 FROM platform_release_gate_results WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM platform_release_gate_results WHERE rowid = NEW.rowid)
BEGIN
    SELECT RAISE(ABORT, 'platform_release_gate_results is append-only: REPLACE or upsert of a stored row is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER platform_gate_waivers_no_replace BEFORE INSERT ON platform_gate_waivers
WHEN EXISTS (SELECT 1 FROM platform_gate_waivers WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM platform_gate_waivers WHERE rowid = NEW.rowid)
BEGIN
    SELECT RAISE(ABORT, 'platform_gate_waivers is append-only: REPLACE or upsert of a stored row is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER platform_status_component_history_no_replace BEFORE INSERT ON platform_status_component_history
WHEN EXISTS (SELECT 1 FROM platform_status_component_history WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM platform_status_component_history WHERE rowid = NEW.rowid)
BEGIN
    SELECT RAISE(ABORT, 'platform_status_component_history is append-only: REPLACE or upsert of a stored row is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER platform_reconciliation_records_no_replace BEFORE INSERT ON platform_reconciliation_records
WHEN EXISTS (SELECT 1 FROM platform_reconciliation_records WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM platform_reconciliation_records WHERE rowid = NEW.rowid)
BEGIN
    SELECT RAISE(ABORT, 'platform_reconciliation_records: REPLACE or upsert of a stored row is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER platform_reconciliation_transitions_no_replace BEFORE INSERT ON platform_reconciliation_transitions
WHEN EXISTS (SELECT 1 FROM platform_reconciliation_transitions WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM platform_reconciliation_transitions WHERE rowid = NEW.rowid)
BEGIN
    SELECT RAISE(ABORT, 'platform_reconciliation_transitions is append-only: REPLACE or upsert of a stored row is not allowed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER platform_readiness_snapshots_no_replace BEFORE INSERT ON platform_readiness_snapshots
WHEN EXISTS (SELECT 1 FROM platform_readiness_snapshots WHERE id = NEW.id) OR EXISTS (SELECT 1 FROM platform_readiness_snapshots WHERE rowid = NEW.rowid)
BEGIN
    SELECT RAISE(ABORT, 'platform_readiness_snapshots is append-only: REPLACE or upsert of a stored row is not allowed');
END;
-- +goose StatementEnd

-- A definition may change its owner, severity or window, so aeso itself
-- upserts it; a REPLACE that changes its title is what the UPDATE trigger
-- refuses, and is refused here as well.
-- +goose StatementBegin
CREATE TRIGGER platform_invariant_definitions_no_replace BEFORE INSERT ON platform_invariant_definitions
WHEN EXISTS (SELECT 1 FROM platform_invariant_definitions WHERE id = NEW.id AND title IS NOT NEW.title) OR EXISTS (SELECT 1 FROM platform_invariant_definitions WHERE rowid = NEW.rowid)
BEGIN
    SELECT RAISE(ABORT, 'platform_invariant_definitions: an ID keeps its title and a stored rowid is never reused (REPLACE is not allowed)');
END;
-- +goose StatementEnd

-- Tables whose rows may change (bundles, reconciliation records, invariant
-- definitions) still never change a key, the rowid included: UPDATE OR
-- REPLACE onto another row's key would delete that row without a DELETE
-- trigger. Every other guarded table refuses any UPDATE.
-- +goose StatementBegin
CREATE TRIGGER platform_evidence_bundles_keys BEFORE UPDATE ON platform_evidence_bundles
WHEN NEW.id IS NOT OLD.id OR NEW.supersedes IS NOT OLD.supersedes OR NEW.rowid IS NOT OLD.rowid
BEGIN
    SELECT RAISE(ABORT, 'platform_evidence_bundles: a bundle''s id, rowid and the bundle it supersedes are not allowed to change');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER platform_reconciliation_records_keys BEFORE UPDATE ON platform_reconciliation_records
WHEN NEW.id IS NOT OLD.id OR NEW.rowid IS NOT OLD.rowid
BEGIN
    SELECT RAISE(ABORT, 'platform_reconciliation_records: a record''s id and rowid are not allowed to change');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER platform_invariant_definitions_keys BEFORE UPDATE ON platform_invariant_definitions
WHEN NEW.rowid IS NOT OLD.rowid
BEGIN
    SELECT RAISE(ABORT, 'platform_invariant_definitions: a definition''s rowid is not allowed to change');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER platform_invariant_definitions_keys;
DROP TRIGGER platform_reconciliation_records_keys;
DROP TRIGGER platform_evidence_bundles_keys;
DROP TRIGGER platform_invariant_definitions_no_replace;
DROP TRIGGER audit_logs_no_replace;
DROP TRIGGER audit_display_names_no_replace;
DROP TRIGGER platform_evidence_bundles_no_replace;
DROP TRIGGER platform_evidence_items_no_replace;
DROP TRIGGER platform_evidence_promotions_no_replace;
DROP TRIGGER platform_product_invariant_results_no_replace;
DROP TRIGGER platform_guard_report_summaries_no_replace;
DROP TRIGGER platform_release_gate_results_no_replace;
DROP TRIGGER platform_gate_waivers_no_replace;
DROP TRIGGER platform_status_component_history_no_replace;
DROP TRIGGER platform_reconciliation_records_no_replace;
DROP TRIGGER platform_reconciliation_transitions_no_replace;
DROP TRIGGER platform_readiness_snapshots_no_replace;
