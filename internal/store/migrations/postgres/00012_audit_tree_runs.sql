-- +goose Up
-- The audit tree's hashes, stored as runs: one row holds the consecutive
-- stored hashes (numbered as golang.org/x/mod/sumdb/tlog's StoredHashIndex)
-- of a run of consecutive leaves, starting at first_idx. A transaction
-- writes a few rows however many events it adds, instead of one row per
-- hash; a hash is found by the row with the greatest first_idx at or below
-- its index, so a proof still reads O(log n) rows.
CREATE TABLE audit_tree_runs (
    first_idx BIGINT NOT NULL PRIMARY KEY,
    hashes    BYTEA  NOT NULL CHECK (octet_length(hashes) > 0 AND octet_length(hashes) % 32 = 0)
);
CREATE TRIGGER audit_tree_runs_append_only BEFORE UPDATE OR DELETE ON audit_tree_runs
    FOR EACH ROW EXECUTE FUNCTION aeso_reject_change();
CREATE TRIGGER audit_tree_runs_no_truncate BEFORE TRUNCATE ON audit_tree_runs
    FOR EACH STATEMENT EXECUTE FUNCTION aeso_reject_change();
-- ALWAYS: the triggers fire under session_replication_role = replica too.
ALTER TABLE audit_tree_runs ENABLE ALWAYS TRIGGER audit_tree_runs_append_only;
ALTER TABLE audit_tree_runs ENABLE ALWAYS TRIGGER audit_tree_runs_no_truncate;
-- Every hash stored so far becomes a run of one.
INSERT INTO audit_tree_runs (first_idx, hashes) SELECT idx, hash FROM audit_tree_hashes ORDER BY idx;
DROP TABLE audit_tree_hashes;

-- +goose Down
CREATE TABLE audit_tree_hashes (
    idx  BIGINT NOT NULL PRIMARY KEY,
    hash BYTEA  NOT NULL CHECK (octet_length(hash) = 32)
);
INSERT INTO audit_tree_hashes (idx, hash)
    SELECT first_idx + g, substring(hashes FROM g * 32 + 1 FOR 32)
    FROM audit_tree_runs, generate_series(0, octet_length(hashes) / 32 - 1) AS g;
CREATE TRIGGER audit_tree_hashes_append_only BEFORE UPDATE OR DELETE ON audit_tree_hashes
    FOR EACH ROW EXECUTE FUNCTION aeso_reject_change();
CREATE TRIGGER audit_tree_hashes_no_truncate BEFORE TRUNCATE ON audit_tree_hashes
    FOR EACH STATEMENT EXECUTE FUNCTION aeso_reject_change();
ALTER TABLE audit_tree_hashes ENABLE ALWAYS TRIGGER audit_tree_hashes_append_only;
ALTER TABLE audit_tree_hashes ENABLE ALWAYS TRIGGER audit_tree_hashes_no_truncate;
DROP TABLE audit_tree_runs;
