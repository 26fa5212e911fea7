package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// TestTheWritersPreparedStatementsStayBounded writes batches of every size
// from 1 to 120, each size its own insert statements: SQLite's writer
// keeps the first ones prepared and writes the rest as before, and every
// event is stored and in the tree either way.
func TestTheWritersPreparedStatementsStayBounded(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		db := open(t, tg)
		total := 0
		for size := 1; size <= 120; size++ {
			events := make([]*audit.Event, size)
			for i := range events {
				events[i] = event(total + i)
			}
			total += size
			append1(t, db, events...)
			if size%40 == 0 {
				e, created, err := db.AppendEvent(context.Background(), event(1_000_000+size))
				if err != nil || !created || e.Seq != int64(total+1) {
					t.Fatalf("a single event after %d: %+v, created %v, %v", total, e, created, err)
				}
				total++
			}
		}
		n := db.CachedStatements()
		switch {
		case tg.Dialect == "postgres" && n != 0:
			t.Fatalf("%d statements prepared by the store on PostgreSQL; want none (pgx keeps its own)", n)
		case tg.Dialect == "sqlite" && (n < 100 || n > 256):
			t.Fatalf("%d statements kept prepared; want the cache filled to at most 256", n)
		}
		if c := count(t, db); c != total {
			t.Fatalf("%d events stored; want %d", c, total)
		}
		requireTreeMatchesEvents(t, db, int64(total))
	})
}

// TestKeptReadStatementsSeeEveryCommit reads through statements the
// readers keep prepared, between writes: a kept statement must start a
// new read each time, never answer from the snapshot of its last use.
// Many distinct queries later the cache stays bounded and reads still
// work.
func TestKeptReadStatementsSeeEveryCommit(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		db := open(t, tg)
		ctx := context.Background()
		for i := 1; i <= 30; i++ {
			if _, _, err := db.AppendEvent(ctx, event(i)); err != nil {
				t.Fatal(err)
			}
			// The same listing each time, and one that stops after a row
			// of several.
			all, err := db.ListEvents(ctx, audit.Filter{Limit: 100})
			if err != nil || len(all) != i || all[0].Seq != int64(i) {
				t.Fatalf("after %d events the listing holds %d (newest %v), %v", i, len(all), all, err)
			}
			one, err := db.ListEvents(ctx, audit.Filter{Limit: 1, ActorUserID: "user-0"})
			if err != nil {
				t.Fatal(err)
			}
			if i < 3 {
				continue // user-0 sends every third event, from the third on
			}
			if len(one) != 1 || one[0].Seq != int64(i-i%3) {
				t.Fatalf("after %d events the newest of user-0: %v, %v", i, one, err)
			}
		}
		// A distinct statement each: lists of more actions than are read
		// one by one go in an IN list, one placeholder an action.
		for n := 65; n < 220; n++ {
			actions := make([]string, n)
			for k := range actions {
				actions[k] = fmt.Sprintf("a%d.b%d.c", n, k)
			}
			if _, err := db.ListEvents(ctx, audit.Filter{Limit: 5, Actions: actions, ActorUserID: "user-1"}); err != nil {
				t.Fatal(err)
			}
		}
		n := db.CachedReads()
		switch {
		case tg.Dialect == "postgres" && n != 0:
			t.Fatalf("%d read statements prepared by the store on PostgreSQL; want none (pgx keeps its own)", n)
		case tg.Dialect == "sqlite" && n != 128:
			t.Fatalf("%d read statements kept; want the cache full at 128", n)
		}
		if all, err := db.ListEvents(ctx, audit.Filter{Limit: 100}); err != nil || len(all) != 30 {
			t.Fatalf("the listing after the cache filled: %d events, %v", len(all), err)
		}
	})
}
