package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

func (db *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+db.dialect.name())
	if err != nil {
		return nil, err
	}
	if db.dialect.name() == "postgres" {
		// Replicas starting together take turns: an advisory lock serialises
		// their migrations.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, err
		}
		return goose.NewProvider(goose.DialectPostgres, db.write, sub, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(goose.DialectSQLite3, db.write, sub)
}

// Migrate applies every pending migration and returns the versions applied.
func (db *DB) Migrate(ctx context.Context) ([]int64, error) {
	p, err := db.provider()
	if err != nil {
		return nil, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var out []int64
	for _, r := range res {
		out = append(out, r.Source.Version)
	}
	return out, nil
}

// MigrationStatus reports the applied version and the newest embedded one.
// It reads goose's version table directly: a status check must neither wait
// for the migration lock nor create the table as goose would.
func (db *DB) MigrationStatus(ctx context.Context) (current, latest int64, err error) {
	p, err := db.provider()
	if err != nil {
		return 0, 0, err
	}
	if srcs := p.ListSources(); len(srcs) > 0 {
		latest = srcs[len(srcs)-1].Version
	}
	var v sql.NullInt64
	err = db.read.QueryRowContext(ctx, `SELECT MAX(version_id) FROM goose_db_version WHERE is_applied`).Scan(&v)
	if err != nil {
		if db.Ping(ctx) == nil {
			return 0, latest, nil // reachable but never migrated: no version table yet
		}
		return 0, latest, err
	}
	return v.Int64, latest, nil
}

// NotReadyError says why the service cannot serve. Its message is safe to
// show anyone; Cause holds the driver's error, which may name hosts, users
// or databases, for the log only.
type NotReadyError struct {
	Reason string
	Cause  error
}

func (e *NotReadyError) Error() string { return e.Reason }

// Unwrap returns the cause.
func (e *NotReadyError) Unwrap() error { return e.Cause }

// Ready reports nil when the database answers and every migration is applied.
func (db *DB) Ready(ctx context.Context) error {
	if err := db.Ping(ctx); err != nil {
		return &NotReadyError{Reason: "database unreachable", Cause: err}
	}
	cur, latest, err := db.MigrationStatus(ctx)
	if err != nil {
		return &NotReadyError{Reason: "cannot read the schema version", Cause: err}
	}
	if cur < latest {
		return &NotReadyError{Reason: fmt.Sprintf("database schema is at version %d; %d is required (run aeso migrate)", cur, latest)}
	}
	if db.dialect.name() == "postgres" {
		// A standby, or a database an operator made read-only, answers
		// every read and refuses every write: not ready to serve.
		ctx, cancel := context.WithTimeout(ctx, db.timeout)
		defer cancel()
		var readOnly string
		if err := db.write.QueryRowContext(ctx, `SELECT current_setting('transaction_read_only')`).Scan(&readOnly); err != nil {
			return &NotReadyError{Reason: "database unreachable", Cause: err}
		}
		if readOnly == "on" {
			return &NotReadyError{Reason: "database is read-only (a standby, or default_transaction_read_only): writes are refused"}
		}
	}
	return nil
}
