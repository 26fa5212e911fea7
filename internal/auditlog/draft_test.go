package auditlog

import (
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso/internal/audit"
)

// TestADraftHashesAsTheWholeLeaf: a draft made before the seq is known,
// finished with any seq, is the leaf hash of the leaf written whole at that
// seq, the documented vector included.
func TestADraftHashesAsTheWholeLeaf(t *testing.T) {
	t.Parallel()
	d, err := NewDraft(vectorEvent())
	if err != nil {
		t.Fatal(err)
	}
	h, err := d.Hash(42)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hex.EncodeToString(h[:]), docBlock(t, "leaf-hash"); got != want {
		t.Fatalf("the vector's draft at seq 42 hashes to %s; the documentation says %s", got, want)
	}

	bare := vectorEvent()
	bare.Metadata, bare.RedactedPaths, bare.TargetDisplayName, bare.Source, bare.TraceID = nil, nil, "", "", ""
	deep := vectorEvent()
	deep.Metadata = json.RawMessage(`{"a":[1,2,{"seq":3}],"z":"\u0001"}`)
	for name, ev := range map[string]*audit.Event{"the vector": vectorEvent(), "no optional field": bare, "deep metadata": deep} {
		ev.Seq = 0 // unknown when the draft is made
		d, err := NewDraft(ev)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, seq := range []int64{1, 9, 10, 42, 999_999, 1_000_000, 1 << 62} {
			ev.Seq = seq
			leaf, err := Leaf(ev)
			if err != nil {
				t.Fatal(err)
			}
			got, err := d.Hash(seq)
			if err != nil || got != LeafHash(leaf) {
				t.Errorf("%s at seq %d: draft hash %v (%v), want %v", name, seq, got, err, LeafHash(leaf))
			}
		}
	}
}

// TestADraftRefusesALeafTooLongForItsSeq: the bound counts the seq's
// digits, which the draft only learns at the end.
func TestADraftRefusesALeafTooLongForItsSeq(t *testing.T) {
	t.Parallel()
	e := vectorEvent()
	e.Metadata = json.RawMessage(`{"a":""}`)
	e.Seq = 0
	leaf, _, err := leafWithoutSeq(e)
	if err != nil {
		t.Fatal(err)
	}
	// Pad so that the leaf is exactly MaxLeafBytes with a 2-digit seq.
	e.Metadata = json.RawMessage(`{"a":"` + strings.Repeat("x", MaxLeafBytes-len(leaf)-2) + `"}`)
	d, err := NewDraft(e)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Hash(99); err != nil {
		t.Errorf("a leaf of exactly %d bytes: %v", MaxLeafBytes, err)
	}
	e.Seq = 100
	if _, werr := Leaf(e); werr == nil {
		t.Fatal("Leaf accepted a leaf one byte too long")
	}
	if _, err := d.Hash(100); err == nil || !strings.Contains(err.Error(), "exceeds") {
		t.Errorf("a leaf one byte too long: err = %v", err)
	}
}

// BenchmarkLeafHashUnderTheSeqLock is the per-event work left to the seq
// lock's holder: the whole leaf written and hashed, or a draft made
// before the lock finished with its seq.
func BenchmarkLeafHashUnderTheSeqLock(b *testing.B) {
	e := vectorEvent()
	b.Run("whole leaf", func(b *testing.B) {
		for i := range b.N {
			e.Seq = int64(i + 1)
			leaf, err := Leaf(e)
			if err != nil {
				b.Fatal(err)
			}
			_ = LeafHash(leaf)
		}
	})
	b.Run("draft finished", func(b *testing.B) {
		d, err := NewDraft(e)
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := range b.N {
			if _, err := d.Hash(int64(i + 1)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
