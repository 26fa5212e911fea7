package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// DefaultTimeout bounds one database operation when Options.Timeout is
// zero. Healthy operations take milliseconds (a 1000-event batch is tens of
// them); five seconds leaves a loaded database room while a frozen one is
// noticed well before a proxy or client gives up (typically 30–60 s).
const DefaultTimeout = 5 * time.Second

// op starts one storage operation: ctx is bounded by the operation
// deadline, and the returned func, deferred, releases it and turns an
// outage found in *errp into aeso.EUNAVAILABLE. Every exported method that
// queries begins with it, so no query waits longer than the deadline.
func (db *DB) op(ctx context.Context, errp *error) (context.Context, func()) {
	ctx, cancel := context.WithTimeout(ctx, db.timeout)
	return ctx, func() {
		cancel()
		*errp = db.classify(*errp)
	}
}

// errUnavailable is what a caller sees of an outage: nothing of the
// driver's text, which can name hosts, users and databases.
func errUnavailable() *aeso.Error {
	return aeso.Reasonf(aeso.EUNAVAILABLE, aeso.EUNAVAILABLE,
		"the database is unavailable or too slow to answer; retry later")
}

// classify wraps err as aeso.EUNAVAILABLE when it says the database cannot
// be reached or did not answer in time. The cause stays in the message for
// the log, without the URL's password; domain errors pass through.
func (db *DB) classify(err error) error {
	if err == nil || !outage(err) {
		return err
	}
	var e *aeso.Error
	if errors.As(err, &e) {
		return err // already classified by a nested operation
	}
	return fmt.Errorf("%w: %s", errUnavailable(), db.redact(err.Error()))
}

// redact removes the password of the PostgreSQL URL from a driver message.
func (db *DB) redact(msg string) string {
	if db.password != "" {
		msg = strings.ReplaceAll(msg, db.password, "[REDACTED]")
	}
	return msg
}

// outage reports whether err means the database is down, unreachable,
// shutting down or too slow, rather than that the request was wrong.
func outage(err error) bool {
	var e *aeso.Error
	if errors.As(err, &e) {
		return e.Code == aeso.EUNAVAILABLE
	}
	if errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) {
		return true
	}
	if errors.Is(err, context.Canceled) {
		return false // the client went away; nobody reads the answer
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgUnavailable(pgErr.Code)
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return true
	}
	var sqliteErr *sqlite.Error
	if errors.As(err, &sqliteErr) {
		switch sqliteErr.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_INTERRUPT:
			return true
		case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY:
			// The disk is full, failing, or the file was made read-only:
			// the machine's trouble, not the request's, and over once an
			// operator frees space (as PostgreSQL's class 53 is).
			return true
		}
		return false
	}
	var netErr net.Error
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.As(err, &netErr)
}

// pgUnavailable reports whether a PostgreSQL SQLSTATE is an outage: class
// 08 (connection exception), 53 (insufficient resources: too many
// connections, disk full), 57P (admin or crash shutdown, cannot connect
// now), 57014 (statement cancelled, as a server-side timeout does),
// 25006 (read-only transaction: a standby, as after a failover, the way
// SQLite's read-only file is), and what a held lock or a busy moment
// gives, which an operator's settings can make happen: 55P03 (lock_timeout
// passed), 40P01 (deadlock), 40001 (serialization failure) and 25P03
// (idle_in_transaction_session_timeout). Each is over with a retry.
func pgUnavailable(code string) bool {
	switch code {
	case "57014", "25006", "55P03", "40P01", "40001", "25P03":
		return true
	}
	return strings.HasPrefix(code, "08") || strings.HasPrefix(code, "53") || strings.HasPrefix(code, "57P")
}
