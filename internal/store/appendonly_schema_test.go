package store_test

import (
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"
)

// Schema readers for the append-only test: keys, columns and triggers come
// from the database, so a table, key or trigger added later is covered.

func guarded(t *testing.T, name string) guardedTable {
	t.Helper()
	for _, g := range guardedTables {
		if g.name == name {
			return g
		}
	}
	t.Fatalf("%s is not in guardedTables", name)
	return guardedTable{}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func inAnyKey(t *testing.T, conn *sql.DB, dialect, table, col string) bool {
	for _, k := range uniqueKeys(t, conn, dialect, table) {
		if contains(k, col) {
			return true
		}
	}
	return false
}

// uniqueKeys reads the primary key and every unique index from the schema,
// so a key added later is tried too.
func uniqueKeys(t *testing.T, conn *sql.DB, dialect, table string) [][]string {
	t.Helper()
	q := `SELECT i.indexrelid::regclass::text, a.attname FROM pg_index i
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
		WHERE i.indrelid = $1::regclass AND i.indisunique
		ORDER BY 1, array_position(i.indkey::int2[], a.attnum)`
	if dialect == "sqlite" {
		q = `SELECT 'pk', name FROM (SELECT name, pk FROM pragma_table_info($1) WHERE pk > 0 ORDER BY pk)
			UNION ALL
			SELECT * FROM (SELECT il.name, ii.name FROM pragma_index_list($1) il, pragma_index_info(il.name) ii
				WHERE il."unique" = 1 AND il.origin <> 'pk' ORDER BY il.name, ii.seqno)`
	}
	rs, err := conn.Query(q, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var keys [][]string
	last := ""
	for rs.Next() {
		var index, col string
		if err := rs.Scan(&index, &col); err != nil {
			t.Fatal(err)
		}
		if index != last || len(keys) == 0 {
			keys = append(keys, nil)
			last = index
		}
		keys[len(keys)-1] = append(keys[len(keys)-1], col)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	if len(keys) == 0 {
		t.Fatalf("%s has no unique key", table)
	}
	return keys
}

// hiddenRowid says whether a SQLite table has a rowid that no declared
// column names: every table but one WITHOUT ROWID or whose primary key is
// a single INTEGER column (which is then the rowid itself).
func hiddenRowid(t *testing.T, conn *sql.DB, table string) bool {
	t.Helper()
	var ddl string
	if err := conn.QueryRow(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $1`, table).Scan(&ddl); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ToUpper(ddl), "WITHOUT ROWID") {
		return false
	}
	var pks int
	var intPK bool
	if err := conn.QueryRow(`SELECT COUNT(*), COALESCE(MAX(upper(type) = 'INTEGER'), 0) FROM pragma_table_info($1) WHERE pk > 0`, table).Scan(&pks, &intPK); err != nil {
		t.Fatal(err)
	}
	return !(pks == 1 && intPK)
}

func columns(t *testing.T, conn *sql.DB, dialect, table string) (names, types []string) {
	t.Helper()
	q := `SELECT name, type FROM pragma_table_info($1) ORDER BY cid`
	if dialect == "postgres" {
		q = `SELECT column_name, data_type FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`
	}
	rs, err := conn.Query(q, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	for rs.Next() {
		var n, ty string
		if err := rs.Scan(&n, &ty); err != nil {
			t.Fatal(err)
		}
		names, types = append(names, n), append(types, ty)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return names, types
}

// rows renders every row of a table, in key order.
func rows(t *testing.T, conn *sql.DB, table string) string {
	t.Helper()
	rs, err := conn.Query(`SELECT * FROM ` + table + ` ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	n := 0
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if bs, ok := v.([]byte); ok {
				vals[i] = string(bs)
			}
		}
		fmt.Fprintf(&b, "%v\n", vals)
		n++
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatalf("%s has no row to protect; seed it", table)
	}
	return b.String()
}

func listedTables() string {
	var names []string
	for _, g := range guardedTables {
		names = append(names, g.name)
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}

// triggerTables names the tables that carry a trigger refusing changes.
func triggerTables(t *testing.T, conn *sql.DB, dialect string) string {
	t.Helper()
	q := `SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%RAISE(ABORT%' ORDER BY 1`
	if dialect == "postgres" {
		q = `SELECT DISTINCT c.relname FROM pg_trigger tr JOIN pg_class c ON c.oid = tr.tgrelid
			WHERE NOT tr.tgisinternal AND c.relnamespace = current_schema()::regnamespace ORDER BY 1`
	}
	rs, err := conn.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var names []string
	for rs.Next() {
		var n string
		if err := rs.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(names, " ")
}

// requireAlwaysTriggers fails for any guard trigger that a replica-mode
// session would skip.
func requireAlwaysTriggers(t *testing.T, conn *sql.DB) {
	t.Helper()
	rs, err := conn.Query(`SELECT c.relname, tr.tgname, tr.tgenabled FROM pg_trigger tr JOIN pg_class c ON c.oid = tr.tgrelid
		WHERE NOT tr.tgisinternal AND c.relnamespace = current_schema()::regnamespace ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	n := 0
	for rs.Next() {
		var table, name, enabled string
		if err := rs.Scan(&table, &name, &enabled); err != nil {
			t.Fatal(err)
		}
		n++
		if enabled != "A" {
			t.Errorf("trigger %s on %s is enabled %q; want ALWAYS (A)", name, table, enabled)
		}
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no triggers found")
	}
}
