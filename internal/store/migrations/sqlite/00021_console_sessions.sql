-- +goose Up
-- Sessions of the operator console. Only the SHA-256 of the cookie's secret
-- is kept, so a copy of the database signs nobody in. A session acts as the
-- token it was opened with and works only while that token does.
CREATE TABLE console_sessions (
    id           TEXT NOT NULL PRIMARY KEY,
    secret_hash  TEXT NOT NULL UNIQUE,
    token_id     TEXT NOT NULL REFERENCES api_tokens (id),
    principal    TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    ended_at     TEXT
);
CREATE INDEX console_sessions_token ON console_sessions (token_id);

-- +goose Down
DROP TABLE console_sessions;
