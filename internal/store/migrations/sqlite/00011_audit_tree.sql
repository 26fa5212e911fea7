-- +goose Up
-- The audit log's Merkle tree: every stored hash of the RFC 6962 tree over
-- audit_logs in seq order, numbered as golang.org/x/mod/sumdb/tlog numbers
-- them (StoredHashIndex), so a proof or a tile reads O(log n) rows. It grows
-- in the transaction that writes the events it covers.
CREATE TABLE audit_tree_hashes (
    idx  INTEGER NOT NULL PRIMARY KEY,
    hash BLOB    NOT NULL CHECK (length(hash) = 32)
);
CREATE TRIGGER audit_tree_hashes_no_update BEFORE UPDATE ON audit_tree_hashes
BEGIN SELECT RAISE(ABORT, 'audit_tree_hashes is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER audit_tree_hashes_no_delete BEFORE DELETE ON audit_tree_hashes
BEGIN SELECT RAISE(ABORT, 'audit_tree_hashes is append-only: DELETE is not allowed'); END;
-- REPLACE deletes the row it collides with without firing a delete
-- trigger; refusing the colliding insert first keeps it append-only.
CREATE TRIGGER audit_tree_hashes_no_replace BEFORE INSERT ON audit_tree_hashes
WHEN EXISTS (SELECT 1 FROM audit_tree_hashes WHERE idx = NEW.idx)
BEGIN SELECT RAISE(ABORT, 'audit_tree_hashes is append-only: REPLACE is not allowed'); END;

-- +goose Down
DROP TABLE audit_tree_hashes;
