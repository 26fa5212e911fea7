package store

import (
	"database/sql/driver"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// dialect is everything that differs between SQLite and PostgreSQL.
type dialect interface {
	queryDialect
	name() string
	// timeArg converts a time to the value the column type expects.
	timeArg(t time.Time) any
	// placeholder returns the n-th (1-based) bind parameter of generated
	// SQL. SQLite gets plain '?': modernc binds numbered parameters by
	// searching for each, which makes a 1000-row INSERT ~80 times slower.
	placeholder(n int) string
	// jsonText is SQL for the text value of a JSON object's member, whose
	// key (as jsonKey gives it) is bound at its "?" (see builder).
	jsonText(column string) string
	// jsonKey is the value jsonText binds to name the member key.
	jsonKey(key string) string
	// forUpdate ends a SELECT that locks its rows until commit.
	forUpdate() string
	// lockSeq is the statement that reads the seq counter under a lock
	// held until commit.
	lockSeq() string
	// subjectName is SQL for the name part of a "name@ref" subject column.
	subjectName(column string) string
}

// sqliteTimeLayout is fixed-width so TEXT comparison orders times correctly.
const sqliteTimeLayout = "2006-01-02T15:04:05.000000Z"

type sqliteDialect struct{}

func (sqliteDialect) name() string           { return "sqlite" }
func (sqliteDialect) placeholder(int) string { return "?" }

// A SQLite write transaction already holds the database's write lock.
func (sqliteDialect) forUpdate() string { return "" }

// SQLite addresses members by a JSON path.
func (sqliteDialect) jsonText(column string) string { return "json_extract(" + column + ", ?)" }

// Label keys are [a-z0-9._/-]: nothing in them needs escaping in a path.
func (sqliteDialect) jsonKey(key string) string { return `$."` + key + `"` }
func (sqliteDialect) timeArg(t time.Time) any {
	return t.UTC().Format(sqliteTimeLayout)
}

// A SQLite write transaction is BEGIN IMMEDIATE (see openSQLite), so it
// already holds the database's write lock.
func (sqliteDialect) lockSeq() string { return `SELECT last_seq FROM audit_seq WHERE id = 1` }

func (sqliteDialect) subjectName(c string) string {
	return "substr(" + c + ", 1, instr(" + c + " || '@', '@') - 1)"
}

type postgresDialect struct{}

func (postgresDialect) name() string                { return "postgres" }
func (postgresDialect) placeholder(n int) string    { return "$" + strconv.Itoa(n) }
func (postgresDialect) forUpdate() string           { return " FOR UPDATE" }
func (postgresDialect) timeArg(t time.Time) any     { return t.UTC() }
func (postgresDialect) subjectName(c string) string { return "split_part(" + c + ", '@', 1)" }

func (postgresDialect) lockSeq() string {
	return `SELECT last_seq FROM audit_seq WHERE id = 1 FOR UPDATE`
}

// dbTime scans a time from either dialect: time.Time from PostgreSQL, TEXT
// from SQLite. A NULL leaves Valid false.
type dbTime struct {
	Time  time.Time
	Valid bool
}

func (t *dbTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		t.Valid = false
		return nil
	case time.Time:
		t.Time, t.Valid = x.UTC(), true
		return nil
	case string:
		return t.parse(x)
	case []byte:
		return t.parse(string(x))
	}
	return fmt.Errorf("cannot scan %T into a time", v)
}

func (t *dbTime) parse(s string) error {
	p, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("stored time %q: %w", s, err)
	}
	t.Time, t.Valid = p.UTC(), true
	return nil
}

func (t *dbTime) ptr() *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}

var _ driver.Valuer = (*nullTime)(nil)

// nullTime writes an optional time in a dialect's form.
type nullTime struct {
	t *time.Time
	d dialect
}

func (n nullTime) Value() (driver.Value, error) {
	if n.t == nil {
		return nil, nil
	}
	return n.d.timeArg(*n.t), nil
}

// describeURL returns host/database of a PostgreSQL URL, without credentials.
func describeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "postgres (unparsable URL)"
	}
	return "postgres://" + u.Host + u.Path
}

// redactURL removes the URL's password from a driver message.
func redactURL(msg, raw string) string {
	if pw := urlPassword(raw); pw != "" {
		msg = strings.ReplaceAll(msg, pw, "[REDACTED]")
	}
	return msg
}

// urlPassword returns the password of a database URL, or "".
func urlPassword(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok {
			return pw
		}
	}
	return ""
}

func (postgresDialect) jsonText(column string) string { return "(" + column + "::jsonb ->> ?)" }
func (postgresDialect) jsonKey(key string) string     { return key }
