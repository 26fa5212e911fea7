package logverify

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const origin = "aeso.test/audit"

// event is one leaf in the documented shape: canonical JSON (members
// sorted, no whitespace) holding its own id and seq, as the log writes it.
func event(seq int64, action string) []byte {
	return fmt.Appendf(nil, `{"action":%q,"id":"00000000-0000-7000-8000-%012d","metadata":{"seq":"nested, not the leaf's"},"seq":%d}`, action, seq, seq)
}

// events are the leaves of seq 1..n.
func events(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = event(int64(i+1), "credentials.api_key.rotate")
	}
	return out
}

// memLog is a whole tree in memory, built with tlog as the server builds
// its tables: the log the verifier is compared with.
type memLog struct {
	hashes []tlog.Hash // by stored-hash index
}

func (m *memLog) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		if x >= int64(len(m.hashes)) {
			return nil, fmt.Errorf("no hash %d", x)
		}
		out[i] = m.hashes[x]
	}
	return out, nil
}

func buildLog(t testing.TB, leaves [][]byte) *memLog {
	t.Helper()
	m := &memLog{}
	for i, l := range leaves {
		hs, err := tlog.StoredHashes(int64(i), l, m)
		if err != nil {
			t.Fatal(err)
		}
		m.hashes = append(m.hashes, hs...)
	}
	return m
}

func (m *memLog) root(t testing.TB, n int64) tlog.Hash {
	t.Helper()
	h, err := tlog.TreeHash(n, m)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// keys is a log's signing key and its verifier.
type keys struct {
	signer   note.Signer
	verifier note.Verifier
	vkey     string
}

func newKeys(t testing.TB, name string) keys {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return keys{signer: s, verifier: v, vkey: vkey}
}

// sign signs a checkpoint body as the server does.
func (k keys) sign(t testing.TB, body string) []byte {
	t.Helper()
	msg, err := note.Sign(&note.Note{Text: body}, k.signer)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func body(origin string, size int64, root tlog.Hash) string {
	return fmt.Sprintf("%s\n%d\n%s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]))
}

// checkpoint signs and opens the checkpoint of m at size n.
func (k keys) checkpoint(t testing.TB, m *memLog, n int64) Checkpoint {
	t.Helper()
	cp, err := OpenCheckpoint(k.sign(t, body(origin, n, m.root(t, n))), k.verifier)
	if err != nil {
		t.Fatal(err)
	}
	return cp
}

// export writes leaves as JSON Lines.
func export(leaves [][]byte) []byte {
	var b bytes.Buffer
	for _, l := range leaves {
		b.Write(l)
		b.WriteByte('\n')
	}
	return b.Bytes()
}
