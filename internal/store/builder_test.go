package store

import (
	"slices"
	"testing"
)

func TestBuilderRendersEachDialectsPlaceholders(t *testing.T) {
	t.Parallel()
	build := func(d dialect) (string, []any) {
		b := &builder{d: d}
		b.eq("gate", "release")
		b.eq("subject", "") // any subject
		b.in("rule", []string{"a", "b"}, false)
		b.where("at >= ? AND at < ?", 1, 2)
		q := b.query("SELECT id FROM t" + newestFirst(b, "id", "0190", 10))
		return q.sql, q.args
	}
	wantArgs := []any{"release", "a", "b", 1, 2, "0190", 10}
	for _, tt := range []struct {
		d    dialect
		want string
	}{
		{sqliteDialect{}, "SELECT id FROM t WHERE gate = ? AND rule IN (?, ?) AND at >= ? AND at < ? AND id < ? ORDER BY id DESC LIMIT ?"},
		{postgresDialect{}, "SELECT id FROM t WHERE gate = $1 AND rule IN ($2, $3) AND at >= $4 AND at < $5 AND id < $6 ORDER BY id DESC LIMIT $7"},
	} {
		t.Run(tt.d.name(), func(t *testing.T) {
			t.Parallel()
			sql, args := build(tt.d)
			if sql != tt.want || !slices.Equal(args, wantArgs) {
				t.Errorf("got  %s %v\nwant %s %v", sql, args, tt.want, wantArgs)
			}
		})
	}
}

func TestBuilderClausesShareOneNumbering(t *testing.T) {
	t.Parallel()
	b := &builder{d: postgresDialect{}}
	b.eq("a", "x")
	first := b.clause()
	b.in("b", nil, false)
	b.in("c", nil, true)
	second := b.clause()
	third := b.clause()
	b.eq("d", "y")
	fourth := b.clause()
	if first != " WHERE a = $1" || second != " WHERE 1 = 0 AND 1 = 1" || third != "" || fourth != " WHERE d = $2" {
		t.Errorf("clauses %q %q %q %q", first, second, third, fourth)
	}
	if q := newestFirst(b, "seq", int64(0), 5); q != " ORDER BY seq DESC LIMIT $3" {
		t.Errorf("a page from the newest row: %q", q)
	}
}

func TestBuilderRefusesTextThatBindsOtherThanItsValues(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("two placeholders bound to one value")
		}
	}()
	(&builder{d: sqliteDialect{}}).where("a = ? AND b = ?", 1)
}
