// Package testdb gives tests a fresh, real database of each dialect:
// SQLite in a temp directory always, and PostgreSQL on the server
// AESO_TEST_POSTGRES_URL names when that variable is set. A package whose
// TestMain runs Main gets copies of one prepared (migrated) database per
// dialect; otherwise, and from ForEachEmpty, a test gets an empty one.
package testdb

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// EnvPostgres names the PostgreSQL server tests use.
const EnvPostgres = "AESO_TEST_POSTGRES_URL"

// Target is one database to run a test against.
type Target struct {
	Dialect string // "sqlite" or "postgres"
	DataDir string // always set: SQLite's file and admin.token go here
	URL     string // PostgreSQL URL with its own search_path; "" for SQLite
}

// ForEach runs fn once per available dialect, as subtests named "sqlite" and
// "postgres". Without AESO_TEST_POSTGRES_URL the PostgreSQL run is skipped
// (CI sets the variable and fails when the run is skipped).
func ForEach(t *testing.T, fn func(t *testing.T, tg Target)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		fn(t, SQLite(t))
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, Postgres(t))
	})
}

// ForEachEmpty is ForEach with empty databases even under Main, for tests
// about migrating.
func ForEachEmpty(t *testing.T, fn func(t *testing.T, tg Target)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		fn(t, Target{Dialect: "sqlite", DataDir: t.TempDir()})
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, EmptyPostgres(t))
	})
}

// Postgres returns a PostgreSQL target of the test's own, dropped when the
// test ends: a copy of the prepared database when the package runs under
// Main, else an empty schema (see EmptyPostgres).
func Postgres(t *testing.T) Target {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skipf("%s is not set; skipping the PostgreSQL run", EnvPostgres)
	}
	if templates.prepare != nil {
		return preparedPostgres(t, base)
	}
	return EmptyPostgres(t)
}

// EmptyPostgres creates an empty schema for this test alone and returns a
// target whose URL selects it; the schema is dropped when the test ends.
func EmptyPostgres(t *testing.T) Target {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skipf("%s is not set; skipping the PostgreSQL run", EnvPostgres)
	}
	schema := "aeso_test_" + randomHex()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", EnvPostgres, err)
	}
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema (is PostgreSQL running at %s?): %v", EnvPostgres, err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return Target{Dialect: "postgres", DataDir: t.TempDir(), URL: u.String()}
}
