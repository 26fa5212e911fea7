package evidence

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/report"
	"github.com/gowebpki/jcs"
)

// pinnedBundle is the bundle and item of the pinned vectors.
func pinnedBundle() (*Bundle, []*Item) {
	at := time.Date(2026, 11, 23, 19, 30, 0, 123456000, time.UTC)
	expires := at.Add(24 * time.Hour)
	b := &Bundle{
		ID: "0190a1b2-0000-7000-8000-000000000001", Kind: "release", Subject: Subject{Name: "api", Ref: "v1.4.2"},
		Title: "api <v1.4.2> & co", Labels: map[string]string{"team": "pay", "a": "é"}, CorrelationID: "c-1",
		Owner: "release-eng", CreatedAt: at, CreatedBy: "ci",
	}
	items := []*Item{{
		ID: "0190a1b2-0000-7000-8000-000000000002", BundleID: b.ID, Position: 1, Type: "test_report", Name: "unit",
		Result: "fail", Counts: report.Counts{Total: 3, Passed: 2, Failed: 1}, Summary: "line\nbreak",
		Links:  []Link{{URL: "https://a.example/r.xml", SHA256: "00ff", Size: 10}},
		Source: Source{URL: "https://ci.example/j/1"}, ObservedAt: at, ExpiresAt: &expires,
		Metadata: json.RawMessage(`{"n":1.50,"z":[1e3,true,null]}`), RedactedPaths: []string{"token"},
		Report: &report.Summary{Format: "junit", Result: "fail", Counts: report.Counts{Total: 3, Passed: 2, Failed: 1},
			DurationMS: 12, Failures: []report.Failure{{Name: "TestX", Message: "want 3"}}, SHA256: "ab", Size: 77},
		CreatedAt: at, CreatedBy: "ci",
	}}
	return b, items
}

// TestTheV1EncodingIsPinned fixes one document and its digest in the
// encoding of bundles sealed before DigestV2. If this test fails, their
// exports would stop verifying.
func TestTheV1EncodingIsPinned(t *testing.T) {
	t.Parallel()
	b, items := pinnedBundle()
	const wantDoc = `{"bundle":{"correlation_id":"c-1","created_at":"2026-11-23T19:30:00.123456Z","created_by":"ci","id":"0190a1b2-0000-7000-8000-000000000001","kind":"release","labels":{"a":"é","team":"pay"},"owner":"release-eng","subject":{"name":"api","ref":"v1.4.2"},"supersede_reason":"","supersedes":"","title":"api <v1.4.2> & co"},"items":[{"correlation_id":"","counts":{"errored":0,"failed":1,"passed":2,"skipped":0,"total":3,"warnings":0},"created_at":"2026-11-23T19:30:00.123456Z","created_by":"ci","expires_at":"2026-11-24T19:30:00.123456Z","id":"0190a1b2-0000-7000-8000-000000000002","links":[{"sha256":"00ff","size":10,"url":"https://a.example/r.xml"}],"metadata":{"n":1.50,"z":[1e3,true,null]},"name":"unit","observed_at":"2026-11-23T19:30:00.123456Z","position":1,"redacted_paths":["token"],"report":{"counts":{"errored":0,"failed":1,"passed":2,"skipped":0,"total":3,"warnings":0},"duration_ms":12,"failures":[{"message":"want 3","name":"TestX"}],"failures_truncated":false,"format":"junit","result":"fail","sha256":"ab","size":77},"result":"fail","source":{"url":"https://ci.example/j/1"},"summary":"line\nbreak","type":"test_report"}],"version":"aeso-evidence-v1"}`
	checkVector(t, DigestV1, b, items, wantDoc, "sha256:15e9e41ec4334464cf7c149df86c2c2f5990018389fed0250ad78b53bcf5b23c")
}

// TestTheV2EncodingIsPinned fixes the vector of docs/evidence-digest.md:
// the same bundle in RFC 8785 canonical JSON, with two labels whose keys
// sort differently by UTF-16 code units (JCS) than by UTF-8 bytes, and a
// U+2028 that JCS writes literally. If this test fails, the encoding
// changed: add a DigestV3 instead, and keep this vector.
func TestTheV2EncodingIsPinned(t *testing.T) {
	t.Parallel()
	b, items := pinnedBundle()
	b.Labels["\ue000"], b.Labels["\U0001F600"] = "private use", "emoji"
	items[0].Summary = "line\nbreak\u2028"
	const wantDoc = `{"bundle":{"correlation_id":"c-1","created_at":"2026-11-23T19:30:00.123456Z","created_by":"ci","id":"0190a1b2-0000-7000-8000-000000000001","kind":"release","labels":{"a":"é","team":"pay","😀":"emoji","":"private use"},"owner":"release-eng","subject":{"name":"api","ref":"v1.4.2"},"supersede_reason":"","supersedes":"","title":"api <v1.4.2> & co"},"items":[{"correlation_id":"","counts":{"errored":0,"failed":1,"passed":2,"skipped":0,"total":3,"warnings":0},"created_at":"2026-11-23T19:30:00.123456Z","created_by":"ci","expires_at":"2026-11-24T19:30:00.123456Z","id":"0190a1b2-0000-7000-8000-000000000002","links":[{"sha256":"00ff","size":10,"url":"https://a.example/r.xml"}],"metadata":{"n":1.5,"z":[1000,true,null]},"name":"unit","observed_at":"2026-11-23T19:30:00.123456Z","position":1,"redacted_paths":["token"],"report":{"counts":{"errored":0,"failed":1,"passed":2,"skipped":0,"total":3,"warnings":0},"duration_ms":12,"failures":[{"message":"want 3","name":"TestX"}],"failures_truncated":false,"format":"junit","result":"fail","sha256":"ab","size":77},"result":"fail","source":{"url":"https://ci.example/j/1"},"summary":"line\nbreak ","type":"test_report"}],"version":"aeso-evidence-v2"}`
	checkVector(t, DigestV2, b, items, wantDoc, "sha256:d89c884875fbacccecf23d76ebd59491277f7440b2811aa7a65789d9f9d50616")
	// docs/evidence-digest.md points at these exact bytes.
	if file, err := os.ReadFile("testdata/digest-v2-vector.json"); err != nil || string(file) != wantDoc {
		t.Errorf("testdata/digest-v2-vector.json is not the pinned document (%v)", err)
	}
	if DigestVersion != DigestV2 {
		t.Errorf("new seals use %s, want %s", DigestVersion, DigestV2)
	}
}

func checkVector(t *testing.T, version string, b *Bundle, items []*Item, wantDoc, wantDigest string) {
	t.Helper()
	digest, doc, err := SealAs(version, b, items)
	if err != nil {
		t.Fatal(err)
	}
	if string(doc) != wantDoc {
		t.Errorf("canonical document changed:\n got %s\nwant %s", doc, wantDoc)
	}
	if digest != wantDigest {
		t.Errorf("digest %s, want %s", digest, wantDigest)
	}
	if got := digestOf([]byte(wantDoc)); got != wantDigest {
		t.Errorf("the pinned digest is not SHA-256 of the pinned document: %s", got)
	}
}

// TestTheDocumentedVectorCanonicalisesToThePinnedBytes reads the test
// vector of docs/evidence-digest.md, as a reader would copy it, and
// canonicalises it with the JCS library alone.
func TestTheDocumentedVectorCanonicalisesToThePinnedBytes(t *testing.T) {
	t.Parallel()
	md, err := os.ReadFile("../../docs/evidence-digest.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(md), "### Test vector")
	_, block, ok2 := strings.Cut(after, "```json\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("docs/evidence-digest.md has no test vector block")
	}
	got, err := jcs.Transform([]byte(block))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/digest-v2-vector.json")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("the documented vector canonicalises to\n%s\nwant\n%s", got, want)
	}
	if d := digestOf(got); !strings.Contains(string(md), d) || !strings.Contains(string(md), fmt.Sprintf("the %s bytes", groupThousands(len(want)))) {
		t.Errorf("the documentation does not state the digest %s and size %d", d, len(want))
	}
}

func groupThousands(n int) string {
	if n < 1000 {
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("%s,%03d", groupThousands(n/1000), n%1000)
}
