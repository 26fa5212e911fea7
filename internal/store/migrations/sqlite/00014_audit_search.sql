-- +goose Up
-- Words of each event for q= searches: actor, role, action, target,
-- correlation id and the keys and values of its stored metadata. Metadata
-- is redacted before it is stored, so a secret never reaches this index;
-- the placeholder left in its place is dropped too, so a search for
-- "redacted" finds nothing it should not. The tokenizer splits the
-- metadata's JSON text into words as it splits any text, which costs the
-- insert far less than walking it as JSON.
--
-- Contentless (the text is not kept twice) and keyed by seq, so a search
-- walks its matches newest first and stops after a page. It is filled by
-- a trigger, in the transaction of the insert, however the insert is
-- made. It carries no guard triggers, as SQLite allows none on a virtual
-- table; it is derived from audit_logs and holds nothing of its own: a
-- change to it can hide an event from a search, never alter one, and the
-- audit tree proves what audit_logs holds.
CREATE VIRTUAL TABLE audit_search USING fts5(
    doc, content = '', columnsize = 0, tokenize = 'unicode61 remove_diacritics 0'
);
-- +goose StatementBegin
CREATE TRIGGER audit_logs_search AFTER INSERT ON audit_logs
BEGIN
    INSERT INTO audit_search (rowid, doc) VALUES (NEW.seq,
        NEW.actor_user_id || ' ' || NEW.actor_service_account_id || ' ' || NEW.actor_role || ' ' ||
        NEW.action || ' ' || NEW.target_type || ' ' || NEW.target_id || ' ' || NEW.correlation_id || ' ' ||
        replace(NEW.metadata, '[REDACTED]', ' '));
END;
-- +goose StatementEnd
INSERT INTO audit_search (rowid, doc)
SELECT seq,
    actor_user_id || ' ' || actor_service_account_id || ' ' || actor_role || ' ' ||
    action || ' ' || target_type || ' ' || target_id || ' ' || correlation_id || ' ' ||
    replace(metadata, '[REDACTED]', ' ')
FROM audit_logs ORDER BY seq;

-- +goose Down
DROP TRIGGER audit_logs_search;
DROP TABLE audit_search;
