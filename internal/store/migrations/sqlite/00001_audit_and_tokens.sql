-- +goose Up
-- Times are TEXT in one fixed-width UTC form (2006-01-02T15:04:05.000000Z):
-- readable in the sqlite3 shell and ordered correctly by plain comparison.
CREATE TABLE audit_logs (
    seq                      INTEGER NOT NULL PRIMARY KEY,
    id                       TEXT    NOT NULL UNIQUE,
    actor_user_id            TEXT    NOT NULL DEFAULT '',
    actor_service_account_id TEXT    NOT NULL DEFAULT '',
    actor_role               TEXT    NOT NULL DEFAULT '',
    action                   TEXT    NOT NULL,
    target_type              TEXT    NOT NULL DEFAULT '',
    target_id                TEXT    NOT NULL DEFAULT '',
    result                   TEXT    NOT NULL CHECK (result IN ('success', 'failure', 'denied')),
    correlation_id           TEXT    NOT NULL DEFAULT '',
    occurred_at              TEXT    NOT NULL,
    metadata                 TEXT    NOT NULL DEFAULT '{}',
    recorded_at              TEXT    NOT NULL,
    source                   TEXT    NOT NULL,
    request_id               TEXT    NOT NULL DEFAULT '',
    trace_id                 TEXT    NOT NULL DEFAULT '',
    redacted_paths           TEXT    NOT NULL DEFAULT '[]'
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
    seq                 INTEGER NOT NULL PRIMARY KEY REFERENCES audit_logs (seq),
    actor_display_name  TEXT    NOT NULL DEFAULT '',
    target_display_name TEXT    NOT NULL DEFAULT ''
);

-- The last seq handed out. Writers take it under the write lock, so seq is
-- gap-free and its order is commit order.
CREATE TABLE audit_seq (
    id       INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    last_seq INTEGER NOT NULL
);
INSERT INTO audit_seq (id, last_seq) VALUES (1, 0);

CREATE TRIGGER audit_logs_no_update BEFORE UPDATE ON audit_logs
BEGIN SELECT RAISE(ABORT, 'audit_logs is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER audit_logs_no_delete BEFORE DELETE ON audit_logs
BEGIN SELECT RAISE(ABORT, 'audit_logs is append-only: DELETE is not allowed'); END;
CREATE TRIGGER audit_display_names_no_update BEFORE UPDATE ON audit_display_names
BEGIN SELECT RAISE(ABORT, 'audit_display_names is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER audit_display_names_no_delete BEFORE DELETE ON audit_display_names
BEGIN SELECT RAISE(ABORT, 'audit_display_names is append-only: DELETE is not allowed'); END;

CREATE TABLE api_tokens (
    id          TEXT NOT NULL PRIMARY KEY,
    principal   TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    scopes      TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    expires_at  TEXT,
    revoked_at  TEXT,
    revoked_by  TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE api_tokens;
DROP TABLE audit_seq;
DROP TABLE audit_display_names;
DROP TABLE audit_logs;
