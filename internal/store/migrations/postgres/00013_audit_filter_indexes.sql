-- +goose Up
-- Every filter of an audit listing is served by an index that also yields
-- seq order, so a page is a walk backwards along (column, seq) that stops
-- after limit rows, however many rows the table holds. result had none.
-- The partial indexes on the actor and correlation columns stay partial:
-- the listing repeats their condition, so even a generic plan of a
-- prepared statement (which cannot see the value) may use them.
CREATE INDEX audit_logs_result ON audit_logs (result, seq);

-- An action prefix ("credentials.*") is a range of the action index.
-- Under a linguistic collation a range of text is not a range of prefixes
-- (punctuation is ignored at the first level), so the index and the
-- listing compare actions bytewise.
DROP INDEX audit_logs_action;
CREATE INDEX audit_logs_action ON audit_logs (action COLLATE "C", seq);

-- +goose Down
DROP INDEX audit_logs_action;
CREATE INDEX audit_logs_action ON audit_logs (action, seq);
DROP INDEX audit_logs_result;
