package evidence

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// testdata/export-v1.json is the export of a bundle sealed by aeso before
// DigestV2 (a real server: `aeso evidence create`, `add` with metadata
// {"n":1.50,"z":[1e3,true,null],…}, `seal`, `promote`, `export -o`). It
// carries numbers as written and a U+2028 escaped, which the v2 encoding
// would write differently, so it verifies only by the v1 rules.
const v1Digest = "sha256:afa4ea02c93da6f6bb52980a5bc88440ae41bd02f04d25d4dfd38bcc2cd48590"

func TestAnExportSealedBeforeV2StillVerifies(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/export-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Verify(data)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if res.DigestVersion != DigestV1 || res.Computed != v1Digest || res.Items != 1 {
		t.Errorf("got %+v, want %s with digest %s and 1 item", res, DigestV1, v1Digest)
	}
	// The same document is not what was sealed once a byte of it changes.
	changed := strings.Replace(string(data), `"migration dry run"`, `"migration dry-run"`, 1)
	if _, err := Verify([]byte(changed)); !errors.Is(err, ErrDigestMismatch) {
		t.Errorf("changed v1 export: %v, want a digest mismatch", err)
	}
	// Relabelling it v2 changes what is hashed: it no longer verifies.
	relabelled := strings.Replace(string(data), `"version": "aeso-evidence-v1"`, `"version": "aeso-evidence-v2"`, 1)
	if _, err := Verify([]byte(relabelled)); !errors.Is(err, ErrDigestMismatch) {
		t.Errorf("v1 document relabelled v2: %v, want a digest mismatch", err)
	}
}

func TestAnExportWhoseVersionsDisagreeIsRefused(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/export-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	lying := strings.Replace(string(data), `"format": "aeso-evidence-export/v1",`,
		`"format": "aeso-evidence-export/v1", "digest_version": "aeso-evidence-v2",`, 1)
	if _, err := Verify([]byte(lying)); err == nil || errors.Is(err, ErrDigestMismatch) || !strings.Contains(err.Error(), "digest_version") {
		t.Errorf("export with digest_version v2 around a v1 document: %v, want refused", err)
	}
	unknown := strings.Replace(string(data), `"version": "aeso-evidence-v1"`, `"version": "aeso-evidence-v9"`, 1)
	if _, err := Verify([]byte(unknown)); err == nil || errors.Is(err, ErrDigestMismatch) {
		t.Errorf("unknown version: %v, want refused as not verifiable", err)
	}
}

func TestASealRefusesANumberItCannotKeep(t *testing.T) {
	t.Parallel()
	b, items := pinnedBundle()
	items[0].Metadata = []byte(`{"big":12345678901234567891,"ok":1.50}`)
	_, _, err := SealAs(DigestV2, b, items)
	var inexact *InexactNumberError
	if !errors.As(err, &inexact) || inexact.Path != "items[0].metadata.big" {
		t.Fatalf("seal: %v, want the inexact number at items[0].metadata.big", err)
	}
	// The v1 encoding kept numbers as written, so such a bundle sealed
	// before still has its digest.
	if _, _, err := SealAs(DigestV1, b, items); err != nil {
		t.Errorf("v1 seal: %v", err)
	}
}
