-- +goose Up
CREATE TABLE platform_guard_report_summaries (
    id             TEXT NOT NULL PRIMARY KEY,
    guard          TEXT NOT NULL,
    subject        TEXT NOT NULL,
    mode           TEXT NOT NULL CHECK (mode IN ('report_only', 'warn', 'blocking')),
    counts         TEXT NOT NULL,
    findings       TEXT NOT NULL,
    duplicates     INTEGER NOT NULL DEFAULT 0,
    source_url     TEXT NOT NULL DEFAULT '',
    observed_at    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    correlation_id TEXT NOT NULL DEFAULT '',
    source         TEXT NOT NULL
);
CREATE INDEX platform_guard_report_summaries_latest
    ON platform_guard_report_summaries (guard, subject, observed_at);
CREATE TRIGGER platform_guard_report_summaries_no_update BEFORE UPDATE ON platform_guard_report_summaries
BEGIN SELECT RAISE(ABORT, 'platform_guard_report_summaries is append-only: UPDATE is not allowed'); END;
CREATE TRIGGER platform_guard_report_summaries_no_delete BEFORE DELETE ON platform_guard_report_summaries
BEGIN SELECT RAISE(ABORT, 'platform_guard_report_summaries is append-only: DELETE is not allowed'); END;

-- +goose Down
DROP TABLE platform_guard_report_summaries;
