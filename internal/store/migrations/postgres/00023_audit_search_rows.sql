-- +goose Up
-- The transaction that inserts events now writes their search rows in
-- the same statement, each a tsvector made in Go (internal/auditsearch)
-- with exactly the lexemes and positions this trigger's regular
-- expression and to_tsvector made, so the trigger and its word split go:
-- they were most of an insert's cost. Rows already indexed stay as they
-- are. Every writer of audit_logs must now write the search row too; a
-- server of an earlier version writing to this schema would leave its
-- events out of searches.
DROP TRIGGER audit_logs_search ON audit_logs;
DROP FUNCTION aeso_audit_search_index();
DROP FUNCTION aeso_audit_search_doc(text, text, text, text, text, text, text, json);

-- +goose Down
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
ALTER TABLE audit_logs ENABLE ALWAYS TRIGGER audit_logs_search;
