-- +goose Up
-- Words of each event for q= searches: actor, role, action, target,
-- correlation id and the keys and values of its stored metadata. Metadata
-- is redacted before it is stored, so a secret never reaches this index;
-- the placeholder left in its place is dropped too, so a search for
-- "redacted" finds nothing it should not. Text is split at spaces,
-- punctuation and control characters before the 'simple' configuration
-- (no stemming, no stop words) makes the words, as SQLite's unicode61
-- tokenizer splits it, so a search finds the same events on both. The
-- metadata is read as text: walking it as JSON cost five times as much
-- per event, on the ingest path.
-- +goose StatementBegin
CREATE FUNCTION aeso_audit_search_doc(actor_user_id text, actor_service_account_id text, actor_role text,
    action text, target_type text, target_id text, correlation_id text, metadata json)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_tsvector('simple', regexp_replace(concat_ws(' ',
        actor_user_id, actor_service_account_id, actor_role, action, target_type, target_id, correlation_id,
        replace(metadata::text, '[REDACTED]', ' ')),
        '[[:space:][:punct:][:cntrl:]]+', ' ', 'g'))
$$;
-- +goose StatementEnd

-- Derived from audit_logs and filled in the transaction of the insert by a
-- statement trigger (one INSERT … SELECT per statement, COPY included).
-- It carries no guard triggers: it holds nothing of its own, a change to
-- it can hide an event from a search but never alter one, and the audit
-- tree proves what audit_logs holds.
CREATE TABLE audit_search (
    seq BIGINT   NOT NULL PRIMARY KEY,
    doc tsvector NOT NULL
);
CREATE INDEX audit_search_doc ON audit_search USING gin (doc);

-- +goose StatementBegin
CREATE FUNCTION aeso_audit_search_index() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_search (seq, doc)
    SELECT n.seq, aeso_audit_search_doc(n.actor_user_id, n.actor_service_account_id, n.actor_role,
        n.action, n.target_type, n.target_id, n.correlation_id, n.metadata)
    FROM new_rows n;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_logs_search AFTER INSERT ON audit_logs
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION aeso_audit_search_index();
-- Fires in a replica-mode session too, like every trigger on audit_logs.
ALTER TABLE audit_logs ENABLE ALWAYS TRIGGER audit_logs_search;

INSERT INTO audit_search (seq, doc)
SELECT seq, aeso_audit_search_doc(actor_user_id, actor_service_account_id, actor_role,
    action, target_type, target_id, correlation_id, metadata)
FROM audit_logs;

-- +goose Down
DROP TRIGGER audit_logs_search ON audit_logs;
DROP FUNCTION aeso_audit_search_index();
DROP TABLE audit_search;
DROP FUNCTION aeso_audit_search_doc(text, text, text, text, text, text, text, json);
