package store

import (
	"context"
	"os"
	"testing"

	"github.com/aeso-dev/aeso/internal/testdb"
)

// TestMain gives every test a copy of one migrated database per dialect;
// the tests about migrating ask for empty ones (testdb.ForEachEmpty).
func TestMain(m *testing.M) {
	os.Exit(testdb.Main(m, func(tg testdb.Target) error {
		ctx := context.Background()
		db, err := Open(ctx, Options{URL: tg.URL, DataDir: tg.DataDir})
		if err != nil {
			return err
		}
		if _, err := db.Migrate(ctx); err != nil {
			db.Close()
			return err
		}
		return db.Close()
	}))
}
