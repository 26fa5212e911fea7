package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/aeso-dev/aeso"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestOutageClassification(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"a deadline passed", fmt.Errorf("list events: %w", context.DeadlineExceeded), true},
		{"a refused connection", fmt.Errorf("begin: %w", refused), true},
		{"a reset connection", fmt.Errorf("query: %w", syscall.ECONNRESET), true},
		{"a bad pooled connection", driver.ErrBadConn, true},
		{"a connection closed under a query", fmt.Errorf("begin: %w", pgconn.ErrConnClosed), true},
		{"a stream cut mid-answer", fmt.Errorf("scan: %w", io.ErrUnexpectedEOF), true},
		{"PostgreSQL shutting down (57P01)", &pgconn.PgError{Code: "57P01"}, true},
		{"PostgreSQL starting up (57P03)", &pgconn.PgError{Code: "57P03"}, true},
		{"a connection failure (08006)", &pgconn.PgError{Code: "08006"}, true},
		{"too many connections (53300)", &pgconn.PgError{Code: "53300"}, true},
		{"a statement timeout (57014)", &pgconn.PgError{Code: "57014"}, true},
		{"a read-only standby (25006)", &pgconn.PgError{Code: "25006"}, true},
		{"an outage already classified", errUnavailable(), true},
		{"a unique violation (23505)", &pgconn.PgError{Code: "23505"}, false},
		{"an append-only trigger (P0001)", &pgconn.PgError{Code: "P0001"}, false},
		{"the client went away", fmt.Errorf("query: %w", context.Canceled), false},
		{"no rows", sql.ErrNoRows, false},
		{"a domain error", aeso.Errorf(aeso.ENOTFOUND, "no such bundle"), false},
		{"a stored document that does not decode", fmt.Errorf("document: %w", &json.SyntaxError{}), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := outage(c.err); got != c.want {
				t.Errorf("outage(%v) = %v, want %v", c.err, got, c.want)
			}
		})
	}
}

func TestAnOutageHidesTheDriverTextAndThePassword(t *testing.T) {
	db := &DB{password: "hunter2-canary"}
	cause := fmt.Errorf("failed to connect to `user=aeso database=aeso` with password hunter2-canary: %w", refusedErr())
	err := db.classify(cause)
	var e *aeso.Error
	if !errors.As(err, &e) || e.Code != aeso.EUNAVAILABLE || aeso.ErrorReason(err) != "unavailable" {
		t.Fatalf("classify = %#v, want aeso.EUNAVAILABLE", err)
	}
	if strings.Contains(e.Message, "user=") || strings.Contains(e.Message, "hunter2") {
		t.Errorf("the message callers see holds driver text: %q", e.Message)
	}
	if log := err.Error(); strings.Contains(log, "hunter2-canary") || !strings.Contains(log, "connection refused") {
		t.Errorf("the text for the log is %q: want the cause without the password", log)
	}
	if got := db.classify(sql.ErrNoRows); got != sql.ErrNoRows {
		t.Errorf("a non-outage error was changed: %v", got)
	}
}

func refusedErr() error {
	return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
}
