package store

import (
	"context"
	"database/sql"
	"slices"
	"sync"
)

// maxCachedStmts bounds the statements the SQLite writer keeps prepared.
// A group's inserts differ only by their row counts, so a server that
// takes single events uses a few dozen; the rest are written as before.
const maxCachedStmts = 256

// maxCachedArgs bounds the parameters of a statement worth keeping: a
// group's inserts have at most a few hundred, and a batch's 1000-row
// insert parses in a small share of its own execution.
const maxCachedArgs = 1100

// writeStmts keeps the SQLite writer's statements prepared. SQLite parses
// and compiles a statement, with the programs of the table's triggers
// and indexes, each time it is prepared, and modernc.org/sqlite prepares
// every statement it is given: that was a fifth of the single-event
// commit loop's time. PostgreSQL needs none of this: pgx keeps each
// connection's statements prepared by their text.
type writeStmts struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
	want  []string // to prepare once the writer's connection is free
}

// txExec runs query in tx, from a statement the writer keeps prepared
// when it is one worth keeping.
func (db *DB) txExec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	st := db.cachedStmt(query, len(args))
	if st == nil {
		return tx.ExecContext(ctx, query, args...)
	}
	return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
}

// txQueryRow is txExec for a statement that returns one row.
func (db *DB) txQueryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	st := db.cachedStmt(query, len(args))
	if st == nil {
		return tx.QueryRowContext(ctx, query, args...)
	}
	return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
}

// cachedStmt returns query prepared on the writer, or nil when it is not
// prepared (PostgreSQL, too many parameters, the cache full, or not yet:
// the writer's one connection is the transaction's, so a statement first
// seen in a transaction is prepared after it, by prepareWanted).
func (db *DB) cachedStmt(query string, args int) *sql.Stmt {
	if db.dialect.name() != "sqlite" || args > maxCachedArgs {
		return nil
	}
	c := &db.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st
	}
	if len(c.stmts)+len(c.want) < maxCachedStmts && !slices.Contains(c.want, query) {
		c.want = append(c.want, query)
	}
	return nil
}

// prepareWanted prepares the statements transactions asked for, once the
// writer's connection is free. A statement that fails to prepare is left
// to be written unprepared.
func (db *DB) prepareWanted(ctx context.Context) {
	c := &db.stmts
	c.mu.Lock()
	want := c.want
	c.want = nil
	c.mu.Unlock()
	for _, q := range want {
		st, err := db.write.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if c.stmts == nil {
			c.stmts = make(map[string]*sql.Stmt)
		}
		c.stmts[q] = st
		c.mu.Unlock()
	}
}

// close releases the kept statements.
func (c *writeStmts) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = nil
}
