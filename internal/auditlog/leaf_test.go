package auditlog

import (
	"encoding/hex"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// docBlock returns the fenced block of docs/audit-log.md tagged "text <tag>".
func docBlock(t *testing.T, tag string) string {
	t.Helper()
	doc, err := os.ReadFile("../../docs/audit-log.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```text " + tag + "\n(.*?)\n```").FindSubmatch(doc)
	if m == nil {
		t.Fatalf("docs/audit-log.md has no ```text %s block", tag)
	}
	return string(m[1])
}

func TestTheDocumentedTestVectorIsWhatTheLogHashes(t *testing.T) {
	t.Parallel()
	got, err := Leaf(vectorEvent())
	if err != nil {
		t.Fatal(err)
	}
	if want := docBlock(t, "leaf"); string(got) != want {
		t.Fatalf("leaf bytes differ from the documented vector:\n got %s\nwant %s", got, want)
	}
	h := LeafHash(got)
	if got, want := hex.EncodeToString(h[:]), docBlock(t, "leaf-hash"); got != want {
		t.Fatalf("leaf hash = %s; the documentation says %s", got, want)
	}
}

func TestLeafTimesHaveOneFixedForm(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   time.Time
		want string
	}{
		{"a whole second keeps six zero digits", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "2026-01-02T03:04:05.000000Z"},
		{"nanoseconds are cut to the microseconds stored", time.Date(2026, 1, 2, 3, 4, 5, 999999999, time.UTC), "2026-01-02T03:04:05.999999Z"},
		{"an offset becomes UTC", time.Date(2026, 1, 2, 0, 30, 0, 1000, time.FixedZone("", -3600)), "2026-01-02T01:30:00.000001Z"},
		{"a small year keeps four digits", time.Date(7, 12, 31, 23, 59, 59, 1000, time.UTC), "0007-12-31T23:59:59.000001Z"},
		{"the last representable microsecond", time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), "9999-12-31T23:59:59.999999Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if ref := tc.in.UTC().Truncate(time.Microsecond).Format(TimeLayout); ref != tc.want {
				t.Fatalf("time.Format gives %s; the case expects %s", ref, tc.want)
			}
			if got := FormatTime(tc.in); got != tc.want {
				t.Fatalf("FormatTime = %s; want %s", got, tc.want)
			}
		})
	}
}

func TestAnEventWithoutOptionalFieldsStillHasEveryMember(t *testing.T) {
	t.Parallel()
	e := vectorEvent()
	e.ActorUserID, e.ActorDisplayName, e.TargetDisplayName, e.Metadata, e.RedactedPaths = "", "", "", nil, nil
	got, err := Leaf(e)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"actor_user_id":""`, `"actor_display_name":""`, `"metadata":{}`, `"redacted_paths":[]`, `"trace_id":""`} {
		if !regexp.MustCompile(regexp.QuoteMeta(want)).Match(got) {
			t.Errorf("leaf %s lacks %s", got, want)
		}
	}
}

// A leaf error reaches the server log, so it names the event and the kind
// of failure, never a value the client sent.
func TestALeafErrorDoesNotRepeatTheNumber(t *testing.T) {
	t.Parallel()
	e := vectorEvent()
	e.Metadata = []byte(`{"n":1e400}`)
	_, err := Leaf(e)
	if err == nil || strings.Contains(err.Error(), "1e400") || !strings.Contains(err.Error(), "no IEEE 754 double form") {
		t.Errorf("Leaf: %v, want the failure without the number", err)
	}
}
