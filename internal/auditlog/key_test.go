package auditlog

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

func TestTheKeyIsMadeOnceOwnerOnlyAndKeptAcrossStarts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	skey, created, err := LoadKey("", dir, DefaultOrigin)
	if err != nil || !created {
		t.Fatalf("first start: created=%v, %v", created, err)
	}
	info, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", info.Mode().Perm(), err)
	}
	again, created, err := LoadKey("", dir, DefaultOrigin)
	if err != nil || created || again != skey {
		t.Fatalf("second start: created=%v, same key %v, %v", created, again == skey, err)
	}
	vkey, err := VerifierKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil || v.Name() != DefaultOrigin {
		t.Fatalf("verifier key %q: %v", vkey, err)
	}
	s, _ := note.NewSigner(skey)
	msg, _ := note.Sign(&note.Note{Text: "x\n"}, s)
	if _, err := note.Open(msg, note.VerifierList(v)); err != nil {
		t.Fatalf("the verifier key does not check the key's signature: %v", err)
	}
}

func TestKeysThatCannotBeUsedAreRefusedWithoutQuotingThem(t *testing.T) {
	t.Parallel()
	other, _, err := note.GenerateKey(rand.Reader, "other.example/log")
	if err != nil {
		t.Fatal(err)
	}
	mine, _, _ := note.GenerateKey(rand.Reader, DefaultOrigin)
	for _, tc := range []struct {
		name, given string
		mode        os.FileMode
		want        string
	}{
		{"a key for another origin", other, 0, "origin"},
		{"a garbled key", mine[:len(mine)-4] + "AAAA", 0, "not a note signing key"},
		{"a verifier key instead of a signing key", "aeso.local/audit+12345678+AAAA", 0, "not a note signing key"},
		{"a key file others can read", "", 0o644, "chmod 600"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.mode != 0 {
				if err := os.WriteFile(filepath.Join(dir, KeyFile), []byte(mine+"\n"), tc.mode); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(filepath.Join(dir, KeyFile), tc.mode); err != nil {
					t.Fatal(err)
				}
			}
			_, _, err := LoadKey(tc.given, dir, DefaultOrigin)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v; want it to mention %q", err, tc.want)
			}
			for _, secret := range []string{other, mine, strings.SplitN(mine, "+", 5)[4]} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("the error quotes the key: %v", err)
				}
			}
		})
	}
}
