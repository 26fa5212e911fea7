package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/testdb"
	"golang.org/x/mod/sumdb/note"
)

// TestEvidenceVerifyProvesTheSealIsInTheSignedLog: a bundle's export, a
// checkpoint and the log's key prove, through the server but trusting it
// for nothing, that the log committed to the bundle's seal with its digest.
func TestEvidenceVerifyProvesTheSealIsInTheSignedLog(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		var args []string
		if tg.URL != "" {
			args = []string{"--database-url", tg.URL}
		}
		s := startServer(t, tg.DataDir, nil, args...)
		token := s.adminToken(t)
		admin := s.env(token)
		c := client.New(s.URL, token)
		dir := t.TempDir()
		write := func(name string, data []byte) string {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			return path
		}
		checkpoint := func(name string) string {
			cp, err := c.Checkpoint(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			return write(name, cp)
		}
		vkey, err := c.AuditKey(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		keyFile := write("log.vkey", []byte(vkey+"\n"))

		id := strings.TrimSpace(mustRun(t, admin, "evidence", "create", "--kind", "release", "--subject", "api", "--ref", "v3",
			"--title", "api v3").stdout)
		mustRun(t, admin, "evidence", "add", "--bundle", id, "--type", "check", "--name", "smoke", "--result", "pass")
		before := checkpoint("before.cp") // taken before the seal
		digest := strings.TrimSpace(mustRun(t, admin, "evidence", "seal", id).stdout)
		// More events after the seal: the proof is of a leaf inside the tree.
		mustRun(t, admin, "evidence", "promote", id, "--stage", "staging-ready", "--reason", "green")
		export := filepath.Join(dir, "bundle.json")
		mustRun(t, admin, "evidence", "export", id, "-o", export)
		after := checkpoint("after.cp")

		t.Run("an honest bundle is proven in the log", func(t *testing.T) {
			for _, key := range []string{vkey, keyFile} {
				r := aeso(t, admin, "evidence", "verify", export, "--checkpoint", after, "--key", key)
				if r.code != 0 || !strings.HasPrefix(r.stdout, "OK "+digest+" (aeso-evidence-v2) bundle "+id) ||
					!strings.Contains(r.stdout, "\nIN LOG sealed at seq ") {
					t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
				}
			}
			var out struct {
				OK  bool `json:"ok"`
				Log struct {
					Seq      int64  `json:"seq"`
					TreeSize int64  `json:"tree_size"`
					Origin   string `json:"origin"`
				} `json:"log"`
			}
			decode(t, mustRun(t, admin, "evidence", "verify", export, "--checkpoint", after, "--key", vkey, "--json"), &out)
			page, err := c.ListEvents(t.Context(), client.ListOptions{Action: "aeso.evidence.seal", TargetID: id})
			if err != nil || len(page.Events) != 1 {
				t.Fatalf("seal events: %v %v", page, err)
			}
			if !out.OK || out.Log.Seq != page.Events[0].Seq || out.Log.TreeSize <= out.Log.Seq || out.Log.Origin != strings.Split(vkey, "+")[0] {
				t.Errorf("--json: %+v; the seal is seq %d", out, page.Events[0].Seq)
			}
		})

		t.Run("a checkpoint from before the seal cannot prove it", func(t *testing.T) {
			r := aeso(t, admin, "evidence", "verify", export, "--checkpoint", before, "--key", vkey)
			if r.code != 2 || !strings.Contains(r.stderr, "newer checkpoint") {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2", r.code, r.stdout, r.stderr)
			}
		})

		t.Run("a checkpoint not signed by the key fails", func(t *testing.T) {
			origin := strings.Split(vkey, "+")[0]
			skey, otherKey, err := note.GenerateKey(nil, origin)
			if err != nil {
				t.Fatal(err)
			}
			r := aeso(t, admin, "evidence", "verify", export, "--checkpoint", after, "--key", otherKey)
			if r.code != 1 || !strings.Contains(r.stderr, "tampered: bad signature") {
				t.Errorf("other key: exit %d, stdout %q, stderr %q; want 1", r.code, r.stdout, r.stderr)
			}
			// A checkpoint of another root, signed by another key that
			// claims the same origin: the real key refuses it.
			data, _ := os.ReadFile(after)
			lines := strings.SplitN(string(data), "\n", 4)
			forgedRoot := base64.StdEncoding.EncodeToString(make([]byte, 32))
			signer, err := note.NewSigner(skey)
			if err != nil {
				t.Fatal(err)
			}
			forged, err := note.Sign(&note.Note{Text: lines[0] + "\n" + lines[1] + "\n" + forgedRoot + "\n"}, signer)
			if err != nil {
				t.Fatal(err)
			}
			r = aeso(t, admin, "evidence", "verify", export, "--checkpoint", write("forged.cp", forged), "--key", vkey)
			if r.code != 1 || !strings.Contains(r.stderr, "tampered: bad signature") {
				t.Errorf("forged checkpoint: exit %d, stdout %q, stderr %q; want 1", r.code, r.stdout, r.stderr)
			}
			// Signed by the key, but speaking for another log: a verdict,
			// as audit verify says, not an error.
			elsewhere, err := note.Sign(&note.Note{Text: "other.example/audit\n" + lines[1] + "\n" + lines[2] + "\n"}, signer)
			if err != nil {
				t.Fatal(err)
			}
			r = aeso(t, admin, "evidence", "verify", export, "--checkpoint", write("elsewhere.cp", elsewhere), "--key", otherKey)
			if r.code != 1 || !strings.Contains(r.stderr, "tampered: wrong origin") {
				t.Errorf("another log's checkpoint: exit %d, stdout %q, stderr %q; want 1", r.code, r.stdout, r.stderr)
			}
			// A checkpoint with an extension line aeso never signs.
			extended, err := note.Sign(&note.Note{Text: lines[0] + "\n" + lines[1] + "\n" + lines[2] + "\nextension\n"}, signer)
			if err != nil {
				t.Fatal(err)
			}
			if r = aeso(t, admin, "evidence", "verify", export, "--checkpoint", write("extended.cp", extended), "--key", otherKey); r.code != 2 || !strings.Contains(r.stderr, "want exactly 3") {
				t.Errorf("a checkpoint with an extension line: exit %d, stdout %q, stderr %q; want 2", r.code, r.stdout, r.stderr)
			}
			// The real signature over an edited root.
			edited := strings.Replace(string(data), lines[2], forgedRoot, 1)
			r = aeso(t, admin, "evidence", "verify", export, "--checkpoint", write("edited.cp", []byte(edited)), "--key", vkey)
			if r.code != 1 || !strings.Contains(r.stderr, "tampered: bad signature") {
				t.Errorf("edited checkpoint: exit %d, stdout %q, stderr %q; want 1", r.code, r.stdout, r.stderr)
			}
		})

		t.Run("a self-consistent forged export is not the sealed bundle", func(t *testing.T) {
			var exp map[string]any
			data, _ := os.ReadFile(export)
			if err := json.Unmarshal(data, &exp); err != nil {
				t.Fatal(err)
			}
			exp["document"].(map[string]any)["bundle"].(map[string]any)["title"] = "api v3 (all green)"
			doc, _ := json.Marshal(exp["document"])
			canonical, err := evidence.CanonicalJCS(json.RawMessage(doc))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(canonical)
			forgedDigest := "sha256:" + hex.EncodeToString(sum[:])
			exp["digest"] = forgedDigest
			for _, p := range exp["promotions"].([]any) {
				p.(map[string]any)["digest"] = forgedDigest
			}
			raw, _ := json.Marshal(exp)
			forged := write("forged.json", raw)
			if r := aeso(t, nil, "evidence", "verify", forged); r.code != 0 {
				t.Fatalf("the forged export should be self-consistent: exit %d, %s %s", r.code, r.stdout, r.stderr)
			}
			r := aeso(t, admin, "evidence", "verify", forged, "--checkpoint", after, "--key", vkey)
			if r.code != 1 || !strings.HasPrefix(r.stdout, "NOT IN LOG") || !strings.Contains(r.stderr, "the log sealed bundle "+id+" as "+digest) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 1 naming the sealed digest", r.code, r.stdout, r.stderr)
			}
		})

		t.Run("--checkpoint without --key is a usage error", func(t *testing.T) {
			if r := aeso(t, admin, "evidence", "verify", export, "--checkpoint", after); r.code != 2 || !strings.Contains(r.stderr, "go together") {
				t.Errorf("exit %d, stderr %q", r.code, r.stderr)
			}
		})
	})
}
