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

// QueuedEvents is how many single events wait for the committer.
func (db *DB) QueuedEvents() int { return len(db.group.queue) }

// TakenEvents is how many single events the committer has taken so far.
func (db *DB) TakenEvents() int64 { return db.group.taken.Load() }
