package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// templateSchema is the schema, inside each copied PostgreSQL database, that
// a prepared target's search_path selects.
const templateSchema = "aeso_test"

// templates holds the databases Main's prepare function made, one per
// dialect, each made the first time a test asks for it.
var templates struct {
	prepare func(Target) error

	sqliteOnce sync.Once
	sqliteDir  string
	sqliteErr  error

	pgOnce   sync.Once
	pgAdmin  *sql.DB // the server AESO_TEST_POSTGRES_URL names, for CREATE and DROP DATABASE
	pgBase   *url.URL
	pgName   string // the template database
	pgPrefix string // of every database made: the name of the one AESO_TEST_POSTGRES_URL names
	pgErr    error
	pgMu     sync.Mutex     // one CREATE DATABASE … TEMPLATE at a time: PostgreSQL refuses concurrent copies of one template
	drops    sync.WaitGroup // databases of finished tests, dropped in the background
}

// Main runs a package's tests with prepared databases and returns the exit
// code for os.Exit. Every target that ForEach, SQLite and Postgres give is
// then a copy of one database that prepare made once per dialect (a
// migrated schema, typically) instead of an empty one: copying a file or a
// database is much cheaper than migrating each test's own. EmptyPostgres
// still gives an empty schema, for the tests about migrating.
//
// prepare is given an empty target and must close every connection it
// opened before it returns.
func Main(m *testing.M, prepare func(Target) error) int {
	templates.prepare = prepare
	code := m.Run()
	templates.drops.Wait()
	if templates.sqliteDir != "" {
		os.RemoveAll(templates.sqliteDir)
	}
	if templates.pgName != "" {
		if _, err := templates.pgAdmin.Exec("DROP DATABASE IF EXISTS " + templates.pgName + " WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "testdb: drop template database %s: %v\n", templates.pgName, err)
		}
	}
	if templates.pgAdmin != nil {
		templates.pgAdmin.Close()
	}
	return code
}

// SQLite returns a SQLite target in a directory of the test's own, holding
// a copy of the prepared database when the package runs under Main.
func SQLite(t *testing.T) Target {
	t.Helper()
	tg := Target{Dialect: "sqlite", DataDir: t.TempDir()}
	if templates.prepare == nil {
		return tg
	}
	templates.sqliteOnce.Do(func() {
		dir, err := os.MkdirTemp("", "aeso-testdb-")
		if err != nil {
			templates.sqliteErr = err
			return
		}
		templates.sqliteDir = dir
		if err := templates.prepare(Target{Dialect: "sqlite", DataDir: dir}); err != nil {
			templates.sqliteErr = fmt.Errorf("prepare the SQLite template: %w", err)
		}
	})
	if templates.sqliteErr != nil {
		t.Fatal(templates.sqliteErr)
	}
	if err := copyDir(templates.sqliteDir, tg.DataDir); err != nil {
		t.Fatalf("copy the SQLite template: %v", err)
	}
	return tg
}

// copyDir copies the regular files directly in src into dst.
func copyDir(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, info.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// preparedPostgres returns a target on a database of the test's own,
// copied from the prepared template, and drops it when the test ends.
func preparedPostgres(t *testing.T, base string) Target {
	t.Helper()
	templates.pgOnce.Do(func() { templates.pgErr = makePostgresTemplate(base) })
	if templates.pgErr != nil {
		t.Fatal(templates.pgErr)
	}
	name := templates.pgPrefix + "_t_" + randomHex()
	if err := createFromTemplate(name); err != nil {
		t.Fatalf("create database from the template (is PostgreSQL running at %s?): %v", EnvPostgres, err)
	}
	t.Cleanup(func() {
		templates.drops.Add(1)
		go func() {
			defer templates.drops.Done()
			if _, err := templates.pgAdmin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
				fmt.Fprintf(os.Stderr, "testdb: drop database %s: %v\n", name, err)
			}
		}()
	})
	return Target{Dialect: "postgres", DataDir: t.TempDir(), URL: databaseURL(templates.pgBase, name)}
}

func makePostgresTemplate(base string) error {
	u, err := url.Parse(base)
	if err != nil {
		return fmt.Errorf("%s: %w", EnvPostgres, err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return fmt.Errorf("open %s: %w", EnvPostgres, err)
	}
	templates.pgAdmin, templates.pgBase = admin, u
	templates.pgPrefix = databasePrefix(u)
	name := templates.pgPrefix + "_tpl_" + randomHex()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		return fmt.Errorf("create the template database (is PostgreSQL running at %s?): %w", EnvPostgres, err)
	}
	templates.pgName = name
	tpl, err := sql.Open("pgx", databaseURL(u, name))
	if err != nil {
		return err
	}
	_, err = tpl.Exec("CREATE SCHEMA " + templateSchema)
	tpl.Close()
	if err != nil {
		return fmt.Errorf("create the template's schema: %w", err)
	}
	dir, err := os.MkdirTemp("", "aeso-testdb-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := templates.prepare(Target{Dialect: "postgres", DataDir: dir, URL: databaseURL(u, name)}); err != nil {
		return fmt.Errorf("prepare the PostgreSQL template: %w", err)
	}
	return nil
}

// createFromTemplate copies the template database. PostgreSQL refuses a
// copy while anyone is connected to the template, so copies are made one
// at a time, retried while the prepare function's connections wind down.
func createFromTemplate(name string) error {
	templates.pgMu.Lock()
	defer templates.pgMu.Unlock()
	var err error
	for deadline := time.Now().Add(30 * time.Second); ; {
		_, err = templates.pgAdmin.ExecContext(context.Background(), "CREATE DATABASE "+name+" TEMPLATE "+templates.pgName)
		if err == nil || !strings.Contains(err.Error(), "being accessed by other users") || time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// databaseURL is base naming database name, with the template's schema
// first on the search_path.
func databaseURL(base *url.URL, name string) string {
	u := *base
	u.Path = "/" + name
	q := u.Query()
	q.Set("search_path", templateSchema)
	u.RawQuery = q.Encode()
	return u.String()
}

// randomHex names a schema or database apart from every other.
func randomHex() string {
	var b [6]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// databasePrefix starts the name of every database the tests make with
// the name of the database AESO_TEST_POSTGRES_URL names, so whoever made
// that one (CI, say) can drop what a killed run left behind with it.
func databasePrefix(base *url.URL) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimPrefix(base.Path, "/")) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		}
	}
	name := b.String()
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		name = "aeso_" + name
	}
	return name[:min(len(name), 40)]
}
