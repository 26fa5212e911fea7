// Package store implements every domain's storage interface with
// hand-written SQL that runs on both SQLite and PostgreSQL. Dialect
// differences live in dialect.go; migrations are embedded, one set per
// dialect with the same version numbers.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DB is aeso's database. On SQLite, writes go through a single connection
// (SQLite allows one writer; queueing in Go beats busy-waiting in SQLite)
// and reads through a small pool. On PostgreSQL both are one pool.
type DB struct {
	dialect dialect
	write   *sql.DB
	read    *readPool
	// timeout bounds each operation (see op); password is removed from
	// driver messages kept for the log.
	timeout  time.Duration
	password string
	// noTree is Options.WithoutTreeForMeasurement.
	noTree bool
	// edge is the frontier of the audit tree this process grew last.
	edge treeEdge
	// group writes single events in groups (see AppendEvent).
	group *committer
	// stmts are the SQLite writer's prepared statements (stmtcache.go).
	stmts writeStmts
	// spans map an occurred_at window to seq ranges (audit_window.go).
	spans timeSpans
	// searchRows is set once the schema has the inserting transaction
	// write the search rows (see writesSearchRows).
	searchRows atomic.Bool
	// searchCosts, when set, replace defaultSearchCosts
	// (audit_search_pg.go).
	searchCosts *searchCosts
	// searchHook, when set, is told how each search's second step reads.
	searchHook func(searchStepKind)
	// Location is where the data lives, for logs: a file path or the
	// PostgreSQL host and database, never a password.
	Location string
}

// Options choose the database.
type Options struct {
	// URL is a postgres:// URL; empty means embedded SQLite in DataDir.
	URL     string
	DataDir string
	// Timeout bounds each database operation; past it the operation fails
	// as aeso.EUNAVAILABLE. Zero means DefaultTimeout.
	Timeout time.Duration
	// WithoutTreeForMeasurement stores audit events without growing the
	// audit tree, so a benchmark can measure what the tree costs. It is a
	// measurement switch for cmd/aeso-bench only, never a flag or setting of
	// `aeso serve`: such a database is no verifiable log, so it refuses
	// every tree read (checkpoints, proofs, tiles) rather than sign a tree
	// that does not cover its events.
	WithoutTreeForMeasurement bool
}

// SQLiteFile is the database file inside the data directory.
const SQLiteFile = "aeso.db"

// Open connects to the database; it does not migrate (see Migrate).
func Open(ctx context.Context, opt Options) (*DB, error) {
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	open := openSQLite
	target := opt.DataDir
	if opt.URL != "" {
		open, target = openPostgres, opt.URL
	}
	db, err := open(ctx, target, opt.Timeout)
	if err != nil {
		return nil, err
	}
	db.noTree = opt.WithoutTreeForMeasurement
	return db, nil
}

func openSQLite(ctx context.Context, dir string, timeout time.Duration) (*DB, error) {
	if dir == "" {
		return nil, errors.New("a data directory is required for SQLite")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	path := filepath.Join(dir, SQLiteFile)
	// synchronous(FULL): an event answered 201 survives a power cut too.
	pragmas := "_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)"
	// A page cache of 32 MiB for the writer and 8 MiB for each of the four
	// readers (SQLite's default is 2 MiB) keeps the upper levels of the
	// indexes, the audit tree and the search index in memory as the trail
	// grows, instead of reading them back from the file on every insert,
	// proof and page.
	// temp_store(MEMORY) keeps the writer's statement journal (SQLite's
	// undo record for one multi-row INSERT inside a longer transaction) in
	// memory: in a file it cost an open, writes and a close per statement,
	// a quarter of a group commit's time.
	write, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=cache_size(-32768)&_pragma=temp_store(MEMORY)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	read, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=cache_size(-8192)&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, err
	}
	read.SetMaxOpenConns(4)
	db := &DB{dialect: sqliteDialect{}, write: write, read: &readPool{DB: read, keep: true}, timeout: timeout, Location: path, group: newCommitter()}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

func openPostgres(ctx context.Context, url string, timeout time.Duration) (*DB, error) {
	if !strings.HasPrefix(url, "postgres://") && !strings.HasPrefix(url, "postgresql://") {
		return nil, errors.New("the database URL must start with postgres:// or postgresql://")
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL: %s", redactURL(err.Error(), url))
	}
	// database/sql opens some connections in a goroutine of its own, with
	// no request's deadline: bound them too, or a frozen server holds them
	// (and the pool's capacity) until it wakes.
	if cfg.ConnectTimeout <= 0 || cfg.ConnectTimeout > timeout {
		cfg.ConnectTimeout = timeout
	}
	// The best plan of a listing depends on its values (a rare actor or a
	// word in half the events); a generic plan of a cached statement
	// cannot see them, and would walk the table for a rare word. Set
	// after connecting rather than as a startup parameter, which a
	// connection pooler in front of the server may refuse.
	var opts []stdlib.OptionOpenDB
	if _, set := cfg.RuntimeParams["plan_cache_mode"]; !set {
		opts = append(opts, stdlib.OptionAfterConnect(func(ctx context.Context, c *pgx.Conn) error {
			_, err := c.Exec(ctx, "SET plan_cache_mode = force_custom_plan")
			return err
		}))
	}
	pool := stdlib.OpenDB(*cfg, opts...)
	pool.SetMaxOpenConns(16)
	pool.SetMaxIdleConns(16)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{dialect: postgresDialect{}, write: pool, read: &readPool{DB: pool}, timeout: timeout, group: newCommitter(),
		password: urlPassword(url), Location: describeURL(url)}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL at %s: %s", db.Location, redactURL(err.Error(), url))
	}
	return db, nil
}

// Dialect names the database kind: "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect.name() }

// Ping checks that the database answers within the operation deadline.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, db.timeout)
	defer cancel()
	if err := db.read.PingContext(ctx); err != nil {
		return err
	}
	return nil
}

// Close releases every connection.
func (db *DB) Close() error {
	// The committer finishes the group it is writing and refuses the rest;
	// one never started is marked finished.
	c := db.group
	c.closing.Do(func() { close(c.stop) })
	c.start.Do(func() { close(c.done) })
	<-c.done
	db.stmts.close()
	err := db.write.Close()
	db.read.closeStmts()
	if db.read.DB != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Exec runs a raw statement on the write connection; tests use it to prove
// the database itself rejects changes to append-only tables.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	_, err = db.write.ExecContext(ctx, query, args...)
	return err
}

// WriteConn returns the connection pool writes go through, for tools that
// measure the raw database (aeso-bench) with the service's own settings.
func (db *DB) WriteConn() *sql.DB { return db.write }

// inTx runs fn in a write transaction and commits it, or rolls it back on
// any error (including a failed commit, which is returned).
func (db *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) (err error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		// The audit tree's edge this transaction grew is known from now on
		// only if it committed.
		db.edge.settle(tx, err == nil)
		if err != nil {
			_ = tx.Rollback() // the original error matters more
		}
		db.prepareWanted(ctx)
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
