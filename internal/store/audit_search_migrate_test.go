package store

import (
	"context"
	"testing"

	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/auditgen"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// Events stored before the search index existed are found once the
// migration that adds it has run, and events stored after it too.
func TestSearchFindsEventsStoredBeforeItsMigration(t *testing.T) {
	testdb.ForEachEmpty(t, func(t *testing.T, tg testdb.Target) {
		ctx := context.Background()
		db, err := Open(ctx, Options{URL: tg.URL, DataDir: tg.DataDir})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.MigrateTo(ctx, 12); err != nil {
			t.Fatal(err)
		}
		before := auditgen.Event(0, planStart, planStep)
		before.TargetID = "before-migration"
		after := auditgen.Event(1, planStart, planStep)
		after.TargetID = "after-migration"
		if _, _, err := db.AppendEvents(ctx, audit.Slice([]*audit.Event{before})); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.AppendEvents(ctx, audit.Slice([]*audit.Event{after})); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			words []string
			want  string
		}{{[]string{"before", "migration"}, before.ID}, {[]string{"after", "migration"}, after.ID}} {
			got, err := db.ListEvents(ctx, audit.Filter{Search: [][]string{tt.words}, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].ID != tt.want {
				t.Errorf("search %v found %d events, want only %s", tt.words, len(got), tt.want)
			}
		}
	})
}
