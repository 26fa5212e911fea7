package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/logverify"
	"github.com/aeso-dev/aeso/internal/testdb"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// signedTree fetches the latest checkpoint and checks its signature with
// the served verifier key.
func signedTree(t *testing.T, e *env, c *client.Client) tlog.Tree {
	t.Helper()
	vkey, err := c.AuditKey(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := c.Checkpoint(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return openTree(t, msg, v)
}

func openTree(t *testing.T, msg []byte, v note.Verifier) tlog.Tree {
	t.Helper()
	cp, err := logverify.OpenCheckpoint(msg, v)
	if err != nil {
		t.Fatalf("checkpoint does not open: %v\n%s", err, msg)
	}
	return cp.Tree()
}

func decodeHashes(t *testing.T, in []string) []tlog.Hash {
	t.Helper()
	out := make([]tlog.Hash, len(in))
	for i, s := range in {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			t.Fatalf("hash %q: %v", s, err)
		}
		out[i] = tlog.Hash(b)
	}
	return out
}

func emitBatch(t *testing.T, c *client.Client, n int) {
	t.Helper()
	ins := make([]client.EventInput, n)
	for i := range ins {
		ins[i] = client.EventInput{ActorUserID: "alice", Action: "fleet.node.drain", TargetType: "node",
			TargetID: fmt.Sprint("node-", i), Result: "success", OccurredAt: "2026-11-23T12:00:00Z",
			Metadata: []byte(fmt.Sprintf(`{"i":%d}`, i))}
	}
	if _, err := c.EmitEvents(context.Background(), ins); err != nil {
		t.Fatal(err)
	}
}

// tiles reads C2SP tiles from the server for tlog.TileHashReader, which
// checks each tile against the signed tree before using it.
type tiles struct {
	t *testing.T
	c *client.Client
}

func (r tiles) Height() int { return 8 }

func (r tiles) ReadTiles(ts []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(ts))
	for i, tile := range ts {
		b, err := r.c.Tile(context.Background(), strings.Replace(tile.Path(), "tile/8/", "tile/", 1))
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func (r tiles) SaveTiles([]tlog.Tile, [][]byte) {}

func TestProofsAndTilesVerifyAgainstSignedCheckpoints(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		reader := e.client(e.newToken("auditor", "audit:read"))
		emitBatch(t, e.admin, 300)
		old := signedTree(t, e, reader)
		emitBatch(t, e.admin, 500)
		emitBatch(t, e.admin, 13)
		tree := signedTree(t, e, reader)
		if want := int64(e.countEvents()); tree.N != want || old.N != 302 {
			t.Fatalf("checkpoints cover %d then %d events; want 302 then %d", old.N, tree.N, want)
		}

		// Inclusion: first, last, tile edges, in the old and the new tree.
		export, err := reader.ExportLog(e.ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(export)
		export.Close()
		if err != nil {
			t.Fatal(err)
		}
		lines := bytes.Split(bytes.TrimSuffix(body, []byte("\n")), []byte("\n"))
		if int64(len(lines)) != tree.N {
			t.Fatalf("export has %d lines; the tree %d leaves", len(lines), tree.N)
		}
		proved := 0
		for _, c := range []struct {
			tree tlog.Tree
			seqs []int64
		}{{old, []int64{1, 2, 256, 257, 302}}, {tree, []int64{1, 256, 257, 512, 513, 700, tree.N}}} {
			for _, seq := range c.seqs {
				p, err := reader.InclusionProof(e.ctx, seq, c.tree.N)
				if err != nil {
					t.Fatal(err)
				}
				leaf := tlog.RecordHash(lines[seq-1])
				if got := decodeHashes(t, []string{p.LeafHash})[0]; got != leaf || p.LeafIndex != seq-1 {
					t.Fatalf("seq %d: proof names leaf %d hash %s; the export's line hashes to %s", seq, p.LeafIndex, got, leaf)
				}
				if err := tlog.CheckRecord(decodeHashes(t, p.Hashes), c.tree.N, c.tree.Hash, seq-1, leaf); err != nil {
					t.Fatalf("inclusion of seq %d in %d: %v", seq, c.tree.N, err)
				}
				// The same proof does not prove another line.
				if err := tlog.CheckRecord(decodeHashes(t, p.Hashes), c.tree.N, c.tree.Hash, seq-1, tlog.RecordHash(lines[seq%int64(len(lines))])); err == nil {
					t.Fatalf("the proof of seq %d also proves another event", seq)
				}
				proved++
			}
		}
		cp, err := reader.ConsistencyProof(e.ctx, old.N, tree.N)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckTree(decodeHashes(t, cp.Hashes), tree.N, tree.Hash, old.N, old.Hash); err != nil {
			t.Fatalf("consistency %d → %d: %v", old.N, tree.N, err)
		}

		// Tiles: the tree hash and proofs through tlog's tile reader, which
		// checks every tile against the signed root.
		hr := tlog.TileHashReader(tree, tiles{t, reader})
		if root, err := tlog.TreeHash(tree.N, hr); err != nil || root != tree.Hash {
			t.Fatalf("tree hash from tiles %s, %v; checkpoint says %s", root, err, tree.Hash)
		}
		p, err := tlog.ProveRecord(tree.N, 600, hr)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckRecord(p, tree.N, tree.Hash, 600, tlog.RecordHash(lines[600])); err != nil {
			t.Fatalf("proof from tiles: %v", err)
		}
		// Entry bundles hold the leaves: full bundle 1, partial bundle 3.
		for _, c := range []struct {
			path     string
			first, n int
		}{{"tile/entries/001", 256, 256}, {fmt.Sprintf("tile/entries/003.p/%d", tree.N-768), 768, int(tree.N - 768)}} {
			b, err := reader.Tile(e.ctx, c.path)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < c.n; i++ {
				if len(b) < 2 {
					t.Fatalf("%s ends after %d entries", c.path, i)
				}
				n := int(binary.BigEndian.Uint16(b))
				if !bytes.Equal(b[2:2+n], lines[c.first+i]) {
					t.Fatalf("%s entry %d is not the leaf of seq %d", c.path, i, c.first+i+1)
				}
				b = b[2+n:]
			}
			if len(b) != 0 {
				t.Fatalf("%s has %d bytes past its %d entries", c.path, len(b), c.n)
			}
		}
		t.Logf("%s: %d inclusion proofs, 1 consistency proof, tiles and 2 entry bundles checked against a tree of %d", tg.Dialect, proved, tree.N)
	})
}

func TestBadProofAndTileRequestsAreRefusedClearly(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		emitBatch(t, e.admin, 10)
		writer := e.newToken("writer", "audit:write")
		size := int64(e.countEvents())
		for _, c := range []struct {
			path, token string
			status      int
			code, field string
		}{
			{fmt.Sprintf("/v1/audit/proof/inclusion?seq=1&tree_size=%d", size+1), adminToken, 404, "tree_size_beyond_checkpoint", ""},
			{fmt.Sprintf("/v1/audit/proof/inclusion?seq=%d&tree_size=%d", size+1, size+1), adminToken, 404, "tree_size_beyond_checkpoint", ""},
			{"/v1/audit/proof/inclusion?seq=5&tree_size=4", adminToken, 400, "validation_failed", "seq"},
			{"/v1/audit/proof/inclusion?seq=0&tree_size=4", adminToken, 400, "validation_failed", "seq"},
			{"/v1/audit/proof/inclusion?seq=1", adminToken, 400, "validation_failed", "tree_size"},
			{"/v1/audit/proof/inclusion?seq=x&tree_size=4", adminToken, 400, "validation_failed", "seq"},
			{fmt.Sprintf("/v1/audit/proof/consistency?from=1&to=%d", size+1), adminToken, 404, "tree_size_beyond_checkpoint", ""},
			{"/v1/audit/proof/consistency?from=5&to=4", adminToken, 400, "validation_failed", "from"},
			{"/v1/audit/proof/consistency?from=-1&to=4", adminToken, 400, "validation_failed", "from"},
			{"/v1/audit/export?since=-1", adminToken, 400, "validation_failed", "since"},
			{"/v1/audit/export?from=1", adminToken, 400, "validation_failed", "from"},
			{"/v1/audit/tlog/tile/0/000", adminToken, 404, "tile_not_found", ""},
			{fmt.Sprintf("/v1/audit/tlog/tile/0/000.p/%d", size+1), adminToken, 404, "tile_not_found", ""},
			{"/v1/audit/tlog/tile/1/000.p/1", adminToken, 404, "tile_not_found", ""},
			{"/v1/audit/tlog/tile/0/0", adminToken, 404, "tile_not_found", ""},
			{"/v1/audit/tlog/tile/0/x000/000", adminToken, 404, "tile_not_found", ""},
			{"/v1/audit/tlog/tile/9/000.p/1", adminToken, 404, "tile_not_found", ""},
			{"/v1/audit/tlog/tile/data/000.p/1", adminToken, 404, "tile_not_found", ""},
			{"/v1/audit/checkpoint", writer, 403, "forbidden", ""},
			{"/v1/audit/export", writer, 403, "forbidden", ""},
			{"/v1/audit/tlog/tile/entries/000.p/1", "", 401, "unauthorized", ""},
		} {
			send := e.do
			if c.status == http.StatusBadRequest {
				send = e.doInvalid // deliberately outside the documented parameters
			}
			r := send("GET", c.path, c.token, nil)
			p := r.problem(t)
			if r.status != c.status || p.Code != c.code {
				t.Errorf("GET %s = %d %s; want %d %s (%s)", c.path, r.status, p.Code, c.status, c.code, r.body)
				continue
			}
			if c.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != c.field) {
				t.Errorf("GET %s names %v; want the field %s", c.path, p.Errors, c.field)
			}
		}
		// RFC 6962: the empty tree is a prefix of every tree; its proof is empty.
		if r := e.do("GET", "/v1/audit/proof/consistency?from=0&to=4", adminToken, nil); r.status != 200 || string(r.body) != `{"from":0,"to":4,"hashes":[]}`+"\n" {
			t.Errorf("consistency from the empty tree: %d %s; want 200 with no hashes", r.status, r.body)
		}
		if r := e.do("GET", "/v1/audit/tlog/tile/entries/000.p/1", adminToken, nil); r.status != 200 || len(r.body) < 3 {
			t.Errorf("a partial entry bundle the tree fills: %d", r.status)
		}
		if r := e.do("GET", "/v1/audit/key", "", nil); r.status != 200 || !strings.HasPrefix(string(r.body), "aeso.local/audit+") || strings.ContainsAny(string(r.body), " \n") {
			t.Errorf("the verifier key is public and exactly the key: %d %q", r.status, r.body)
		} else if _, err := note.NewVerifier(string(r.body)); err != nil {
			t.Errorf("the served key %q is not a note verifier key: %v", r.body, err)
		}
	})
}

func TestConcurrentIngestKeepsOneConsistentTree(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		reader := e.client(e.newToken("auditor", "audit:read"))
		vkey, err := reader.AuditKey(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		v, err := note.NewVerifier(vkey)
		if err != nil {
			t.Fatal(err)
		}
		const writers, rounds = 8, 6
		var wg sync.WaitGroup
		errs := make(chan error, writers*rounds+1)
		for w := 0; w < writers; w++ {
			c := e.client(adminToken)
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < rounds; i++ {
					var err error
					if (w+i)%2 == 0 {
						ins := make([]client.EventInput, 25)
						for j := range ins {
							ins[j] = client.EventInput{Action: "fleet.node.drain", Result: "success", ActorUserID: fmt.Sprint("w", w), OccurredAt: "2026-11-23T12:00:00Z"}
						}
						_, err = c.EmitEvents(context.Background(), ins)
					} else {
						_, _, err = c.EmitEvent(context.Background(), client.EventInput{Action: "fleet.node.drain", Result: "failure", ActorUserID: fmt.Sprint("w", w), OccurredAt: "2026-11-23T12:00:00Z"})
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}(w)
		}
		// A witness polls checkpoints while the writers run: each must be
		// consistent with the one before.
		done := make(chan struct{})
		var checked int
		var witnessErr error
		go func() {
			defer close(done)
			var prev tlog.Tree
			for i := 0; ; i++ {
				msg, err := reader.Checkpoint(context.Background())
				if err != nil {
					witnessErr = err
					return
				}
				n, err := note.Open(msg, note.VerifierList(v))
				if err != nil {
					witnessErr = err
					return
				}
				cur, err := tlog.ParseTree([]byte("go.sum database tree\n" + strings.SplitN(n.Text, "\n", 2)[1]))
				if err != nil {
					witnessErr = err
					return
				}
				switch {
				case cur.N < prev.N:
					witnessErr = fmt.Errorf("checkpoint went back from %d to %d", prev.N, cur.N)
					return
				case cur.N == prev.N && cur.Hash != prev.Hash:
					witnessErr = fmt.Errorf("two roots for size %d", cur.N)
					return
				case cur.N > prev.N && prev.N > 0:
					p, err := reader.ConsistencyProof(context.Background(), prev.N, cur.N)
					if err == nil {
						err = tlog.CheckTree(decodeHashes(t, p.Hashes), cur.N, cur.Hash, prev.N, prev.Hash)
					}
					if err != nil {
						witnessErr = fmt.Errorf("%d → %d: %w", prev.N, cur.N, err)
						return
					}
					checked++
				}
				prev = cur
				select {
				case <-stopWitness(&wg):
					return
				default:
				}
			}
		}()
		wg.Wait()
		<-done
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if witnessErr != nil {
			t.Fatal(witnessErr)
		}
		tree := signedTree(t, e, reader)
		if want := int64(e.countEvents()); tree.N != want {
			t.Fatalf("tree of %d leaves over %d events", tree.N, want)
		}
		t.Logf("%s: %d events; %d consecutive checkpoints proved consistent during the run", tg.Dialect, tree.N, checked)
		if checked < 2 {
			t.Errorf("the witness saw only %d growths; the test proved little", checked)
		}
	})
}

// stopWitness returns a channel closed once every writer is done.
func stopWitness(wg *sync.WaitGroup) <-chan struct{} {
	c := make(chan struct{})
	go func() { wg.Wait(); close(c) }()
	return c
}

func TestACommittedEventIsInTheNextCheckpoint(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		reader := e.client(e.newToken("auditor", "audit:read"))
		signedTree(t, e, reader) // a checkpoint is cached before the commits
		for i := 0; i < 5; i++ {
			ev, _, err := e.admin.EmitEvent(e.ctx, client.EventInput{ActorUserID: "alice", Action: "fleet.node.drain", Result: "success", OccurredAt: "2026-11-23T12:00:00Z"})
			if err != nil {
				t.Fatal(err)
			}
			// No waiting: the first checkpoint asked for after the commit
			// covers it, so it is fresh well within a second.
			if tree := signedTree(t, e, reader); tree.N < ev.Seq {
				t.Fatalf("event %d committed, but the next checkpoint covers only %d", ev.Seq, tree.N)
			}
		}
	})
}

func TestEveryAuditedChangeIsALeafOfTheTree(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		// Privileged changes that write their own audit events, each in the
		// transaction of the change.
		tok, err := e.admin.CreateToken(e.ctx, client.TokenRequest{Principal: "ci", Scopes: []string{"evidence:write"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.admin.RevokeToken(e.ctx, tok.ID); err != nil {
			t.Fatal(err)
		}
		b, err := e.admin.CreateBundle(e.ctx, client.BundleRequest{Kind: "release", Subject: client.Subject{Name: "api", Ref: "v1"}, Title: "api v1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.admin.SealBundle(e.ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.admin.PromoteBundle(e.ctx, b.ID, "production", "approved"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.admin.SupersedeBundle(e.ctx, b.ID, client.SupersedeRequest{Reason: "wrong run"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.admin.TakeSnapshot(e.ctx, "before release"); err != nil {
			t.Fatal(err)
		}
		emitBatch(t, e.admin, 3)

		tree := signedTree(t, e, e.admin)
		events := e.countEvents()
		if tree.N != int64(events) || events < 8 {
			t.Fatalf("the tree has %d leaves; the trail %d events", tree.N, events)
		}
		export, err := e.admin.ExportLog(e.ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(export)
		export.Close()
		if err != nil {
			t.Fatal(err)
		}
		mem := map[int64]tlog.Hash{}
		r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
			out := make([]tlog.Hash, len(idx))
			for i, x := range idx {
				out[i] = mem[x]
			}
			return out, nil
		})
		actions := map[string]bool{}
		for i, line := range bytes.Split(bytes.TrimSuffix(body, []byte("\n")), []byte("\n")) {
			hs, err := tlog.StoredHashes(int64(i), line, r)
			if err != nil {
				t.Fatal(err)
			}
			for j, h := range hs {
				mem[tlog.StoredHashIndex(0, int64(i))+int64(j)] = h
			}
			var ev struct{ Action string }
			if err := json.Unmarshal(line, &ev); err != nil {
				t.Fatal(err)
			}
			actions[ev.Action] = true
		}
		if root, err := tlog.TreeHash(tree.N, r); err != nil || root != tree.Hash {
			t.Fatalf("the export's root %s differs from the checkpoint's %s", root, tree.Hash)
		}
		t.Logf("%s: %d leaves of actions %v", tg.Dialect, tree.N, actions)
		if len(actions) < 6 {
			t.Errorf("only %d kinds of action were logged: %v", len(actions), actions)
		}
	})
}
