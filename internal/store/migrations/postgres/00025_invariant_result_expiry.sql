-- +goose Up
-- An invariant result carried by an evidence item is proof only as long as
-- the item is: the item's expires_at is kept on the result, which is stale
-- from then on, however young its max_age would let it be.
ALTER TABLE platform_product_invariant_results ADD COLUMN expires_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE platform_product_invariant_results DROP COLUMN expires_at;
