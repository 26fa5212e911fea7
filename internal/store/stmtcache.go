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

// maxCachedReads bounds the statements the SQLite readers keep prepared;
// each is prepared on every reader connection that runs it.
const maxCachedReads = 128

// readPool is the pool reads go through. On SQLite it keeps the listings'
// and lookups' statements prepared by their text, as the writer does its
// inserts: parsing a listing's query was a fifth of a page's time. On
// PostgreSQL it is the pool itself (pgx keeps statements prepared).
type readPool struct {
	*sql.DB
	keep  bool
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// QueryContext runs query, from a kept statement where there is one.
func (p *readPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext is QueryContext for one row.
func (p *readPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

// stmt returns query prepared, preparing it if the cache has room; nil
// when it is not kept or cannot be prepared (the query then runs as given,
// and fails as it would have).
func (p *readPool) stmt(ctx context.Context, query string) *sql.Stmt {
	if !p.keep {
		return nil
	}
	p.mu.Lock()
	st, ok := p.stmts[query]
	full := len(p.stmts) >= maxCachedReads
	p.mu.Unlock()
	if ok || full {
		return st
	}
	st, err := p.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if kept, ok := p.stmts[query]; ok { // prepared meanwhile by another reader
		st.Close()
		return kept
	}
	if len(p.stmts) >= maxCachedReads {
		st.Close()
		return nil
	}
	if p.stmts == nil {
		p.stmts = make(map[string]*sql.Stmt)
	}
	p.stmts[query] = st
	return st
}

// close releases the kept statements.
func (p *readPool) closeStmts() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, st := range p.stmts {
		st.Close()
	}
	p.stmts = nil
}
