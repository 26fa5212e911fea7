package store

import (
	"context"
	"fmt"
)

// MigrateTo applies the migrations up to version only, so a test can write
// a database as an older aeso left it and then migrate it.
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return fmt.Errorf("migrate to %d: %w", version, err)
	}
	return nil
}
