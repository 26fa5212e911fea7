-- +goose Up
-- A waiver excuses a rule as it stood when the waiver was given: the rule's
-- version (a hash of its definition) is kept, and once the config changes
-- the rule, the waiver no longer applies. Waivers given before this column
-- have none and keep applying until they expire (at most 30 days).
ALTER TABLE platform_gate_waivers ADD COLUMN rule_version TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE platform_gate_waivers DROP COLUMN rule_version;
