package redact

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
)

// Seal, promotion, supersession and gate events carry digests in their
// metadata so that the signed audit log commits to them; a digest is hex
// of high entropy, and must not be taken for a secret and replaced.
func TestDigestsAreNotSecrets(t *testing.T) {
	t.Parallel()
	for i := range 2000 {
		sum := sha256.Sum256(fmt.Appendf(nil, "bundle %d", i))
		digest := "sha256:" + hex.EncodeToString(sum[:])
		for _, v := range []string{digest, hex.EncodeToString(sum[:])} {
			if ValueLooksSecret(v) {
				t.Fatalf("%s looks secret", v)
			}
		}
		md, _ := json.Marshal(map[string]string{"digest": digest, "digest_version": "aeso-evidence-v2", "inputs_digest": digest, "verdict": "pass"})
		res, p := Object(md, MetadataLimits())
		if p != nil || len(res.Paths) != 0 || string(res.JSON) != string(md) {
			t.Fatalf("metadata %s came back %s, redacted %v, problem %v", md, res.JSON, res.Paths, p)
		}
	}
}
