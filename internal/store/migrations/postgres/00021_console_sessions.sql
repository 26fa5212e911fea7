-- +goose Up
-- Sessions of the operator console. Only the SHA-256 of the cookie's secret
-- is kept, so a copy of the database signs nobody in. A session acts as the
-- token it was opened with and works only while that token does.
CREATE TABLE console_sessions (
    id           UUID        NOT NULL PRIMARY KEY,
    secret_hash  TEXT        NOT NULL UNIQUE,
    token_id     UUID        NOT NULL REFERENCES api_tokens (id),
    principal    TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    ended_at     TIMESTAMPTZ
);
CREATE INDEX console_sessions_token ON console_sessions (token_id);

-- +goose Down
DROP TABLE console_sessions;
