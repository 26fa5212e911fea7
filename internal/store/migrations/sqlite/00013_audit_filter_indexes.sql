-- +goose Up
-- Every filter of an audit listing is served by an index that also yields
-- seq order, so a page is a walk backwards along (column, seq) that stops
-- after limit rows, however many rows the table holds. result had none.
-- The partial indexes on the actor and correlation columns stay partial:
-- the listing repeats their condition, which is what SQLite needs before
-- it uses a partial index.
CREATE INDEX audit_logs_result ON audit_logs (result, seq);

-- +goose Down
DROP INDEX audit_logs_result;
