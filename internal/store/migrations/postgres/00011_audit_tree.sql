-- +goose Up
-- The audit log's Merkle tree: every stored hash of the RFC 6962 tree over
-- audit_logs in seq order, numbered as golang.org/x/mod/sumdb/tlog numbers
-- them (StoredHashIndex), so a proof or a tile reads O(log n) rows. It grows
-- in the transaction that writes the events it covers.
CREATE TABLE audit_tree_hashes (
    idx  BIGINT NOT NULL PRIMARY KEY,
    hash BYTEA  NOT NULL CHECK (octet_length(hash) = 32)
);
CREATE TRIGGER audit_tree_hashes_append_only BEFORE UPDATE OR DELETE ON audit_tree_hashes
    FOR EACH ROW EXECUTE FUNCTION aeso_reject_change();
CREATE TRIGGER audit_tree_hashes_no_truncate BEFORE TRUNCATE ON audit_tree_hashes
    FOR EACH STATEMENT EXECUTE FUNCTION aeso_reject_change();
-- ALWAYS: the triggers fire under session_replication_role = replica too.
ALTER TABLE audit_tree_hashes ENABLE ALWAYS TRIGGER audit_tree_hashes_append_only;
ALTER TABLE audit_tree_hashes ENABLE ALWAYS TRIGGER audit_tree_hashes_no_truncate;

-- +goose Down
DROP TABLE audit_tree_hashes;
