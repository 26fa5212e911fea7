-- +goose Up
CREATE TABLE audit_logs (
    seq                      BIGINT      NOT NULL PRIMARY KEY,
    id                       UUID        NOT NULL UNIQUE,
    actor_user_id            TEXT        NOT NULL DEFAULT '',
    actor_service_account_id TEXT        NOT NULL DEFAULT '',
    actor_role               TEXT        NOT NULL DEFAULT '',
    action                   TEXT        NOT NULL,
    target_type              TEXT        NOT NULL DEFAULT '',
    target_id                TEXT        NOT NULL DEFAULT '',
    result                   TEXT        NOT NULL CHECK (result IN ('success', 'failure', 'denied')),
    correlation_id           TEXT        NOT NULL DEFAULT '',
    occurred_at              TIMESTAMPTZ NOT NULL,
    -- json, not jsonb: the canonical bytes written at ingest are kept as they
    -- are, so an event's encoding never depends on the dialect.
    metadata                 JSON        NOT NULL DEFAULT '{}',
    recorded_at              TIMESTAMPTZ NOT NULL,
    source                   TEXT        NOT NULL,
    request_id               TEXT        NOT NULL DEFAULT '',
    trace_id                 TEXT        NOT NULL DEFAULT '',
    redacted_paths           JSON        NOT NULL DEFAULT '[]'
);
CREATE INDEX audit_logs_action ON audit_logs (action, seq);
CREATE INDEX audit_logs_actor_user ON audit_logs (actor_user_id, seq) WHERE actor_user_id <> '';
CREATE INDEX audit_logs_actor_sa ON audit_logs (actor_service_account_id, seq) WHERE actor_service_account_id <> '';
CREATE INDEX audit_logs_target ON audit_logs (target_type, target_id, seq);
CREATE INDEX audit_logs_correlation ON audit_logs (correlation_id, seq) WHERE correlation_id <> '';
CREATE INDEX audit_logs_occurred ON audit_logs (occurred_at);

-- Display names sent with an event; kept beside audit_logs, whose columns are
-- exactly the contract's, and just as append-only.
CREATE TABLE audit_display_names (
    seq                 BIGINT NOT NULL PRIMARY KEY REFERENCES audit_logs (seq),
    actor_display_name  TEXT   NOT NULL DEFAULT '',
    target_display_name TEXT   NOT NULL DEFAULT ''
);

-- The last seq handed out. Writers lock this row (SELECT … FOR UPDATE) for
-- the length of their transaction, so seq is gap-free across replicas and its
-- order is commit order.
CREATE TABLE audit_seq (
    id       INT    NOT NULL PRIMARY KEY CHECK (id = 1),
    last_seq BIGINT NOT NULL
);
INSERT INTO audit_seq (id, last_seq) VALUES (1, 0);

-- +goose StatementBegin
CREATE FUNCTION aeso_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_logs_append_only BEFORE UPDATE OR DELETE ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION aeso_reject_change();
CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON audit_logs
    FOR EACH STATEMENT EXECUTE FUNCTION aeso_reject_change();
CREATE TRIGGER audit_display_names_append_only BEFORE UPDATE OR DELETE ON audit_display_names
    FOR EACH ROW EXECUTE FUNCTION aeso_reject_change();
CREATE TRIGGER audit_display_names_no_truncate BEFORE TRUNCATE ON audit_display_names
    FOR EACH STATEMENT EXECUTE FUNCTION aeso_reject_change();

CREATE TABLE api_tokens (
    id          UUID        NOT NULL PRIMARY KEY,
    principal   TEXT        NOT NULL,
    name        TEXT        NOT NULL DEFAULT '',
    scopes      TEXT        NOT NULL,
    token_hash  TEXT        NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL,
    created_by  TEXT        NOT NULL,
    expires_at  TIMESTAMPTZ,
    revoked_at  TIMESTAMPTZ,
    revoked_by  TEXT        NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE api_tokens;
DROP TABLE audit_display_names;
DROP TABLE audit_logs;
DROP FUNCTION aeso_reject_change();
DROP TABLE audit_seq;
