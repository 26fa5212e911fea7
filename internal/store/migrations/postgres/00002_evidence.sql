-- +goose Up
CREATE TABLE platform_evidence_bundles (
    id               UUID        NOT NULL PRIMARY KEY,
    kind             TEXT        NOT NULL CHECK (kind IN ('release', 'uat', 'security', 'drill', 'guard', 'smoke', 'operator', 'incident')),
    subject_name     TEXT        NOT NULL,
    subject_ref      TEXT        NOT NULL,
    title            TEXT        NOT NULL,
    labels           JSON        NOT NULL DEFAULT '{}',
    correlation_id   TEXT        NOT NULL DEFAULT '',
    owner            TEXT        NOT NULL DEFAULT '',
    state            TEXT        NOT NULL CHECK (state IN ('open', 'sealed')),
    created_at       TIMESTAMPTZ NOT NULL,
    created_by       TEXT        NOT NULL,
    sealed_at        TIMESTAMPTZ,
    sealed_by        TEXT        NOT NULL DEFAULT '',
    digest           TEXT        NOT NULL DEFAULT '',
    -- the canonical document the digest covers, kept as sealed so that no
    -- later change of the encoding code can alter what an export proves
    document         TEXT,
    supersedes       UUID        UNIQUE REFERENCES platform_evidence_bundles (id),
    supersede_reason TEXT        NOT NULL DEFAULT '',
    superseded_by    UUID        REFERENCES platform_evidence_bundles (id)
);
CREATE INDEX platform_evidence_bundles_subject ON platform_evidence_bundles (subject_name, kind, sealed_at);

CREATE TABLE platform_evidence_items (
    id             UUID        NOT NULL PRIMARY KEY,
    bundle_id      UUID        NOT NULL REFERENCES platform_evidence_bundles (id),
    position       INT         NOT NULL,
    type           TEXT        NOT NULL,
    name           TEXT        NOT NULL,
    result         TEXT        NOT NULL CHECK (result IN ('pass', 'fail', 'warn', 'skip', 'error')),
    counts         JSON        NOT NULL,
    summary        TEXT        NOT NULL DEFAULT '',
    links          JSON        NOT NULL DEFAULT '[]',
    source_url     TEXT        NOT NULL DEFAULT '',
    source_runner  TEXT        NOT NULL DEFAULT '',
    observed_at    TIMESTAMPTZ NOT NULL,
    expires_at     TIMESTAMPTZ,
    correlation_id TEXT        NOT NULL DEFAULT '',
    metadata       JSON        NOT NULL DEFAULT '{}',
    redacted_paths JSON        NOT NULL DEFAULT '[]',
    report         JSON,
    created_at     TIMESTAMPTZ NOT NULL,
    created_by     TEXT        NOT NULL,
    UNIQUE (bundle_id, position)
);

CREATE TABLE platform_evidence_promotions (
    id          UUID        NOT NULL PRIMARY KEY,
    bundle_id   UUID        NOT NULL REFERENCES platform_evidence_bundles (id),
    stage       TEXT        NOT NULL,
    reason      TEXT        NOT NULL,
    digest      TEXT        NOT NULL,
    promoted_at TIMESTAMPTZ NOT NULL,
    promoted_by TEXT        NOT NULL,
    UNIQUE (bundle_id, stage)
);
CREATE INDEX platform_evidence_promotions_stage ON platform_evidence_promotions (stage, bundle_id);

-- Evidence is never deleted; items and promotions never change; a sealed
-- bundle changes only to record, once, the bundle that supersedes it; an
-- item can be added only to an open bundle.
-- +goose StatementBegin
CREATE FUNCTION aeso_evidence_bundle_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'platform_evidence_bundles is append-only: DELETE is not allowed' USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.state = 'sealed' AND (
        (to_jsonb(NEW) - 'superseded_by') IS DISTINCT FROM (to_jsonb(OLD) - 'superseded_by')
        OR (OLD.superseded_by IS NOT NULL AND NEW.superseded_by IS DISTINCT FROM OLD.superseded_by)) THEN
        RAISE EXCEPTION 'platform_evidence_bundles: a sealed bundle cannot change' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION aeso_evidence_item_open_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- FOR SHARE: a seal running now must finish (or wait) before the check.
    IF (SELECT state FROM platform_evidence_bundles WHERE id = NEW.bundle_id FOR SHARE) IS DISTINCT FROM 'open' THEN
        RAISE EXCEPTION 'platform_evidence_items: the bundle is sealed' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER platform_evidence_bundles_guard BEFORE UPDATE OR DELETE ON platform_evidence_bundles
    FOR EACH ROW EXECUTE FUNCTION aeso_evidence_bundle_guard();
CREATE TRIGGER platform_evidence_bundles_no_truncate BEFORE TRUNCATE ON platform_evidence_bundles
    FOR EACH STATEMENT EXECUTE FUNCTION aeso_reject_change();
CREATE TRIGGER platform_evidence_items_append_only BEFORE UPDATE OR DELETE ON platform_evidence_items
    FOR EACH ROW EXECUTE FUNCTION aeso_reject_change();
CREATE TRIGGER platform_evidence_items_no_truncate BEFORE TRUNCATE ON platform_evidence_items
    FOR EACH STATEMENT EXECUTE FUNCTION aeso_reject_change();
CREATE TRIGGER platform_evidence_items_open_only BEFORE INSERT ON platform_evidence_items
    FOR EACH ROW EXECUTE FUNCTION aeso_evidence_item_open_only();
CREATE TRIGGER platform_evidence_promotions_append_only BEFORE UPDATE OR DELETE ON platform_evidence_promotions
    FOR EACH ROW EXECUTE FUNCTION aeso_reject_change();
CREATE TRIGGER platform_evidence_promotions_no_truncate BEFORE TRUNCATE ON platform_evidence_promotions
    FOR EACH STATEMENT EXECUTE FUNCTION aeso_reject_change();

-- +goose Down
DROP TABLE platform_evidence_promotions;
DROP TABLE platform_evidence_items;
DROP TABLE platform_evidence_bundles;
DROP FUNCTION aeso_evidence_item_open_only();
DROP FUNCTION aeso_evidence_bundle_guard();
