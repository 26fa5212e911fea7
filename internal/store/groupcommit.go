package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
)

// maxGroup bounds the events one group commit writes.
const maxGroup = insertChunk

// groupQueue is how many single events may wait for the next group before
// a sender waits for room (within its own deadline).
const groupQueue = 4 * maxGroup

// A waiting event's state: queued until the committer takes it or its
// sender gives up, whichever comes first; never both.
const (
	queued int32 = iota
	taken
	abandoned
)

type pendingEvent struct {
	e *audit.Event
	// deadline is the sender's: its group never runs past the earliest of
	// its members', so no sender waits for its answer longer than its own
	// operation deadline, however long it queued behind a stuck group.
	deadline time.Time
	state    atomic.Int32
	done     chan groupResult // buffered: the committer never waits for the sender
}

type groupResult struct {
	stored  *audit.Event
	created bool
	err     error
}

// committer writes single events in groups: whatever arrived while the
// previous group committed goes into the next transaction, so concurrent
// senders share one seq lock, one tree update and one fsync instead of
// taking turns for each.
type committer struct {
	start   sync.Once
	closing sync.Once
	queue   chan *pendingEvent
	stop    chan struct{}
	done    chan struct{}

	commits, events atomic.Int64
	taken           atomic.Int64
	// alone counts the groups writeGroupAlone wrote, stale those it found
	// the seq counter moved on and left to writeGroup's transaction.
	alone, stale atomic.Int64
	// skipAlone is how many groups go straight to the transaction after a
	// group another replica made stale: it is writing too, and would
	// likely move the counter on again. Only the commit loop uses it.
	skipAlone int
}

// groupsAfterStale is skipAlone's value after a stale group: with two
// busy replicas, one statement in this many wastes its round trip.
const groupsAfterStale = 16

// GroupCommits returns how many group transactions committed and how many
// events they held.
func (db *DB) GroupCommits() (commits, events int64) {
	return db.group.commits.Load(), db.group.events.Load()
}

func newCommitter() *committer {
	return &committer{
		queue: make(chan *pendingEvent, groupQueue),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
}

// AppendEvent stores one event like AppendEvents (same idempotency, same
// gap-free seq), in a transaction shared with the single events that arrive
// at the same time. It returns once the event is committed, or with an
// error if it never will be: a sender whose deadline passes while its event
// still waits takes it back; once its group has begun, it waits for the
// group's answer, which the group's own deadline bounds.
func (db *DB) AppendEvent(ctx context.Context, e *audit.Event) (_ *audit.Event, _ bool, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	c := db.group
	c.start.Do(func() { go db.commitLoop() })
	p := &pendingEvent{e: e, done: make(chan groupResult, 1)}
	p.deadline, _ = ctx.Deadline() // db.op set one
	select {
	case <-c.stop:
		return nil, false, errClosing()
	default:
	}
	select {
	case c.queue <- p:
	case <-c.stop:
		return nil, false, errClosing()
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
	select {
	case r := <-p.done:
		return r.stored, r.created, r.err
	case <-ctx.Done():
		if p.state.CompareAndSwap(queued, abandoned) {
			return nil, false, ctx.Err()
		}
		r := <-p.done
		return r.stored, r.created, r.err
	}
}

func errClosing() error {
	return aeso.Reasonf(aeso.EUNAVAILABLE, aeso.EUNAVAILABLE, "the server is shutting down; retry later")
}

// commitLoop takes the waiting events, as many as are there, and commits
// them as one group, until the database closes.
func (db *DB) commitLoop() {
	c := db.group
	defer close(c.done)
	for {
		var group []*pendingEvent
		select {
		case p := <-c.queue:
			group = c.take(group, p, db.minGroupTime())
		case <-c.stop:
			c.refuseWaiting()
			return
		}
	drain:
		for len(group) < maxGroup {
			select {
			case p := <-c.queue:
				group = c.take(group, p, db.minGroupTime())
			default:
				break drain
			}
		}
		if len(group) > 0 {
			db.commitGroup(group)
		}
	}
}

// take adds p to group unless its sender gave up on it. An event whose
// sender has too little time left for a write (it queued behind a group
// the database held up) is answered unavailable instead, unwritten: in a
// group it would cut the others' time to its own.
func (c *committer) take(group []*pendingEvent, p *pendingEvent, floor time.Duration) []*pendingEvent {
	if !p.state.CompareAndSwap(queued, taken) {
		return group
	}
	if time.Until(p.deadline) < floor {
		p.done <- groupResult{err: errUnavailable()}
		return group
	}
	c.taken.Add(1)
	return append(group, p)
}

// minGroupTime is the least time before its deadline an event is taken
// into a group with: a quarter of the operation deadline.
func (db *DB) minGroupTime() time.Duration { return db.timeout / 4 }

// refuseWaiting answers every event still queued when the database closes.
func (c *committer) refuseWaiting() {
	for {
		select {
		case p := <-c.queue:
			if p.state.CompareAndSwap(queued, taken) {
				p.done <- groupResult{err: errClosing()}
			}
		default:
			return
		}
	}
}

// commitGroup writes group in one transaction and answers each sender. A
// group that fails for a reason other than an outage is written again one
// event at a time, so one bad event cannot fail the others.
func (db *DB) commitGroup(group []*pendingEvent) {
	results, err := db.writeGroup(group)
	if err == nil {
		db.group.commits.Add(1)
		db.group.events.Add(int64(len(group)))
	}
	if err != nil && len(group) > 1 && !outage(err) {
		for _, p := range group {
			db.commitGroup([]*pendingEvent{p})
		}
		return
	}
	for i, p := range group {
		if err != nil {
			p.done <- groupResult{err: err}
		} else {
			p.done <- results[i]
		}
	}
}

// writeGroup stores the group's new events after the stored ones, in
// arrival order, and returns each sender's answer: its event, a replay of
// one already stored (or sent earlier in the group) with the same
// content, or a conflict.
func (db *DB) writeGroup(group []*pendingEvent) (results []groupResult, err error) {
	deadline := time.Now().Add(db.timeout)
	for _, p := range group {
		if !p.deadline.IsZero() && p.deadline.Before(deadline) {
			deadline = p.deadline
		}
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	events := make([]*audit.Event, len(group))
	for i, p := range group {
		events[i] = p.e
	}
	if results, ok, err := db.writeGroupAlone(ctx, events); ok || err != nil {
		return results, db.classify(err)
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		start, err := db.lockSeq(ctx, tx)
		if err != nil {
			return err
		}
		existing, err := db.eventsByID(ctx, tx, events)
		if err != nil {
			return err
		}
		var fresh []*audit.Event
		results, fresh = sortGroup(events, existing)
		_, err = db.insertNumbered(ctx, tx, start, fresh, true)
		return err
	})
	return results, db.classify(err)
}

// sortGroup answers each event of a group from the stored events with the
// group's ids: a new event (the first with its id in the group) is
// created, one with the content of the stored (or earlier) event of its
// id is a replay, one with other content a conflict. fresh are the new
// events, in arrival order.
func sortGroup(events []*audit.Event, existing map[string]*audit.Event) (results []groupResult, fresh []*audit.Event) {
	results = make([]groupResult, len(events))
	first := make(map[string]*audit.Event, len(events))
	for i, e := range events {
		stored, ok := existing[e.ID]
		if !ok {
			stored, ok = first[e.ID]
		}
		switch {
		case !ok:
			first[e.ID] = e
			fresh = append(fresh, e)
			results[i] = groupResult{stored: e, created: true}
		case stored.SameContent(e):
			results[i] = groupResult{stored: stored}
		default:
			results[i] = groupResult{err: &audit.IDConflictError{ID: e.ID}}
		}
	}
	return results, fresh
}

// writeGroupAlone writes a group on PostgreSQL as one statement in a
// transaction of its own, one round trip (two when the group carries ids
// of its senders, which are looked up first), where writeGroup's
// transaction takes four or five. It numbers the events after the tree
// this process committed last and carries that guess into the statement:
// the statement first moves the seq counter on from exactly that value,
// and every other part writes only if it did. Every writer of audit_logs
// moves the counter under its lock, so a counter still at the guess means
// no event was stored since, by this process or another: the ids looked
// up are still all there are, and the tree's edge kept in memory is the
// stored one. A counter moved on writes nothing and reports !ok, and the
// group goes through writeGroup's transaction, which takes the lock
// first, and so do the next groupsAfterStale groups. So do groups on
// SQLite, where the transaction costs no round trips.
func (db *DB) writeGroupAlone(ctx context.Context, events []*audit.Event) (_ []groupResult, ok bool, _ error) {
	if db.dialect.name() != "postgres" || db.noTree || !db.searchRows.Load() {
		return nil, false, nil
	}
	if db.group.skipAlone > 0 {
		db.group.skipAlone--
		return nil, false, nil
	}
	size, frontier := db.edge.committed()
	if frontier == nil {
		return nil, false, nil
	}
	existing, err := db.eventsByID(ctx, db.write, events)
	if err != nil {
		return nil, false, err
	}
	results, fresh := sortGroup(events, existing)
	if len(fresh) == 0 {
		return results, true, nil
	}
	for i, e := range fresh {
		e.Seq = size + int64(i) + 1
	}
	leaves, err := leafHashes(fresh)
	if err != nil {
		return nil, false, err
	}
	g, err := db.planGrowth(ctx, nil, size, frontier, leaves)
	if err != nil {
		return nil, false, err
	}
	var st pgStatement
	st.guardSeq(size, g.size)
	if err := st.addEvents(fresh, true); err != nil {
		return nil, false, err
	}
	st.addRuns(g.runs)
	moved, err := st.execGuarded(ctx, db.write)
	if err != nil {
		return nil, false, err
	}
	if !moved {
		db.group.stale.Add(1)
		if !db.edge.grownHere(size) {
			// Not a batch of this server's: another replica's.
			db.group.skipAlone = groupsAfterStale
		}
		return nil, false, nil
	}
	db.group.alone.Add(1)
	db.edge.published(g.size, g.frontier, g.added)
	return results, true, nil
}
