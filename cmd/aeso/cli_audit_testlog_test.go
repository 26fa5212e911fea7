package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const testOrigin = "aeso.test/audit"

// testLog is a transparency log in memory: the leaves, the tree tlog
// builds from them, and the key that signs its checkpoints. It writes the
// files a user of verify holds, and serves the log's endpoints as the
// contract defines them, so the command's reading of a log is tested here
// and against aeso itself in the end-to-end tests.
type testLog struct {
	t      *testing.T
	mu     sync.Mutex
	leaves [][]byte
	hashes []tlog.Hash
	signer note.Signer
	vkey   string
	token  string
	tiles  int // tile requests answered
}

func newTestLog(t *testing.T, n int) *testLog {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, testOrigin)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	l := &testLog{t: t, signer: s, vkey: vkey, token: "test-token"}
	l.append(n)
	return l
}

func testLeaf(seq int64, action string) []byte {
	return fmt.Appendf(nil, `{"action":%q,"id":"00000000-0000-7000-8000-%012d","seq":%d}`, action, seq, seq)
}

// append adds n events.
func (l *testLog) append(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for range n {
		i := int64(len(l.leaves))
		leaf := testLeaf(i+1, "credentials.api_key.rotate")
		hs, err := tlog.StoredHashes(i, leaf, l)
		if err != nil {
			l.t.Fatal(err)
		}
		l.leaves = append(l.leaves, leaf)
		l.hashes = append(l.hashes, hs...)
	}
}

func (l *testLog) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		if x >= int64(len(l.hashes)) {
			return nil, fmt.Errorf("no hash %d", x)
		}
		out[i] = l.hashes[x]
	}
	return out, nil
}

// checkpoint is the signed checkpoint at size n.
func (l *testLog) checkpoint(n int64) []byte {
	root, err := tlog.TreeHash(n, l)
	if err != nil {
		l.t.Fatal(err)
	}
	msg, err := note.Sign(&note.Note{Text: fmt.Sprintf("%s\n%d\n%s\n", testOrigin, n, root)}, l.signer)
	if err != nil {
		l.t.Fatal(err)
	}
	return msg
}

// export is the JSON Lines of leaves.
func export(leaves [][]byte) []byte {
	var b bytes.Buffer
	for _, leaf := range leaves {
		b.Write(leaf)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// ServeHTTP answers the log's endpoints with the current tree.
func (l *testLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+l.token {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	n := int64(len(l.leaves))
	switch {
	case r.URL.Path == "/v1/audit/checkpoint":
		w.Write(l.checkpoint(n))
	case r.URL.Path == "/v1/audit/proof/consistency":
		from, _ := strconv.ParseInt(r.URL.Query().Get("from"), 10, 64)
		to, _ := strconv.ParseInt(r.URL.Query().Get("to"), 10, 64)
		p, err := tlog.ProveTree(to, from, l)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		hashes := []string{}
		for _, h := range p {
			hashes = append(hashes, base64.StdEncoding.EncodeToString(h[:]))
		}
		json.NewEncoder(w).Encode(map[string]any{"from": from, "to": to, "hashes": hashes})
	case strings.HasPrefix(r.URL.Path, "/v1/audit/tlog/tile/"):
		// C2SP paths have no height; tlog's parser wants one.
		t, err := tlog.ParseTilePath("tile/8/" + strings.TrimPrefix(r.URL.Path, "/v1/audit/tlog/tile/"))
		if err != nil || t.L < 0 {
			tileNotFound(w)
			return
		}
		// Like a log that keeps only the current partial tile, answer
		// any other partial width with 404.
		if t.W < 256 && t.N<<8+int64(t.W) != n>>(8*t.L) {
			tileNotFound(w)
			return
		}
		data, err := tlog.ReadTileData(t, l)
		if err != nil {
			tileNotFound(w)
			return
		}
		l.tiles++
		w.Write(data)
	default:
		http.NotFound(w, r)
	}
}

// rewrite replaces the log's history from seq on with other events: the
// same size, another tree.
func (l *testLog) rewrite(seq int64) {
	l.mu.Lock()
	n := len(l.leaves)
	l.leaves, l.hashes = l.leaves[:0], l.hashes[:0]
	l.mu.Unlock()
	for i := range n {
		l.mu.Lock()
		action := "credentials.api_key.rotate"
		if int64(i+1) >= seq {
			action = "audit.rewritten"
		}
		leaf := testLeaf(int64(i+1), action)
		hs, err := tlog.StoredHashes(int64(i), leaf, l)
		if err != nil {
			l.t.Fatal(err)
		}
		l.leaves, l.hashes = append(l.leaves, leaf), append(l.hashes, hs...)
		l.mu.Unlock()
	}
}

func (l *testLog) truncate(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.leaves, l.hashes = l.leaves[:n], l.hashes[:tlog.StoredHashCount(int64(n))]
}

// tileNotFound answers as aeso does for a tile the log does not have.
func tileNotFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusNotFound)
	w.Write([]byte(`{"status":404,"title":"Not Found","code":"tile_not_found","detail":"the log has no such tile"}`))
}
