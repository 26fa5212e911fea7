-- +goose Up
CREATE TABLE platform_evidence_bundles (
    id               TEXT NOT NULL PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('release', 'uat', 'security', 'drill', 'guard', 'smoke', 'operator', 'incident')),
    subject_name     TEXT NOT NULL,
    subject_ref      TEXT NOT NULL,
    title            TEXT NOT NULL,
    labels           TEXT NOT NULL DEFAULT '{}',
    correlation_id   TEXT NOT NULL DEFAULT '',
    owner            TEXT NOT NULL DEFAULT '',
    state            TEXT NOT NULL CHECK (state IN ('open', 'sealed')),
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    sealed_at        TEXT,
    sealed_by        TEXT NOT NULL DEFAULT '',
    digest           TEXT NOT NULL DEFAULT '',
    -- the canonical document the digest covers, kept as sealed so that no
    -- later change of the encoding code can alter what an export proves
    document         TEXT,
    supersedes       TEXT UNIQUE REFERENCES platform_evidence_bundles (id),
    supersede_reason TEXT NOT NULL DEFAULT '',
    superseded_by    TEXT REFERENCES platform_evidence_bundles (id)
);
CREATE INDEX platform_evidence_bundles_subject ON platform_evidence_bundles (subject_name, kind, sealed_at);

CREATE TABLE platform_evidence_items (
    id             TEXT    NOT NULL PRIMARY KEY,
    bundle_id      TEXT    NOT NULL REFERENCES platform_evidence_bundles (id),
    position       INTEGER NOT NULL,
    type           TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    result         TEXT    NOT NULL CHECK (result IN ('pass', 'fail', 'warn', 'skip', 'error')),
    counts         TEXT    NOT NULL,
    summary        TEXT    NOT NULL DEFAULT '',
    links          TEXT    NOT NULL DEFAULT '[]',
    source_url     TEXT    NOT NULL DEFAULT '',
    source_runner  TEXT    NOT NULL DEFAULT '',
    observed_at    TEXT    NOT NULL,
    expires_at     TEXT,
    correlation_id TEXT    NOT NULL DEFAULT '',
    metadata       TEXT    NOT NULL DEFAULT '{}',
    redacted_paths TEXT    NOT NULL DEFAULT '[]',
    report         TEXT,
    created_at     TEXT    NOT NULL,
    created_by     TEXT    NOT NULL,
    UNIQUE (bundle_id, position)
);

CREATE TABLE platform_evidence_promotions (
    id          TEXT NOT NULL PRIMARY KEY,
    bundle_id   TEXT NOT NULL REFERENCES platform_evidence_bundles (id),
    stage       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    digest      TEXT NOT NULL,
    promoted_at TEXT NOT NULL,
    promoted_by TEXT NOT NULL,
    UNIQUE (bundle_id, stage)
);
CREATE INDEX platform_evidence_promotions_stage ON platform_evidence_promotions (stage, bundle_id);

-- Evidence is never deleted; items and promotions never change; a sealed
-- bundle changes only to record, once, the bundle that supersedes it; an
-- item can be added only to an open bundle.
CREATE TRIGGER platform_evidence_bundles_no_delete BEFORE DELETE ON platform_evidence_bundles
BEGIN SELECT RAISE(ABORT, 'platform_evidence_bundles is append-only: DELETE is not allowed'); END;
CREATE TRIGGER platform_evidence_bundles_sealed BEFORE UPDATE ON platform_evidence_bundles
WHEN OLD.state = 'sealed' AND (
    NEW.id IS NOT OLD.id OR NEW.kind IS NOT OLD.kind OR NEW.subject_name IS NOT OLD.subject_name
    OR NEW.subject_ref IS NOT OLD.subject_ref OR NEW.title IS NOT OLD.title OR NEW.labels IS NOT OLD.labels
    OR NEW.correlation_id IS NOT OLD.correlation_id OR NEW.owner IS NOT OLD.owner OR NEW.state IS NOT OLD.state
    OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
    OR NEW.sealed_at IS NOT OLD.sealed_at OR NEW.sealed_by IS NOT OLD.sealed_by OR NEW.digest IS NOT OLD.digest
    OR NEW.document IS NOT OLD.document
    OR NEW.supersedes IS NOT OLD.supersedes OR NEW.supersede_reason IS NOT OLD.supersede_reason
    OR (OLD.superseded_by IS NOT NULL AND NEW.superseded_by IS NOT OLD.superseded_by))
BEGIN SELECT RAISE(ABORT, 'platform_evidence_bundles: a sealed bundle cannot change'); END;
CREATE TRIGGER platform_evidence_items_no_update BEFORE UPDATE ON platform_evidence_items
BEGIN SELECT RAISE(ABORT, 'platform_evidence_items is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER platform_evidence_items_no_delete BEFORE DELETE ON platform_evidence_items
BEGIN SELECT RAISE(ABORT, 'platform_evidence_items is append-only: DELETE is not allowed'); END;
CREATE TRIGGER platform_evidence_items_open_only BEFORE INSERT ON platform_evidence_items
WHEN (SELECT state FROM platform_evidence_bundles WHERE id = NEW.bundle_id) IS NOT 'open'
BEGIN SELECT RAISE(ABORT, 'platform_evidence_items: the bundle is sealed'); END;
CREATE TRIGGER platform_evidence_promotions_no_update BEFORE UPDATE ON platform_evidence_promotions
BEGIN SELECT RAISE(ABORT, 'platform_evidence_promotions is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER platform_evidence_promotions_no_delete BEFORE DELETE ON platform_evidence_promotions
BEGIN SELECT RAISE(ABORT, 'platform_evidence_promotions is append-only: DELETE is not allowed'); END;

-- +goose Down
DROP TABLE platform_evidence_promotions;
DROP TABLE platform_evidence_items;
DROP TABLE platform_evidence_bundles;
