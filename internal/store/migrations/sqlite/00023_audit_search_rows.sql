-- +goose Up
-- The transaction that inserts events now writes their search rows
-- itself, from the same text the trigger gave FTS5 (internal/auditsearch),
-- so the trigger goes. Rows already indexed stay as they are: FTS5 makes
-- the same words from the same text. Every writer of audit_logs must now
-- write the search row too; a server of an earlier version writing to
-- this schema would leave its events out of searches.
DROP TRIGGER audit_logs_search;

-- +goose Down
-- +goose StatementBegin
CREATE TRIGGER audit_logs_search AFTER INSERT ON audit_logs
BEGIN
    INSERT INTO audit_search (rowid, doc) VALUES (NEW.seq,
        NEW.actor_user_id || ' ' || NEW.actor_service_account_id || ' ' || NEW.actor_role || ' ' ||
        NEW.action || ' ' || NEW.target_type || ' ' || NEW.target_id || ' ' || NEW.correlation_id || ' ' ||
        replace(NEW.metadata, '[REDACTED]', ' '));
END;
-- +goose StatementEnd
