-- +goose Up
CREATE TABLE platform_guard_report_summaries (
    id             UUID NOT NULL PRIMARY KEY,
    guard          TEXT NOT NULL,
    subject        TEXT NOT NULL,
    mode           TEXT NOT NULL CHECK (mode IN ('report_only', 'warn', 'blocking')),
    counts         JSON NOT NULL,
    findings       JSON NOT NULL,
    duplicates     INTEGER NOT NULL DEFAULT 0,
    source_url     TEXT NOT NULL DEFAULT '',
    observed_at    TIMESTAMPTZ NOT NULL,
    recorded_at    TIMESTAMPTZ NOT NULL,
    correlation_id TEXT NOT NULL DEFAULT '',
    source         TEXT NOT NULL
);
CREATE INDEX platform_guard_report_summaries_latest
    ON platform_guard_report_summaries (guard, subject, observed_at);
CREATE TRIGGER platform_guard_report_summaries_append_only BEFORE UPDATE OR DELETE ON platform_guard_report_summaries
    FOR EACH ROW EXECUTE FUNCTION aeso_reject_change();
CREATE TRIGGER platform_guard_report_summaries_no_truncate BEFORE TRUNCATE ON platform_guard_report_summaries
    FOR EACH STATEMENT EXECUTE FUNCTION aeso_reject_change();

-- +goose Down
DROP TABLE platform_guard_report_summaries;
