-- +goose Up
-- The audit tree's hashes, stored as runs: one row holds the consecutive
-- stored hashes (numbered as golang.org/x/mod/sumdb/tlog's StoredHashIndex)
-- of a run of consecutive leaves, starting at first_idx. A transaction
-- writes a few rows however many events it adds, instead of one row per
-- hash; a hash is found by the row with the greatest first_idx at or below
-- its index, so a proof still reads O(log n) rows.
CREATE TABLE audit_tree_runs (
    first_idx INTEGER NOT NULL PRIMARY KEY,
    hashes    BLOB    NOT NULL CHECK (length(hashes) > 0 AND length(hashes) % 32 = 0)
);
CREATE TRIGGER audit_tree_runs_no_update BEFORE UPDATE ON audit_tree_runs
BEGIN SELECT RAISE(ABORT, 'audit_tree_runs is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER audit_tree_runs_no_delete BEFORE DELETE ON audit_tree_runs
BEGIN SELECT RAISE(ABORT, 'audit_tree_runs is append-only: DELETE is not allowed'); END;
-- REPLACE deletes the row it collides with without firing a delete
-- trigger; refusing the colliding insert first keeps it append-only.
CREATE TRIGGER audit_tree_runs_no_replace BEFORE INSERT ON audit_tree_runs
WHEN EXISTS (SELECT 1 FROM audit_tree_runs WHERE first_idx = NEW.first_idx)
BEGIN SELECT RAISE(ABORT, 'audit_tree_runs is append-only: REPLACE is not allowed'); END;
-- Every hash stored so far becomes a run of one.
INSERT INTO audit_tree_runs (first_idx, hashes) SELECT idx, hash FROM audit_tree_hashes ORDER BY idx;
DROP TABLE audit_tree_hashes;

-- +goose Down
CREATE TABLE audit_tree_hashes (
    idx  INTEGER NOT NULL PRIMARY KEY,
    hash BLOB    NOT NULL CHECK (length(hash) = 32)
);
WITH RECURSIVE h(idx, rest) AS (
    SELECT first_idx, hashes FROM audit_tree_runs
    UNION ALL
    SELECT idx + 1, substr(rest, 33) FROM h WHERE length(rest) > 32
)
INSERT INTO audit_tree_hashes (idx, hash) SELECT idx, substr(rest, 1, 32) FROM h ORDER BY idx;
CREATE TRIGGER audit_tree_hashes_no_update BEFORE UPDATE ON audit_tree_hashes
BEGIN SELECT RAISE(ABORT, 'audit_tree_hashes is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER audit_tree_hashes_no_delete BEFORE DELETE ON audit_tree_hashes
BEGIN SELECT RAISE(ABORT, 'audit_tree_hashes is append-only: DELETE is not allowed'); END;
CREATE TRIGGER audit_tree_hashes_no_replace BEFORE INSERT ON audit_tree_hashes
WHEN EXISTS (SELECT 1 FROM audit_tree_hashes WHERE idx = NEW.idx)
BEGIN SELECT RAISE(ABORT, 'audit_tree_hashes is append-only: REPLACE is not allowed'); END;
DROP TABLE audit_tree_runs;
