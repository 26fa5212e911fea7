package evidence

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso/internal/logverify"
	"golang.org/x/mod/sumdb/tlog"
)

// memTree is an RFC 6962 tree kept by x/mod's tlog, for proofs in tests.
type memTree struct{ hashes []tlog.Hash }

func (m *memTree) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		out[i] = m.hashes[x]
	}
	return out, nil
}

func (m *memTree) add(n int64, leaf []byte) {
	hs, err := tlog.StoredHashes(n, leaf, m)
	if err != nil {
		panic(err)
	}
	m.hashes = append(m.hashes, hs...)
}

const bundleID = "0190a1b2-0000-7000-8000-000000000001"

func sealLeafBytes(seq int, digest, version string) string {
	v := ""
	if version != "" {
		v = fmt.Sprintf(`,"digest_version":%q`, version)
	}
	return fmt.Sprintf(`{"action":"aeso.evidence.seal","metadata":{"digest":%q%s,"items":"1"},"result":"success","seq":%d,"target_id":%q,"target_type":"evidence_bundle"}`,
		digest, v, seq, bundleID)
}

func TestCheckSealInLog(t *testing.T) {
	t.Parallel()
	digest := "sha256:" + strings.Repeat("ab", 32)
	res := &VerifyResult{BundleID: bundleID, DigestVersion: DigestV2, Digest: digest, Computed: digest}
	// Five events; the seal is seq 3.
	leaves := [][]byte{[]byte(`{"seq":1}`), []byte(`{"seq":2}`), []byte(sealLeafBytes(3, digest, DigestV2)), []byte(`{"seq":4}`), []byte(`{"seq":5}`)}
	tree := &memTree{}
	for i, l := range leaves {
		tree.add(int64(i), l)
	}
	root, err := tlog.TreeHash(5, tree)
	if err != nil {
		t.Fatal(err)
	}
	proof, err := tlog.ProveRecord(5, 2, tree)
	if err != nil {
		t.Fatal(err)
	}
	cp := logverify.Checkpoint{Origin: "aeso.local/audit", Size: 5, Root: root}
	if err := CheckSealInLog(res, cp, 3, leaves[2], proof); err != nil {
		t.Fatalf("the honest seal: %v", err)
	}
	other := "sha256:" + strings.Repeat("cd", 32)
	for _, c := range []struct {
		name  string
		seq   int64
		leaf  string
		proof []tlog.Hash
		res   *VerifyResult
	}{
		{"another digest in the leaf", 3, sealLeafBytes(3, other, DigestV2), proof, res},
		{"another version in the leaf", 3, sealLeafBytes(3, digest, DigestV1), proof, res},
		{"the leaf of another seq", 3, sealLeafBytes(4, digest, DigestV2), proof, res},
		{"another bundle", 3, strings.Replace(sealLeafBytes(3, digest, DigestV2), bundleID, "x", 1), proof, res},
		{"another action", 3, strings.Replace(sealLeafBytes(3, digest, DigestV2), "evidence.seal", "evidence.promote", 1), proof, res},
		{"a leaf not in canonical form", 3, strings.Replace(sealLeafBytes(3, digest, DigestV2), `{"action"`, `{ "action"`, 1), proof, res},
		{"a proof of another leaf", 3, string(leaves[2]), mustProve(t, tree, 1), res},
		{"a proof cut short", 3, string(leaves[2]), proof[:len(proof)-1], res},
		{"an export of another digest", 3, string(leaves[2]), proof, &VerifyResult{BundleID: bundleID, DigestVersion: DigestV2, Computed: other}},
	} {
		if err := CheckSealInLog(c.res, cp, c.seq, []byte(c.leaf), c.proof); !errors.Is(err, ErrSealNotInLog) {
			t.Errorf("%s: %v, want ErrSealNotInLog", c.name, err)
		}
	}
	if err := CheckSealInLog(res, cp, 6, leaves[2], proof); err == nil || errors.Is(err, ErrSealNotInLog) {
		t.Errorf("a seal after the checkpoint: %v, want an error asking for a newer checkpoint", err)
	}

	// A bundle sealed before digest_version was recorded: the digest decides.
	v1 := &VerifyResult{BundleID: bundleID, DigestVersion: DigestV1, Computed: digest}
	old := &memTree{}
	oldLeaf := []byte(sealLeafBytes(1, digest, ""))
	old.add(0, oldLeaf)
	oldRoot, _ := tlog.TreeHash(1, old)
	if err := CheckSealInLog(v1, logverify.Checkpoint{Size: 1, Root: oldRoot}, 1, oldLeaf, nil); err != nil {
		t.Errorf("a v1 seal without digest_version: %v", err)
	}
}

func mustProve(t *testing.T, tree *memTree, index int64) []tlog.Hash {
	p, err := tlog.ProveRecord(5, index, tree)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
