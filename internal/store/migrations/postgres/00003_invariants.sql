-- +goose Up
-- What each invariant ID has meant, so an ID cannot quietly change meaning
-- across restarts and a retired ID keeps its history.
CREATE TABLE platform_invariant_definitions (
    id          TEXT        NOT NULL PRIMARY KEY,
    title       TEXT        NOT NULL,
    owner       TEXT        NOT NULL,
    severity    TEXT        NOT NULL,
    critical    BOOLEAN     NOT NULL,
    required    BOOLEAN     NOT NULL,
    max_age_ms  BIGINT      NOT NULL,
    first_seen  TIMESTAMPTZ NOT NULL,
    retired_at  TIMESTAMPTZ
);
-- +goose StatementBegin
CREATE FUNCTION aeso_invariant_definition_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.id IS DISTINCT FROM OLD.id OR NEW.title IS DISTINCT FROM OLD.title THEN
        RAISE EXCEPTION 'platform_invariant_definitions: an ID keeps its title and is never deleted' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER platform_invariant_definitions_guard BEFORE UPDATE OR DELETE ON platform_invariant_definitions
    FOR EACH ROW EXECUTE FUNCTION aeso_invariant_definition_guard();

CREATE TABLE platform_product_invariant_results (
    id             UUID        NOT NULL PRIMARY KEY,
    invariant_id   TEXT        NOT NULL REFERENCES platform_invariant_definitions (id),
    status         TEXT        NOT NULL CHECK (status IN ('pass', 'fail', 'error')),
    environment    TEXT        NOT NULL,
    observed_at    TIMESTAMPTZ NOT NULL,
    recorded_at    TIMESTAMPTZ NOT NULL,
    correlation_id TEXT        NOT NULL DEFAULT '',
    bundle_id      TEXT        NOT NULL DEFAULT '',
    item_id        TEXT        NOT NULL DEFAULT '',
    details        JSON        NOT NULL DEFAULT '{}',
    redacted_paths JSON        NOT NULL DEFAULT '[]',
    source         TEXT        NOT NULL
);
CREATE INDEX platform_product_invariant_results_latest
    ON platform_product_invariant_results (invariant_id, environment, observed_at);
CREATE TRIGGER platform_product_invariant_results_append_only BEFORE UPDATE OR DELETE ON platform_product_invariant_results
    FOR EACH ROW EXECUTE FUNCTION aeso_reject_change();
CREATE TRIGGER platform_product_invariant_results_no_truncate BEFORE TRUNCATE ON platform_product_invariant_results
    FOR EACH STATEMENT EXECUTE FUNCTION aeso_reject_change();

-- +goose Down
DROP TABLE platform_product_invariant_results;
DROP TABLE platform_invariant_definitions;
DROP FUNCTION aeso_invariant_definition_guard();
