package e2e

import (
	"context"
	"os"
	"testing"

	"github.com/aeso-dev/aeso/internal/app"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// TestMain gives every test a copy of one migrated database per dialect:
// migrating each test's own took most of a short test's time.
func TestMain(m *testing.M) {
	os.Exit(testdb.Main(m, func(tg testdb.Target) error {
		cfg := defaultsFor(tg)
		cfg.Migrate = true
		db, err := app.OpenDB(context.Background(), cfg)
		if err != nil {
			return err
		}
		return db.Close()
	}))
}
