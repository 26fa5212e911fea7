package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"modernc.org/sqlite"

	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/auditgen"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// The former search triggers' expressions (migration 00014), kept here as
// the reference the search rows written in Go must equal. The rows written
// since escapes were read as spaces (seq above escapesAfter) take the same
// expression over the metadata with every JSON escape sequence replaced
// by a space: on PostgreSQL by a regular expression, on SQLite by
// test_json_unescape, the same regular expression in Go (see
// registerUnescape).
const (
	formerSQLiteText = `actor_user_id || ' ' || actor_service_account_id || ' ' || actor_role || ' ' ||
		action || ' ' || target_type || ' ' || target_id || ' ' || correlation_id || ' ' ||
		CASE WHEN seq <= ` + escapesAfter + ` THEN replace(metadata, '[REDACTED]', ' ')
		ELSE test_json_unescape(replace(metadata, '[REDACTED]', ' ')) END`
	formerPostgresVector = `to_tsvector('simple', regexp_replace(concat_ws(' ',
		l.actor_user_id, l.actor_service_account_id, l.actor_role, l.action, l.target_type, l.target_id,
		l.correlation_id, CASE WHEN l.seq <= ` + escapesAfter + ` THEN replace(l.metadata::text, '[REDACTED]', ' ')
		ELSE regexp_replace(replace(l.metadata::text, '[REDACTED]', ' '), '\\(u[0-9a-fA-F]{4}|.)', ' ', 'g') END),
		'[[:space:][:punct:][:cntrl:]]+', ' ', 'g'))`
	// escapesAfter is the last seq the former trigger wrote, the first
	// generation of searchCorpus (ten events).
	escapesAfter = "10"
)

// jsonEscape is a JSON escape sequence.
var jsonEscape = regexp.MustCompile(`\\(u[0-9a-fA-F]{4}|.)`)

var registerUnescape sync.Once

// registerUnescapeFunc gives SQLite connections opened from now on
// test_json_unescape(text): every JSON escape sequence replaced by a space.
func registerUnescapeFunc(t *testing.T) {
	registerUnescape.Do(func() {
		err := sqlite.RegisterDeterministicScalarFunction("test_json_unescape", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			s, _ := args[0].(string)
			return jsonEscape.ReplaceAllString(s, " "), nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// searchCorpus is events whose words are easy to get wrong: letters and
// digits of many scripts, case that changes length, marks, characters
// PostgreSQL's parser treats apart, numbers the parser reads as one,
// punctuation of every kind, JSON escapes, redacted values, empty fields,
// words too long to index and more words than a tsvector keeps positions
// for.
func searchCorpus(base int) []*audit.Event {
	meta := func(v any) json.RawMessage {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return b
	}
	many := strings.Repeat("deploy key ", 300) + strings.Repeat("x ", 16500) + "last words"
	var out []*audit.Event
	for i, c := range []struct {
		actor, sa, role, action, targetType, targetID, correlation string
		metadata                                                   json.RawMessage
	}{
		{"user-1234", "", "operator", "credentials.api_key.rotate", "api_key", "deploy-key-7", "corr-0123456789",
			json.RawMessage(`{"key_name":"deploy","scope":"write","previous_key_age_days":90,"client":{"ip":"192.0.2.10","agent":"aeso-bench/1.0"},"tags":["rotation","scheduled"]}`)},
		{"", "", "", "a.b", "", "", "", json.RawMessage(`{}`)},
		{"", "sa-ci", "", "login", "", "", "", meta(map[string]string{"password": "[REDACTED]", "note": "x[REDACTED]y [REDACTED]", "token": "[REDACTED]"})},
		{"Zoë", "", "Ärztin", "patient.record.read", "Café", "naïve-Straße", "İSTANBUL-ǅ-ẞ",
			meta(map[string]string{"decomposed": "cafe\u0301", "greek": "ΣΊΣΥΦΟΣ σίσυφος", "cjk": "東京都 渋谷区", "arabic": "١٢٣ ٤٥", "hindi": "हिन्दी क़ानून", "thai": "ภาษาไทย"})},
		{"", "", "", "numbers.read", "", "1e5abc", "12E3x", meta(map[string]any{"float": 1.5e-7, "big": 12e300, "sci": "1e5e6 6e ٣e5 12e٣ 0x1F 3.14 -7 +8", "ver": "v1.2.3-rc.1+build.5"})},
		{"", "", "", "punct.all", "", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "a'b\\c",
			meta(map[string]string{"p": "«quoted» “curly” — dash… ¿que? ¡si! ‹x› 【y】 §1 ¶2 •3 †4", "sym": "€5 ©2026 ™ ² ½ ① ∑∞ ≤≥ ✓ 🚀🔑 👩‍💻", "space": "a\u00a0b\u2003c\u200bd\u3000e"})},
		{"", "", "", "control.chars", "", "tab\there", "new\nline", meta(map[string]string{"ctl": "a\u0001b\u007fc\u0085d\tf\r\ng", "esc": `back\slash "quote" \u00e9 \n`})},
		{"", "", "", "joiners.parser", "", "x\u0a43y", "\u0a43start", meta(map[string]string{"unassigned": "p\u0378q r\u0a43s \u0a43t u\u0378\u0a43v", "new15": "w\u0cf3z a\U00031350b", "tags": "<b>bold</b> &amp; user@example.com https://example.com/a?b=c /usr/bin/x"})},
		{"", "", "", "long.words", "", strings.Repeat("a", 2047), strings.Repeat("b", 2048),
			meta(map[string]string{"upper": strings.Repeat("Ⱥ", 682) + " " + strings.Repeat("Ⱥ", 683) + " after", "edge": "Ⱥ" + strings.Repeat("c", 2045) + " Ⱥ" + strings.Repeat("d", 2044) + " end"})},
		{"", "", "", "many.words", "", "", "", meta(map[string]string{"text": many})},
	} {
		e := auditgen.Event(base+i, planStart, planStep)
		e.ActorUserID, e.ActorServiceAccountID, e.ActorRole = c.actor, c.sa, c.role
		e.ActorDisplayName = ""
		e.Action, e.TargetType, e.TargetID, e.CorrelationID = c.action, c.targetType, c.targetID, c.correlation
		e.Metadata = c.metadata
		out = append(out, e)
	}
	return out
}

// The search rows the inserting transaction writes hold exactly the words
// (and, on PostgreSQL, positions) the former triggers made from the same
// events, on a database upgraded from the triggers: rows the trigger wrote
// before the upgrade and rows written after it, in batches and as single
// events, are all equal to what the triggers' expressions make now.
func TestSearchRowsAreTheFormerTriggersWords(t *testing.T) {
	registerUnescapeFunc(t)
	testdb.ForEachEmpty(t, func(t *testing.T, tg testdb.Target) {
		ctx := context.Background()
		db, err := Open(ctx, Options{URL: tg.URL, DataDir: tg.DataDir})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.MigrateTo(ctx, searchRowsVersion-1); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.AppendEvents(ctx, audit.Slice(searchCorpus(0))); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.AppendEvents(ctx, audit.Slice(searchCorpus(100))); err != nil {
			t.Fatal(err)
		}
		for _, e := range searchCorpus(200) {
			if _, _, err := db.AppendEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		// A contentless FTS5 table cannot be scanned: its rows are
		// counted from its index (every event of the corpus has words).
		rowCount := `SELECT COUNT(*) FROM audit_search`
		if tg.Dialect == "postgres" {
			assertPostgresRowsAreFormer(t, db.write)
		} else {
			assertSQLiteRowsAreFormer(t, db.write)
			rowCount = `SELECT COUNT(DISTINCT doc) FROM stored_terms`
		}
		var events, rows int
		if err := db.write.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM audit_logs), (`+rowCount+`)`).Scan(&events, &rows); err != nil {
			t.Fatal(err)
		}
		if want := 3 * len(searchCorpus(0)); events != want || rows != want {
			t.Errorf("%d events and %d search rows, want %d of each", events, rows, want)
		}
		// And a search finds a word of each generation's rows.
		got, err := db.ListEvents(ctx, audit.Filter{Search: [][]string{{"naïve", "straße"}}, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Errorf("a search for naïve-straße found %d events, want 3 (one before the upgrade, two after)", len(got))
		}
	})
}

// assertPostgresRowsAreFormer compares every stored tsvector with what the
// former trigger's expression makes of the same row.
func assertPostgresRowsAreFormer(t *testing.T, db *sql.DB) {
	t.Helper()
	rows, err := db.Query(`SELECT l.seq, s.doc::text, (` + formerPostgresVector + `)::text
		FROM audit_logs l JOIN audit_search s ON s.seq = l.seq
		WHERE s.doc IS DISTINCT FROM ` + formerPostgresVector + ` ORDER BY l.seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var got, want string
		if err := rows.Scan(&seq, &got, &want); err != nil {
			t.Fatal(err)
		}
		t.Errorf("event %d: search row\n%.600s\nthe trigger made\n%.600s", seq, got, want)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// assertSQLiteRowsAreFormer indexes the former trigger's text of every
// row in a second FTS5 table like audit_search and compares the two
// indexes term by term, position by position.
func assertSQLiteRowsAreFormer(t *testing.T, db *sql.DB) {
	t.Helper()
	for _, q := range []string{
		`CREATE VIRTUAL TABLE former_search USING fts5(doc, content = '', columnsize = 0, tokenize = 'unicode61 remove_diacritics 0')`,
		`INSERT INTO former_search (rowid, doc) SELECT seq, ` + formerSQLiteText + ` FROM audit_logs`,
		`CREATE VIRTUAL TABLE stored_terms USING fts5vocab(audit_search, instance)`,
		`CREATE VIRTUAL TABLE former_terms USING fts5vocab(former_search, instance)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	var stored, former int
	if err := db.QueryRow(`SELECT (SELECT COUNT(*) FROM stored_terms), (SELECT COUNT(*) FROM former_terms)`).Scan(&stored, &former); err != nil {
		t.Fatal(err)
	}
	if stored == 0 || stored != former {
		t.Errorf("audit_search holds %d words, the trigger's text makes %d", stored, former)
	}
	for _, d := range []struct{ name, a, b string }{{"only in audit_search", "stored_terms", "former_terms"}, {"missing from audit_search", "former_terms", "stored_terms"}} {
		rows, err := db.Query(fmt.Sprintf(`SELECT doc, term, "offset" FROM %s EXCEPT SELECT doc, term, "offset" FROM %s ORDER BY 1, 3 LIMIT 20`, d.a, d.b))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var doc, offset int64
			var term string
			if err := rows.Scan(&doc, &term, &offset); err != nil {
				t.Fatal(err)
			}
			t.Errorf("event %d: word %.60q at %d %s", doc, term, offset, d.name)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
