package auditlog

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/gowebpki/jcs"
)

// jcsLeaf is the leaf by the reference route: encoding/json, then
// jcs.Transform.
func jcsLeaf(t *testing.T, e *audit.Event) []byte {
	t.Helper()
	paths := e.RedactedPaths
	if paths == nil {
		paths = []string{}
	}
	raw, err := json.Marshal(map[string]any{
		"id": e.ID, "seq": e.Seq, "actor_user_id": e.ActorUserID, "actor_service_account_id": e.ActorServiceAccountID,
		"actor_role": e.ActorRole, "actor_display_name": e.ActorDisplayName, "action": e.Action,
		"target_type": e.TargetType, "target_id": e.TargetID, "target_display_name": e.TargetDisplayName,
		"result": e.Result, "correlation_id": e.CorrelationID,
		"occurred_at": e.OccurredAt.UTC().Truncate(time.Microsecond).Format(TimeLayout),
		"recorded_at": e.RecordedAt.UTC().Truncate(time.Microsecond).Format(TimeLayout),
		"metadata":    json.RawMessage(e.Metadata), "redacted_paths": paths,
		"source": e.Source, "request_id": e.RequestID, "trace_id": e.TraceID,
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := jcs.Transform(raw)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// hostileMetadata are documents whose canonical form differs from how they
// are written: key order across UTF-16 surrogates, escapes, number forms.
var hostileMetadata = []string{
	`{}`,
	`{"b":1,"a":2,"":3,"A":4,"_":5}`,
	"{\"\uE000\":1,\"\U0001F600\":2,\"\u00e9\":3,\"e\":4,\"\uFFFF\":5,\"\U00010000\":6}",
	`{"n":[1.0,2.50,1E3,1e21,1e-7,1e-6,0.1,-0,123456789012345678901,5e-324,1.7976931348623157e308,-1.5e-10,100,0.000001]}`,
	`{"s":"quote \" backslash \\ slash / tab \t nl \n cr \r bs \b ff \f nul \u0000 us \u001f del \u007f"}`,
	`{"s":"<script>&amp;</script> \u2028\u2029 \ud83d\ude00 é 中文"}`,
	`{"deep":{"a":{"b":{"c":[{"z":true,"y":false,"x":null}]}}},"list":[[],[{}],""]}`,
	`{"k":"v",  "k2" : [ 1 , 2 ] }`,
	// Already canonical, or nearly: the copy path must tell them apart.
	`{"a":1,"b":"x","c":[true,false,null,-7,0,123456789012345],"d":{}}`,
	`{"a":"\n\t\"\\\u001f\u0000\b\f\r"}`,
	`{"a":"\u001F"}`, `{"a":"\/"}`, `{"a":"\u003c"}`, `{"a":"\u000a"}`, `{"a":"\u2028"}`,
	`{"a":1.0}`, `{"a":-0}`, `{"a":1E3}`, `{"a":1e+21}`, `{"a":0.5}`, `{"a":1e-7}`, `{"a":1234567890123456}`,
	`{"b":1,"a":2}`, `{"\u0061":1}`, "{\"\uFFFF\":1,\"\U00010000\":2}", "{\"\U00010000\":1,\"\uFFFF\":2}",
	`[1,2]`, `{"a":[]}`, `{"a":{"b":{"c":{"d":{"e":1}}}}}`,
}

func TestTheLeafWriterAgreesWithJCSTransform(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "Z", "0", " ", "\"", "\\", "\n", "\t", "\x01", "\x1f", "é", "中", "\U0001F600", "\uE000", "<", "&", "\u2028", "/"}
	randText := func() string {
		var b strings.Builder
		for i := rng.IntN(12); i > 0; i-- {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	checked := 0
	for i := 0; i < 400; i++ {
		e := vectorEvent()
		e.Seq = rng.Int64N(1 << 50)
		e.ActorUserID, e.ActorDisplayName, e.TargetDisplayName, e.TargetID = randText(), randText(), randText(), randText()
		e.CorrelationID, e.RequestID, e.TraceID, e.Source = randText(), randText(), randText(), randText()
		e.OccurredAt = time.Unix(rng.Int64N(4e9), rng.Int64N(1e9))
		e.RedactedPaths = nil
		for j := rng.IntN(3); j > 0; j-- {
			e.RedactedPaths = append(e.RedactedPaths, randText())
		}
		e.Metadata = json.RawMessage(hostileMetadata[i%len(hostileMetadata)])
		if i%3 == 0 {
			m := map[string]any{}
			for j := rng.IntN(6); j > 0; j-- {
				m[randText()] = []any{randText(), rng.Float64() * 1e6, rng.Int64N(1 << 52)}
			}
			e.Metadata, _ = json.Marshal(m)
		}
		got, err := Leaf(e)
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if want := jcsLeaf(t, e); string(got) != string(want) {
			t.Fatalf("event %d (metadata %s):\n got %s\nwant %s", i, e.Metadata, got, want)
		}
		checked++
	}
	t.Logf("%d leaves byte-identical to jcs.Transform", checked)
}

func TestMetadataNoCanonicalFormCanHoldIsRefused(t *testing.T) {
	t.Parallel()
	for _, meta := range []string{`{"n":1e400}`, `{"a":1} {}`, `{"a":`, "{\"a\":\"\xff\"}"} {
		e := vectorEvent()
		e.Metadata = json.RawMessage(meta)
		if b, err := Leaf(e); err == nil {
			t.Errorf("metadata %q gave a leaf: %s", meta, b)
		}
	}
}

func TestOnlyCanonicalMetadataIsCopiedAsItIs(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		doc  string
		copy bool
	}{
		{`{"a":1,"b":"x","c":[true,false,null,-7,0,123456789012345],"d":{}}`, true},
		{`{"a":"\n\u001f"}`, true},
		{`{"a":0.5,"b":1e+21,"c":1e-7,"d":-1.5}`, true},
		{`{"a":"\u000a"}`, false},
		{`{"a":"\u001F"}`, false},
		{`{"a":"\/"}`, false},
		{`{"a":1.0}`, false},
		{`{"a":-0}`, false},
		{`{"a":1E3}`, false},
		{`{"b":1,"a":2}`, false},
		{`{"a":1, "b":2}`, false},
		{`{"a":1}x`, false},
	} {
		if got := isCanonical([]byte(c.doc)); got != c.copy {
			t.Errorf("isCanonical(%s) = %v; want %v", c.doc, got, c.copy)
		}
	}
}
