package store_test

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/store"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// TestThirtyTwoWritersLoseNothing is 32 senders of single events and two
// of batches at once: every event is stored once, seq has no gap, each
// sender's events keep its order, the tree covers them all, and single
// events shared transactions.
func TestThirtyTwoWritersLoseNothing(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		db := open(t, tg)
		ctx := context.Background()
		const writers, each, batches, batch = 32, 25, 4, 50
		seqs := make([][]int64, writers+2)
		var wg sync.WaitGroup
		errs := make(chan error, writers+2)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					e, created, err := db.AppendEvent(ctx, event(w*1000+i))
					if err != nil || !created {
						errs <- errors.Join(err, errors.New("a single event was not created"))
						return
					}
					seqs[w] = append(seqs[w], e.Seq)
				}
			}()
		}
		for b := 0; b < 2; b++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < batches; i++ {
					var events []*audit.Event
					for j := 0; j < batch; j++ {
						events = append(events, event(100000+b*10000+i*100+j))
					}
					stored, _, err := db.AppendEvents(ctx, audit.Slice(events))
					if err != nil {
						errs <- err
						return
					}
					for _, e := range stored {
						seqs[writers+b] = append(seqs[writers+b], e.Seq)
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		total := writers*each + 2*batches*batch
		var all []int64
		for w, s := range seqs {
			if !sort.SliceIsSorted(s, func(i, j int) bool { return s[i] < s[j] }) {
				t.Fatalf("sender %d saw its events stored out of order: %v", w, s)
			}
			all = append(all, s...)
		}
		sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
		for i, s := range all {
			if s != int64(i)+1 {
				t.Fatalf("answered seqs %v…: want 1…%d without gap or repeat", all[max(0, i-3):i+1], total)
			}
		}
		if n := count(t, db); n != total {
			t.Fatalf("%d events stored; want %d", n, total)
		}
		requireTreeMatchesEvents(t, db, int64(total))
		commits, events := db.GroupCommits()
		if events != writers*each || commits >= events {
			t.Fatalf("%d single events in %d transactions; want %d events sharing fewer transactions", events, commits, writers*each)
		}
	})
}

// TestOneGroupKeepsEachSendersAnswer holds the seq lock while a group
// forms, so its events are committed together, and checks each sender's
// answer: a replay of a stored event, a conflict with one, the same new
// event sent twice, an event the database refuses, and fresh events.
func TestOneGroupKeepsEachSendersAnswer(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		db := open(t, tg)
		ctx := context.Background()
		stored, _ := append1(t, db, event(1))

		release, blocked := holdSeqLock(t, db)

		type answer struct {
			e       *audit.Event
			created bool
			err     error
		}
		send := func(e *audit.Event) chan answer {
			ch := make(chan answer, 1)
			go func() {
				got, created, err := db.AppendEvent(ctx, e)
				ch <- answer{got, created, err}
			}()
			return ch
		}
		// The first event is taken and waits for the lock; the others
		// queue behind it and form the next group.
		lead := send(event(2))
		eventually(t, "the committer to take the first event", func() bool { return db.TakenEvents() == 1 })
		fresh := event(3)
		twice := *fresh
		replay := *stored[0]
		clash := *stored[0]
		clash.Action = "billing.invoice.void"
		refused := event(4)
		refused.Result = "maybe" // the schema's CHECK refuses it
		last := event(5)
		answers := []chan answer{send(fresh), send(&twice), send(&replay), send(&clash), send(refused), send(last)}
		eventually(t, "six events to queue", func() bool { return db.QueuedEvents() == 6 })
		close(release)
		if err := <-blocked; err != nil {
			t.Fatal(err)
		}
		if a := <-lead; a.err != nil || !a.created || a.e.Seq != 2 {
			t.Fatalf("the first event: seq %v, created %v, %v; want seq 2 created", a.e, a.created, a.err)
		}
		got := make([]answer, len(answers))
		for i, ch := range answers {
			got[i] = <-ch
		}
		// fresh and its twin: one created, both answered with its seq.
		if got[0].err != nil || got[1].err != nil || got[0].created == got[1].created || got[0].e.Seq != got[1].e.Seq {
			t.Fatalf("the same new event sent twice: %+v and %+v; want one created, one replay of the same seq", got[0], got[1])
		}
		if a := got[2]; a.err != nil || a.created || a.e.Seq != 1 {
			t.Fatalf("a replay of a stored event: %+v; want seq 1, not created", a)
		}
		var conflict *audit.IDConflictError
		if a := got[3]; !errors.As(a.err, &conflict) {
			t.Fatalf("a stored id with other content: %+v; want a conflict", a)
		}
		if a := got[4]; a.err == nil {
			t.Fatalf("an event the database refuses was stored: %+v", a)
		}
		if a := got[5]; a.err != nil || !a.created {
			t.Fatalf("a fresh event beside a refused one: %+v; want it stored", a)
		}
		// 1 stored before, the lead, fresh, last: seq 1…4 without gap.
		if n := count(t, db); n != 4 {
			t.Fatalf("%d events stored; want 4", n)
		}
		if s := []int64{got[0].e.Seq, got[5].e.Seq}; s[0] < 3 || s[1] < 3 || s[0] == s[1] || max(s[0], s[1]) != 4 {
			t.Fatalf("the group's new events have seqs %v; want 3 and 4", s)
		}
		requireTreeMatchesEvents(t, db, 4)
	})
}

// TestAnEventWhoseSenderGaveUpIsNotStored: a sender whose deadline passes
// while its event waits for a group takes the event back.
func TestAnEventWhoseSenderGaveUpIsNotStored(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		db := open(t, tg)
		ctx := context.Background()
		release, blocked := holdSeqLock(t, db)
		lead := make(chan error, 1)
		go func() { _, _, err := db.AppendEvent(ctx, event(1)); lead <- err }()
		eventually(t, "the committer to take the first event", func() bool { return db.TakenEvents() == 1 })
		gone, cancel := context.WithCancel(ctx)
		cancelled := make(chan error, 1)
		go func() { _, _, err := db.AppendEvent(gone, event(2)); cancelled <- err }()
		eventually(t, "the second event to queue", func() bool { return db.QueuedEvents() == 1 })
		cancel()
		if err := <-cancelled; !errors.Is(err, context.Canceled) {
			t.Fatalf("a sender that gave up got %v; want context.Canceled", err)
		}
		close(release)
		if err := <-blocked; err != nil {
			t.Fatal(err)
		}
		if err := <-lead; err != nil {
			t.Fatal(err)
		}
		// A later event shows the committer moved past the abandoned one.
		if _, _, err := db.AppendEvent(ctx, event(3)); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db); n != 2 {
			t.Fatalf("%d events stored; want 2 (the abandoned one not among them)", n)
		}
		requireTreeMatchesEvents(t, db, 2)
	})
}

func TestAClosedDatabaseRefusesSingleEvents(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		db, err := store.Open(context.Background(), store.Options{URL: tg.URL, DataDir: tg.DataDir})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.AppendEvent(context.Background(), event(1)); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if _, _, err := db.AppendEvent(context.Background(), event(2)); err == nil {
			t.Fatal("a closed database accepted an event")
		}
	})
}

// holdSeqLock starts a batch that holds the seq lock until release is
// closed; blocked then yields its result.
func holdSeqLock(t *testing.T, db *store.DB) (release chan struct{}, blocked chan error) {
	t.Helper()
	release, blocked = make(chan struct{}), make(chan error, 1)
	holding := make(chan struct{})
	go func() {
		first := true
		_, _, err := db.AppendEvents(context.Background(), func() ([]*audit.Event, error) {
			if first {
				first = false
				close(holding)
				<-release
			}
			return nil, nil
		})
		blocked <- err
	}()
	<-holding
	return release, blocked
}

// eventually polls ok every millisecond until it holds, for up to 10s.
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for !ok() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("waited 10s for %s", what)
		}
	}
}

// TestSingleEventsOfTwoServersInterleave is two replicas sending single
// events to one database. On PostgreSQL a group is written as one
// statement numbered after the tree its server committed last; when the
// other server stored events since, the statement must write nothing and
// the group go through a transaction, so seq keeps no gap, an id stored by
// the other server is a replay, and both trees match the events.
func TestSingleEventsOfTwoServersInterleave(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		a, b := open(t, tg), open(t, tg)
		ctx := context.Background()
		send := func(db *store.DB, e *audit.Event, wantSeq int64, wantCreated bool) {
			t.Helper()
			got, created, err := db.AppendEvent(ctx, e)
			if err != nil || got.Seq != wantSeq || created != wantCreated {
				t.Fatalf("event %s: %+v, created %v, %v; want seq %d, created %v", e.TargetID, got, created, err, wantSeq, wantCreated)
			}
		}
		send(a, event(1), 1, true) // a learns the tree
		send(a, event(2), 2, true) // on PostgreSQL, one statement
		fromB := event(3)
		send(b, fromB, 3, true)
		send(a, event(4), 4, true) // a's tree is stale: a transaction,
		// and so for the next groups of a.
		replay := *fromB
		send(a, &replay, 3, false)
		send(b, event(5), 5, true)
		send(a, event(6), 6, true)
		requireTreeMatchesEvents(t, a, 6)
		requireTreeMatchesEvents(t, b, 6)
		if tg.Dialect == "postgres" {
			// a: event 2 alone; event 4 found seq moved on; the replay
			// and event 6 went straight to a transaction.
			if written, stale := a.GroupsAlone(); written != 1 || stale != 1 {
				t.Fatalf("server a wrote %d groups alone and found %d stale; want 1 and 1", written, stale)
			}
		}

		// Both at once, 16 senders each.
		const senders, each = 16, 20
		var wg sync.WaitGroup
		errs := make(chan error, 2*senders)
		var mu sync.Mutex
		var seqs []int64
		for s := 0; s < 2*senders; s++ {
			db := a
			if s%2 == 1 {
				db = b
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					e, created, err := db.AppendEvent(ctx, event(1000*s+i))
					if err != nil || !created {
						errs <- errors.Join(err, errors.New("a single event was not created"))
						return
					}
					mu.Lock()
					seqs = append(seqs, e.Seq)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
		for i, s := range seqs {
			if s != int64(i)+7 {
				t.Fatalf("answered seqs %v…: want 7…%d without gap or repeat", seqs[max(0, i-3):i+1], 6+2*senders*each)
			}
		}
		total := 6 + 2*senders*each
		if n := count(t, a); n != total {
			t.Fatalf("%d events stored; want %d", n, total)
		}
		requireTreeMatchesEvents(t, a, int64(total))
		requireTreeMatchesEvents(t, b, int64(total))
	})
}

// TestABatchOfTheSameServerLeavesGroupsAlone: a group whose statement
// waited for the seq lock while a batch of its own server stored events
// finds the counter moved on and takes the transaction, but the next
// group is written alone again: only another replica's writes make the
// server stop trying for a while.
func TestABatchOfTheSameServerLeavesGroupsAlone(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		db := open(t, tg)
		ctx := context.Background()
		for i := 1; i <= 2; i++ { // the first learns the tree
			if _, _, err := db.AppendEvent(ctx, event(i)); err != nil {
				t.Fatal(err)
			}
		}
		release, holding, batch := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			k := 0
			_, _, err := db.AppendEvents(ctx, func() ([]*audit.Event, error) {
				if k++; k == 1 {
					return []*audit.Event{event(3)}, nil
				}
				if k == 2 {
					close(holding)
					<-release
				}
				return nil, nil
			})
			batch <- err
		}()
		<-holding
		single := make(chan error, 1)
		go func() {
			_, _, err := db.AppendEvent(ctx, event(4))
			single <- err
		}()
		if tg.Dialect == "postgres" {
			// Wait until the group's statement waits for the batch's lock.
			eventually(t, "the group to wait for the seq lock", func() bool {
				var n int
				err := db.WriteConn().QueryRow(`SELECT count(*) FROM pg_locks a JOIN pg_locks w ON w.pid = a.pid
					WHERE a.relation = 'audit_seq'::regclass AND a.mode = 'RowExclusiveLock' AND a.granted AND NOT w.granted`).Scan(&n)
				return err == nil && n == 1
			})
		}
		close(release)
		if err := <-batch; err != nil {
			t.Fatal(err)
		}
		if err := <-single; err != nil {
			t.Fatal(err)
		}
		e, _, err := db.AppendEvent(ctx, event(5))
		if err != nil || e.Seq != 5 {
			t.Fatalf("the next single event: %+v, %v; want seq 5", e, err)
		}
		requireTreeMatchesEvents(t, db, 5)
		if tg.Dialect == "postgres" {
			if written, stale := db.GroupsAlone(); written != 2 || stale != 1 {
				t.Fatalf("%d groups written alone, %d found stale; want events 2 and 5 alone, 4 stale", written, stale)
			}
		}
	})
}
