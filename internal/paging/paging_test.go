package paging

import (
	"encoding/base64"
	"errors"
	"slices"
	"testing"

	"github.com/aeso-dev/aeso"
)

func TestReadCutsOneRowBeyondThePage(t *testing.T) {
	t.Parallel()
	rows := []int{9, 8, 7, 6, 5}
	read := func(n int) ([]int, error) { return rows[:min(n, len(rows))], nil }
	cursor := func(r int) string { return AfterSeq(int64(r)) }
	for _, tt := range []struct {
		name  string
		limit int
		want  []int
		next  string
	}{
		{"a page shorter than the rows has a next page after its last row", 2, []int{9, 8}, AfterSeq(8)},
		{"a page one short of the rows still has a next page", 4, []int{9, 8, 7, 6}, AfterSeq(6)},
		{"a page exactly as long as the rows is the last", 5, rows, ""},
		{"a page longer than the rows is the last", 10, rows, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var asked int
			page, next, err := Read(tt.limit, func(n int) ([]int, error) { asked = n; return read(n) }, cursor)
			if err != nil || !slices.Equal(page, tt.want) || next != tt.next || asked != tt.limit+1 {
				t.Errorf("Read(%d) = %v %q %v after asking for %d; want %v %q, asking for %d",
					tt.limit, page, next, err, asked, tt.want, tt.next, tt.limit+1)
			}
		})
	}
	t.Run("a failed read is the page's error", func(t *testing.T) {
		t.Parallel()
		boom := errors.New("boom")
		if _, _, err := Read(3, func(int) ([]int, error) { return nil, boom }, cursor); !errors.Is(err, boom) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestCursorsRoundTrip(t *testing.T) {
	t.Parallel()
	var v aeso.Validation
	if got := Seq(&v, AfterSeq(1234567)); got != 1234567 {
		t.Errorf("seq = %d", got)
	}
	id := "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
	if got := ID(&v, AfterID(id)); got != id {
		t.Errorf("id = %q", got)
	}
	if got, got2 := Seq(&v, ""), ID(&v, ""); got != 0 || got2 != "" {
		t.Errorf("no cursor reads as %d and %q", got, got2)
	}
	if err := v.Err(); err != nil {
		t.Errorf("a cursor handed out is refused: %v", err)
	}
	if c := AfterID(id); c == id || !isBase64URL(c) {
		t.Errorf("an id cursor %q is not opaque URL-safe text", c)
	}
}

func isBase64URL(s string) bool {
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

func TestMalformedCursorsAreRefusedAlike(t *testing.T) {
	t.Parallel()
	id := "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, tt := range []struct {
		name, cursor string
		read         func(*aeso.Validation, string)
	}{
		{"a bare id is not an id cursor", id, readID},
		{"a seq cursor is not an id cursor", AfterSeq(7), readID},
		{"an upper-case id is not one aeso handed out", enc("i0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B"), readID},
		{"an id cursor holds a whole id", enc("i0190a1b2"), readID},
		{"text that is not base64 is no cursor", "not a cursor", readID},
		{"an id cursor is not a seq cursor", AfterID(id), readSeq},
		{"a bare number is not a seq cursor", "42", readSeq},
		{"seq 0 starts no page", enc("s0"), readSeq},
		{"a negative seq starts no page", enc("s-3"), readSeq},
		{"a seq cursor holds digits only", enc("s12x"), readSeq},
		{"a kind alone is no cursor", enc("s"), readSeq},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var v aeso.Validation
			tt.read(&v, tt.cursor)
			var e *aeso.Error
			if err := v.Err(); !errors.As(err, &e) || e.Code != aeso.EINVALID || e.Reason != "validation_failed" ||
				len(e.Fields) != 1 || e.Fields[0].Field != "cursor" || e.Fields[0].Code != "format" {
				t.Errorf("cursor %q: %#v", tt.cursor, err)
			}
		})
	}
}

func readID(v *aeso.Validation, c string)  { ID(v, c) }
func readSeq(v *aeso.Validation, c string) { Seq(v, c) }

func TestCheckIDIsTheListingsProblem(t *testing.T) {
	t.Parallel()
	id := "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
	if got, err := CheckID(AfterID(id)); got != id || err != nil {
		t.Errorf("CheckID = %q, %v", got, err)
	}
	_, err := CheckID(id)
	var e *aeso.Error
	if !errors.As(err, &e) || e.Message != "request is invalid" || len(e.Fields) != 1 ||
		e.Fields[0] != (aeso.FieldError{Field: "cursor", Code: "format", Message: "is not a cursor returned by this API"}) {
		t.Errorf("a bare id: %#v", err)
	}
}

// ReadByID walks a listing keyed by id page by page, handing read the id
// the page follows, and refuses a cursor it did not hand out before
// reading anything.
func TestReadByIDWalksAndRefuses(t *testing.T) {
	t.Parallel()
	ids := []string{ // newest first
		"01a23782-cc6c-775f-a889-5bc35dde8190",
		"01a23782-cc41-7788-a734-247db4eec792",
		"01a23782-cc06-7a75-b45a-ef38a735b63f",
	}
	read := func(before string, n int) ([]string, error) {
		i := 0
		if before != "" {
			i = slices.Index(ids, before) + 1
		}
		return ids[i:min(i+n, len(ids))], nil
	}
	id := func(s string) string { return s }
	var walked []string
	cursor, pages := "", 0
	for {
		page, next, err := ReadByID(cursor, 2, read, id)
		if err != nil {
			t.Fatal(err)
		}
		walked, pages = append(walked, page...), pages+1
		if next == "" {
			break
		}
		if next != AfterID(page[len(page)-1]) {
			t.Fatalf("next %q, want the cursor after %s", next, page[len(page)-1])
		}
		cursor = next
	}
	if !slices.Equal(walked, ids) || pages != 2 {
		t.Errorf("walked %v in %d pages, want %v in 2", walked, pages, ids)
	}
	called := false
	_, _, err := ReadByID(AfterSeq(7), 2, func(string, int) ([]string, error) { called = true; return nil, nil }, id)
	var e *aeso.Error
	if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "cursor" || called {
		t.Errorf("a seq cursor for an id listing: %v (read called: %v)", err, called)
	}
}
