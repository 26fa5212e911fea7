package store_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/store"
	"github.com/aeso-dev/aeso/internal/testdb"
	"github.com/google/uuid"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 123456000, time.UTC)

func open(t *testing.T, tg testdb.Target) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{URL: tg.URL, DataDir: tg.DataDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func event(i int) *audit.Event {
	return &audit.Event{
		ID:               uuid.Must(uuid.NewV7()).String(),
		ActorUserID:      fmt.Sprintf("user-%d", i%3),
		ActorRole:        "operator",
		ActorDisplayName: "Alice Example",
		Action:           []string{"credentials.api_key.rotate", "fleet.node.drain", "billing.invoice.void"}[i%3],
		TargetType:       "api_key",
		TargetID:         fmt.Sprintf("key-%d", i),
		Result:           []string{"success", "failure", "denied"}[i%3],
		CorrelationID:    fmt.Sprintf("corr-%d", i%2),
		OccurredAt:       t0.Add(time.Duration(i) * time.Minute),
		RecordedAt:       t0.Add(time.Hour),
		Metadata:         []byte(`{"key_name":"deploy","n":1.50}`),
		RedactedPaths:    []string{"password"},
		Source:           "ci",
		RequestID:        "req-1",
		TraceID:          "4bf92f3577b34da6a3ce929d0e0e4736",
	}
}

func append1(t *testing.T, db *store.DB, events ...*audit.Event) ([]*audit.Event, []bool) {
	t.Helper()
	stored, created, err := db.AppendEvents(context.Background(), audit.Slice(events))
	if err != nil {
		t.Fatal(err)
	}
	return stored, created
}

func count(t *testing.T, db *store.DB) int {
	t.Helper()
	events, err := db.ListEvents(context.Background(), audit.Filter{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	return len(events)
}

func TestEventsRoundTripExactly(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		db := open(t, tg)
		in := []*audit.Event{event(0), event(1), event(2)}
		in[2].ActorDisplayName = ""
		stored, created := append1(t, db, in...)
		for i, e := range stored {
			if !created[i] || e.Seq != int64(i+1) {
				t.Fatalf("event %d: seq %d created %v, want seq %d created", i, e.Seq, created[i], i+1)
			}
			got, err := db.GetEvent(context.Background(), e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !got.SameContent(in[i]) || got.Seq != e.Seq || !got.RecordedAt.Equal(in[i].RecordedAt) ||
				got.Source != "ci" || got.RequestID != "req-1" || got.TraceID != in[i].TraceID ||
				strings.Join(got.RedactedPaths, ",") != "password" {
				t.Errorf("event %d read back as %+v, want %+v", i, got, in[i])
			}
			if string(got.Metadata) != `{"key_name":"deploy","n":1.50}` {
				t.Errorf("metadata bytes changed: %s", got.Metadata)
			}
		}
	})
}

func TestGetUnknownEventIsNotFound(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		db := open(t, tg)
		for _, id := range []string{uuid.NewString(), "not-a-uuid"} {
			_, err := db.GetEvent(context.Background(), id)
			if aeso.ErrorCode(err) != aeso.ENOTFOUND {
				t.Errorf("GetEvent(%q) = %v, want not_found", id, err)
			}
		}
	})
}

func TestAppendingAStoredIDIsAReplayOrAConflict(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		db := open(t, tg)
		e := event(0)
		append1(t, db, e)

		same := *e
		same.RecordedAt = t0.Add(2 * time.Hour) // a retry arrives later
		stored, created := append1(t, db, &same)
		if created[0] || stored[0].Seq != 1 || !stored[0].RecordedAt.Equal(e.RecordedAt) {
			t.Errorf("replay: created=%v seq=%d recorded=%v; want the stored event", created[0], stored[0].Seq, stored[0].RecordedAt)
		}

		changed := *e
		changed.Result = "failure"
		fresh := event(5)
		_, _, err := db.AppendEvents(context.Background(), audit.Slice([]*audit.Event{fresh, &changed}))
		var idc *audit.IDConflictError
		if !errors.As(err, &idc) || idc.ID != e.ID {
			t.Fatalf("conflicting content: err = %v, want IDConflictError for %s", err, e.ID)
		}
		if n := count(t, db); n != 1 {
			t.Errorf("a batch with a conflict wrote %d events; want nothing beyond the first", n-1)
		}
		// The seq counter did not move either: the next event is seq 2.
		stored, _ = append1(t, db, fresh)
		if stored[0].Seq != 2 {
			t.Errorf("after a rejected batch the next seq is %d, want 2", stored[0].Seq)
		}
	})
}

func TestTheDatabaseRejectsChangesToAuditRows(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		db := open(t, tg)
		append1(t, db, event(0))
		ctx := context.Background()
		statements := []string{
			`UPDATE audit_logs SET action = 'tampered.action' WHERE seq = 1`,
			`UPDATE audit_logs SET metadata = '{}'`,
			`DELETE FROM audit_logs WHERE seq = 1`,
			`DELETE FROM audit_logs`,
			`UPDATE audit_display_names SET actor_display_name = 'Mallory'`,
			`DELETE FROM audit_display_names`,
		}
		if tg.Dialect == "postgres" {
			statements = append(statements, `TRUNCATE audit_logs CASCADE`)
		}
		for _, q := range statements {
			err := db.Exec(ctx, q)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: err = %v, want the append-only trigger to reject it", q, err)
			}
		}
		events, err := db.ListEvents(ctx, audit.Filter{Limit: 10})
		if err != nil || len(events) != 1 || events[0].Action != "credentials.api_key.rotate" || events[0].ActorDisplayName != "Alice Example" {
			t.Errorf("after the attempts the row is %+v (err %v); want it unchanged", events, err)
		}
	})
}

func TestSeqIsGapFreeUnderConcurrentWriters(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		db := open(t, tg)
		const writers, each = 8, 20
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < each; i++ {
					batch := []*audit.Event{event(w*each + i)}
					if i%5 == 0 {
						batch = append(batch, event(1000+w*each+i))
					}
					if _, _, err := db.AppendEvents(context.Background(), audit.Slice(batch)); err != nil {
						errs <- err
					}
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		events, err := db.ListEvents(context.Background(), audit.Filter{Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		want := writers*each + writers*each/5
		seqs := make([]int, len(events))
		for i, e := range events {
			seqs[i] = int(e.Seq)
		}
		sort.Ints(seqs)
		if len(seqs) != want || seqs[0] != 1 || seqs[len(seqs)-1] != want {
			t.Fatalf("got %d events with seq %d..%d; want %d events numbered 1..%d", len(seqs), seqs[0], seqs[len(seqs)-1], want, want)
		}
		for i, s := range seqs {
			if s != i+1 {
				t.Fatalf("seq has a gap or duplicate at %d: %d", i+1, s)
			}
		}
	})
}

func TestListFiltersAndOrder(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		db := open(t, tg)
		var all []*audit.Event
		for i := 0; i < 9; i++ {
			all = append(all, event(i))
		}
		all[4].ActorUserID, all[4].ActorServiceAccountID = "", "deployer"
		all[7].Action = "credentials_x.api.rotate" // '_' must not act as a LIKE wildcard
		append1(t, db, all...)
		tests := []struct {
			name string
			f    audit.Filter
			want []int64 // seqs, newest first
		}{
			{"everything comes newest first", audit.Filter{}, []int64{9, 8, 7, 6, 5, 4, 3, 2, 1}},
			{"an exact action matches only it", audit.Filter{Action: "fleet.node.drain"}, []int64{5, 2}},
			{"an action prefix matches its family", audit.Filter{ActionPrefix: "credentials."}, []int64{7, 4, 1}},
			{"a prefix does not treat _ as a wildcard", audit.Filter{ActionPrefix: "credentials_x."}, []int64{8}},
			{"the actor user filter", audit.Filter{ActorUserID: "user-1"}, []int64{8, 2}},
			{"the service account filter", audit.Filter{ActorServiceAccountID: "deployer"}, []int64{5}},
			{"target type and id together", audit.Filter{TargetType: "api_key", TargetID: "key-3"}, []int64{4}},
			{"the result filter", audit.Filter{Result: "denied"}, []int64{9, 6, 3}},
			{"the correlation filter", audit.Filter{CorrelationID: "corr-1"}, []int64{8, 6, 4, 2}},
			{"since is inclusive and until exclusive", audit.Filter{Since: t0.Add(2 * time.Minute), Until: t0.Add(4 * time.Minute)}, []int64{4, 3}},
			{"a list of actions, as a category gives", audit.Filter{Actions: []string{"billing.invoice.void"}}, []int64{9, 6, 3}},
			{"an empty action list matches nothing", audit.Filter{Actions: []string{}}, nil},
			{"excluded actions, as Uncategorized gives", audit.Filter{ExcludeActions: []string{"billing.invoice.void", "fleet.node.drain", "credentials.api_key.rotate"}}, []int64{8}},
			{"the keyset cursor starts below a seq", audit.Filter{BeforeSeq: 4}, []int64{3, 2, 1}},
			{"the limit cuts the page", audit.Filter{Limit: 2}, []int64{9, 8}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if tt.f.Limit == 0 {
					tt.f.Limit = 100
				}
				events, err := db.ListEvents(context.Background(), tt.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []int64
				for _, e := range events {
					got = append(got, e.Seq)
				}
				if fmt.Sprint(got) != fmt.Sprint(tt.want) {
					t.Errorf("seqs %v, want %v", got, tt.want)
				}
			})
		}
	})
}

func TestReadinessNeedsMigrations(t *testing.T) {
	testdb.ForEachEmpty(t, func(t *testing.T, tg testdb.Target) {
		ctx := context.Background()
		db, err := store.Open(ctx, store.Options{URL: tg.URL, DataDir: tg.DataDir})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Ready(ctx); err == nil || !strings.Contains(err.Error(), "aeso migrate") {
			t.Errorf("Ready before migrating = %v; want an error that says to migrate", err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.Ready(ctx); err != nil {
			t.Errorf("Ready after migrating = %v", err)
		}
		applied, err := db.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Errorf("a second Migrate applied %v (err %v); want nothing", applied, err)
		}
	})
}
