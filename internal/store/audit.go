package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/tlog"
)

var _ audit.Store = (*DB)(nil)

// auditColumns are audit_logs' columns in insert order.
const auditColumns = `seq, id, actor_user_id, actor_service_account_id, actor_role, action,
	target_type, target_id, result, correlation_id, occurred_at, metadata,
	recorded_at, source, request_id, trace_id, redacted_paths`

const auditColumnCount = 17

// insertChunk bounds rows per INSERT: 1000 × 17 parameters stays below
// both SQLite's and PostgreSQL's limits.
const insertChunk = 1000

// eventColumns are what scanEvents reads, from audit_logs l and
// audit_display_names d.
const eventColumns = `l.seq, l.id, l.actor_user_id, l.actor_service_account_id, l.actor_role,
	l.action, l.target_type, l.target_id, l.result, l.correlation_id, l.occurred_at,
	l.metadata, l.recorded_at, l.source, l.request_id, l.trace_id, l.redacted_paths,
	COALESCE(d.actor_display_name, ''), COALESCE(d.target_display_name, '')`

const selectEvents = `SELECT ` + eventColumns + `
	FROM audit_logs l LEFT JOIN audit_display_names d ON d.seq = l.seq`

// AppendEvents implements audit.Store. Chunks are written as they arrive,
// so the caller can validate chunk k+1 while chunk k is inserted; an error
// from next rolls everything back.
func (db *DB) AppendEvents(ctx context.Context, next audit.Chunks) (_ []*audit.Event, _ []bool, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	var stored []*audit.Event
	var created []bool
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		start, err := db.lockSeq(ctx, tx)
		if err != nil {
			return err
		}
		last := start
		for {
			chunk, err := next()
			if err != nil {
				return err
			}
			if chunk == nil {
				break
			}
			existing, err := db.eventsByID(ctx, tx, chunk)
			if err != nil {
				return err
			}
			var fresh []*audit.Event
			for _, e := range chunk {
				if old, ok := existing[e.ID]; ok {
					if !old.SameContent(e) {
						return &audit.IDConflictError{ID: e.ID}
					}
					stored, created = append(stored, old), append(created, false)
					continue
				}
				stored, created = append(stored, e), append(created, true)
				fresh = append(fresh, e)
			}
			if last, err = db.insertNumbered(ctx, tx, last, fresh, false); err != nil {
				return err
			}
		}
		return db.saveSeq(ctx, tx, start, last)
	})
	if err != nil {
		return nil, nil, err
	}
	return stored, created, nil
}

// lockSeq reads the last seq handed out and holds the lock on it until tx ends.
func (db *DB) lockSeq(ctx context.Context, tx *sql.Tx) (int64, error) {
	var last int64
	if err := db.txQueryRow(ctx, tx, db.dialect.lockSeq()).Scan(&last); err != nil {
		return 0, fmt.Errorf("lock audit seq: %w", err)
	}
	return last, nil
}

// insertNumbered numbers events after last, inserts them and adds them to
// the audit tree; tx must hold the seq lock. With advance it also moves the
// seq counter on to the events' last seq, as saveSeq does. It returns the
// new last seq.
func (db *DB) insertNumbered(ctx context.Context, tx *sql.Tx, last int64, events []*audit.Event, advance bool) (int64, error) {
	if len(events) == 0 {
		return last, nil
	}
	start := last
	for _, e := range events {
		last++
		e.Seq = last
	}
	search, err := db.writesSearchRows(ctx, tx)
	if err != nil {
		return 0, err
	}
	if db.dialect.name() == "postgres" {
		return last, db.writePostgres(ctx, tx, events, search, advance)
	}
	if err := db.writeSQLite(ctx, tx, events, search); err != nil {
		return 0, err
	}
	if advance {
		return last, db.saveSeq(ctx, tx, start, last)
	}
	return last, nil
}

// writeSQLite inserts numbered events, their search rows if search is
// set, and their leaves into the tree.
func (db *DB) writeSQLite(ctx context.Context, tx *sql.Tx, events []*audit.Event, search bool) error {
	if db.noTree {
		return db.insertEvents(ctx, tx, events, search)
	}
	// The leaf hashes are CPU work the insert need not wait for: computed
	// beside it, they cost the seq lock's holder little more than the
	// insert itself.
	var leaves []tlog.Hash
	var leafErr error
	hashed := make(chan struct{})
	go func() {
		defer close(hashed)
		leaves, leafErr = leafHashes(events)
	}()
	err := db.insertEvents(ctx, tx, events, search)
	<-hashed
	if err != nil {
		return err
	}
	if leafErr != nil {
		return leafErr
	}
	return db.appendTree(ctx, tx, events[0].Seq, leaves)
}

// saveSeq advances the counter from start to last.
func (db *DB) saveSeq(ctx context.Context, tx *sql.Tx, start, last int64) error {
	if last == start {
		return nil
	}
	if _, err := db.txExec(ctx, tx, `UPDATE audit_seq SET last_seq = $1 WHERE id = 1`, last); err != nil {
		return fmt.Errorf("advance audit seq: %w", err)
	}
	return nil
}

// insertEvents writes events whose seq is already set, and their search
// rows if search is set (SQLite).
func (db *DB) insertEvents(ctx context.Context, tx *sql.Tx, events []*audit.Event, search bool) error {
	for start := 0; start < len(events); start += insertChunk {
		chunk := events[start:min(start+insertChunk, len(events))]
		var q strings.Builder
		q.WriteString("INSERT INTO audit_logs (" + auditColumns + ") VALUES ")
		args := make([]any, 0, len(chunk)*auditColumnCount)
		var names []any
		for i, e := range chunk {
			if i > 0 {
				q.WriteByte(',')
			}
			db.writePlaceholders(&q, len(args), auditColumnCount)
			paths, err := json.Marshal(nonNil(e.RedactedPaths))
			if err != nil {
				return err
			}
			args = append(args, e.Seq, e.ID, e.ActorUserID, e.ActorServiceAccountID, e.ActorRole,
				e.Action, e.TargetType, e.TargetID, e.Result, e.CorrelationID,
				db.dialect.timeArg(e.OccurredAt), string(e.Metadata), db.dialect.timeArg(e.RecordedAt),
				e.Source, e.RequestID, e.TraceID, string(paths))
			if e.ActorDisplayName != "" || e.TargetDisplayName != "" {
				names = append(names, e.Seq, e.ActorDisplayName, e.TargetDisplayName)
			}
		}
		if _, err := db.txExec(ctx, tx, q.String(), args...); err != nil {
			return fmt.Errorf("insert audit events: %w", err)
		}
		if search {
			if err := db.insertSearchText(ctx, tx, chunk); err != nil {
				return err
			}
		}
		if len(names) > 0 {
			q.Reset()
			q.WriteString("INSERT INTO audit_display_names (seq, actor_display_name, target_display_name) VALUES ")
			for i := 0; i < len(names); i += 3 {
				if i > 0 {
					q.WriteByte(',')
				}
				db.writePlaceholders(&q, i, 3)
			}
			if _, err := db.txExec(ctx, tx, q.String(), names...); err != nil {
				return fmt.Errorf("insert audit display names: %w", err)
			}
		}
	}
	return nil
}

// writePostgres writes numbered events on PostgreSQL as one statement of
// data-modifying WITH queries: the events, their search rows (each a
// tsvector made in Go that the database only parses), their display
// names, the tree's new hashes and, with advance, the seq counter. Each
// table's rows go in as one array per column (unnest), so the statement
// has the same few parameters however many rows, and PostgreSQL parses
// and plans it once, at about the rate of COPY; a group commit is one
// round trip between taking the seq lock and committing.
func (db *DB) writePostgres(ctx context.Context, tx *sql.Tx, events []*audit.Event, search, advance bool) error {
	var leaves []tlog.Hash
	var leafErr error
	hashed := make(chan struct{})
	go func() {
		defer close(hashed)
		if !db.noTree {
			leaves, leafErr = leafHashes(events)
		}
	}()
	var st pgStatement
	err := st.addEvents(events, search)
	<-hashed
	if err != nil {
		return err
	}
	if leafErr != nil {
		return leafErr
	}
	var g *treeGrowth
	if !db.noTree {
		if g, err = db.planAppend(ctx, tx, events[0].Seq, leaves); err != nil {
			return err
		}
		st.addRuns(g.runs)
	}
	if advance {
		st.add(`UPDATE audit_seq SET last_seq = ` + st.arg(events[len(events)-1].Seq) + ` WHERE id = 1`)
	}
	if err := st.exec(ctx, tx); err != nil {
		return fmt.Errorf("insert audit events: %w", err)
	}
	if g != nil {
		db.edge.grew(tx, g.size, g.frontier, g.added)
	}
	return nil
}

// appendInTx writes events inside a transaction that belongs to another
// change (a token's creation), so the change and its record commit together.
func (db *DB) appendInTx(ctx context.Context, tx *sql.Tx, events ...*audit.Event) error {
	start, err := db.lockSeq(ctx, tx)
	if err != nil {
		return err
	}
	return db.writeAfter(ctx, tx, start, events)
}

// writeAfter numbers, inserts and counts events after start; tx holds the
// seq lock.
func (db *DB) writeAfter(ctx context.Context, tx *sql.Tx, start int64, events []*audit.Event) error {
	_, err := db.insertNumbered(ctx, tx, start, events, true)
	return err
}

// writePlaceholders writes "(p1,…,pn)" for parameters offset+1…offset+n.
func (db *DB) writePlaceholders(b *strings.Builder, offset, n int) {
	b.WriteByte('(')
	for j := 1; j <= n; j++ {
		if j > 1 {
			b.WriteByte(',')
		}
		b.WriteString(db.dialect.placeholder(offset + j))
	}
	b.WriteByte(')')
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (db *DB) eventsByID(ctx context.Context, q querier, all []*audit.Event) (map[string]*audit.Event, error) {
	out := map[string]*audit.Event{}
	var events []*audit.Event
	for _, e := range all {
		if !e.GeneratedID {
			events = append(events, e)
		}
	}
	for start := 0; start < len(events); start += insertChunk {
		chunk := events[start:min(start+insertChunk, len(events))]
		ids := make([]string, len(chunk))
		for i, e := range chunk {
			ids[i] = e.ID
		}
		b := db.build()
		b.in("l.id", ids, false)
		sel := b.query(selectEvents + b.clause())
		rows, err := q.QueryContext(ctx, sel.sql, sel.args...)
		if err != nil {
			return nil, fmt.Errorf("look up event ids: %w", err)
		}
		found, err := scanEvents(rows)
		if err != nil {
			return nil, err
		}
		for _, e := range found {
			out[e.ID] = e
		}
	}
	return out, nil
}

func scanEvents(rows *sql.Rows) ([]*audit.Event, error) {
	defer rows.Close()
	var out []*audit.Event
	for rows.Next() {
		var e audit.Event
		var occurred, recorded dbTime
		var metadata, paths string
		if err := rows.Scan(&e.Seq, &e.ID, &e.ActorUserID, &e.ActorServiceAccountID, &e.ActorRole,
			&e.Action, &e.TargetType, &e.TargetID, &e.Result, &e.CorrelationID, &occurred,
			&metadata, &recorded, &e.Source, &e.RequestID, &e.TraceID, &paths,
			&e.ActorDisplayName, &e.TargetDisplayName); err != nil {
			return nil, fmt.Errorf("scan audit event: %w", err)
		}
		e.OccurredAt, e.RecordedAt = occurred.Time, recorded.Time
		e.Metadata = json.RawMessage(metadata)
		if err := json.Unmarshal([]byte(paths), &e.RedactedPaths); err != nil {
			return nil, fmt.Errorf("event %s: redacted_paths: %w", e.ID, err)
		}
		out = append(out, &e)
	}
	return out, rows.Err()
}

// GetEvent implements audit.Store.
func (db *DB) GetEvent(ctx context.Context, id string) (_ *audit.Event, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, aeso.Reasonf(aeso.ENOTFOUND, "event_not_found", "no audit event has this id")
	}
	rows, err := db.read.QueryContext(ctx, selectEvents+" WHERE l.id = $1", u.String())
	if err != nil {
		return nil, fmt.Errorf("get event: %w", err)
	}
	found, err := scanEvents(rows)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, aeso.Reasonf(aeso.ENOTFOUND, "event_not_found", "no audit event has this id")
	}
	return found[0], nil
}

// errNoRows maps sql.ErrNoRows to a domain not-found error.
func errNoRows(err error, reason, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return aeso.Reasonf(aeso.ENOTFOUND, reason, format, args...)
	}
	return err
}
