package auditsearch

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso/internal/testdb"
)

// formerSplit is the former trigger's expression over a text bound at $1.
const formerSplit = `to_tsvector('simple', regexp_replace($1, '[[:space:][:punct:][:cntrl:]]+', ' ', 'g'))`

// sorted puts a tsvector's lexemes in PostgreSQL's output order (bytewise),
// which is how to_tsvector's results below were printed.
func sorted(v string) string {
	if v == "" {
		return v
	}
	parts := strings.Split(v, " ")
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

// Each want is what PostgreSQL 15's former trigger expression printed for
// the text (psql, a UTF-8 database with glibc's C.UTF-8 classes).
func TestPostgresVectorIsWhatTheTriggerMade(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, text, want string }{
		{"an action and a target split at punctuation", "credentials.api_key.rotate deploy-key-7",
			`'7':7 'api':2 'credentials':1 'deploy':5 'key':3,6 'rotate':4`},
		{"metadata read as text, keys and values alike", `{"key_name":"deploy","ip":"192.0.2.10","n":90}`,
			`'0':6 '10':8 '192':5 '2':7 '90':10 'deploy':3 'ip':4 'key':1 'n':9 'name':2`},
		{"case folded character by character", "İSTANBUL ǅ ẞ Straße ΣΊΣΥΦΟΣ",
			`'istanbul':1 'straße':4 'ß':3 'ǆ':2 'σίσυφοσ':5`},
		{"a combining accent is punctuation, a precomposed letter is not", "café cafe\u0301 naïve",
			`'cafe':2 'café':1 'naïve':3`},
		{"digits, e and digits end a number", "1e5abc 12E3x 1e5e6 12e٣ ١٢٣e5 0x1F 1.5e-7",
			`'0x1f':9 '1':10 '12e3':3 '12e٣':7 '1e5':1,5 '5e':11 '7':12 'abc':2 'e6':6 'x':4 '١٢٣e5':8`},
		{"no e-mail, URL or tag survives the split", "user@example.com https://example.com/a?b=c <b>x</b> &amp;",
			`'a':7 'amp':13 'b':8,10,12 'c':9 'com':3,6 'example':2,5 'https':4 'user':1 'x':11`},
		{"a zero-width character continues a word but starts none; an unassigned one separates", "x\u0a43y \u0a43z p\u0378q",
			`'p':3 'q':4 'x੃y':1 'z':2`},
		{"letters newer than the database's tables separate", "w\u0cf3z \u0c04v", `'v':3 'w':1 'z':2`},
		{"symbols and emoji separate", "€5 ©2026 ² ½ ① 🚀key 👩\u200d💻dev", `'2026':2 '5':1 'dev':4 'key':3`},
		{"control and format characters separate", "a\tb\u0085c\u200bd", `'a':1 'b':2 'c':3 'd':4`},
		{"a repeated word keeps each position", "deploy key deploy key deploy", `'deploy':1,3,5 'key':2,4`},
		{"nothing to index", " .,;- ", ``},
		{"a token of 2048 bytes takes no position", strings.Repeat("a", 2048) + " b", `'b':1`},
		{"a lexeme of 2048 bytes takes one", "Ⱥ" + strings.Repeat("a", 2045) + " z", `'z':2`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := sorted(PostgresVector(tt.text)); got != tt.want {
				t.Errorf("PostgresVector(%q)\n got %s\nwant %s", tt.text, got, tt.want)
			}
		})
	}
}

func TestPostgresVectorKeepsPostgreSQLsPositionLimits(t *testing.T) {
	t.Parallel()
	v := PostgresVector(strings.Repeat("a ", 300) + strings.Repeat("b ", 16400) + "c d")
	for _, want := range []string{"'a':1,2,3,", ",254,255 'b':301,", ",554,555 'c':16383 'd':16383"} {
		if !strings.Contains(v, want) {
			t.Errorf("vector lacks %q: %.200s … %.200s", want, v, v[len(v)-200:])
		}
	}
	if n := strings.Count(v, ","); n != 2*254 {
		t.Errorf("vector holds %d commas, want 254 for each of two lexemes of 255 positions", n)
	}
}

func openPostgres(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", testdb.Postgres(t).URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// assertSameAsTrigger compares PostgresVector of each text with the
// former trigger's expression, in the database, and reports each text on
// which they differ.
func assertSameAsTrigger(t *testing.T, db *sql.DB, texts []string) {
	t.Helper()
	vectors := make([]string, len(texts))
	for i, s := range texts {
		vectors[i] = PostgresVector(s)
	}
	rows, err := db.QueryContext(context.Background(), `SELECT i, t, v, (`+strings.ReplaceAll(formerSplit, "$1", "t")+`)::text
		FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS x(t, v, i)
		WHERE v::tsvector IS DISTINCT FROM `+strings.ReplaceAll(formerSplit, "$1", "t")+` ORDER BY i LIMIT 10`, texts, vectors)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var i int
		var text, got, want string
		if err := rows.Scan(&i, &text, &got, &want); err != nil {
			t.Fatal(err)
		}
		t.Errorf("text %d %.200q:\n got %.300s\nwant %.300s", i, text, sorted(got), want)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// Every code point, inside a word and at its start, classes as the
// database classes it: this is what the tables in classes.go were made
// from, and what fails first on a database whose character classes
// differ.
func TestPostgresVectorClassesEveryCodePoint(t *testing.T) {
	t.Parallel()
	db := openPostgres(t)
	var texts []string
	var b strings.Builder
	for r := rune(1); r <= 0x10FFFF; r++ {
		if 0xD800 <= r && r <= 0xDFFF {
			continue
		}
		b.WriteString("x")
		b.WriteRune(r)
		b.WriteString("y ")
		b.WriteRune(r)
		b.WriteString("z ")
		if r%2048 == 0 || r == 0x10FFFF {
			texts = append(texts, b.String())
			b.Reset()
		}
	}
	assertSameAsTrigger(t, db, texts)
}

// Random texts over the characters that matter to the split (letters of
// several widths and cases, digits, e, every separator kind, zero-width
// and unassigned characters) come out as the database makes them.
func TestPostgresVectorMatchesTheTriggerOnRandomTexts(t *testing.T) {
	t.Parallel()
	db := openPostgres(t)
	alphabet := []rune("aZe E09_-.@/:+'\\\"\t\n\u00a0\u200bÉéİıẞßΣσς\u0301\u093e\u0915١٣²½€🚀\u0a43\u0378\u0cf3Ⱥⱥ")
	rng := rand.New(rand.NewPCG(1, 2))
	texts := make([]string, 5000)
	for i := range texts {
		n := rng.IntN(40)
		var b strings.Builder
		for range n {
			b.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		texts[i] = b.String()
	}
	assertSameAsTrigger(t, db, texts)
}
