package e2e

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso/internal/app"
	"github.com/aeso-dev/aeso/internal/testdb"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func withLogKey(skey string) option      { return func(c *app.Config) { c.LogKey = skey } }
func withLogOrigin(origin string) option { return func(c *app.Config) { c.LogOrigin = origin } }

func TestTheLogKeysItsCheckpointsAcrossRestartsAndReplicas(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		emitBatch(t, e.admin, 5)
		vkey, err := e.admin.AuditKey(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		first := signedTree(t, e, e.admin)
		skey, err := os.ReadFile(filepath.Join(tg.DataDir, "log.key"))
		if err != nil {
			t.Fatal(err)
		}
		// An event written without the tree, as an aeso from before the
		// log wrote it: the next start adds it to the tree before serving.
		if err := e.main.DB.Exec(e.ctx, `INSERT INTO audit_logs (seq, id, action, result, occurred_at, recorded_at, source)
			SELECT last_seq + 1, '00000000-0000-4000-8000-00000000aaaa', 'fleet.node.drain', 'success',
			'2026-11-23T12:00:00.000000Z', '2026-11-23T12:00:00.000000Z', 'old' FROM audit_seq`); err != nil {
			t.Fatal(err)
		}
		if err := e.main.DB.Exec(e.ctx, `UPDATE audit_seq SET last_seq = last_seq + 1`); err != nil {
			t.Fatal(err)
		}
		e.stop()

		again := startAgain(t, e)
		if got, _ := again.admin.AuditKey(again.ctx); got != vkey {
			t.Fatalf("after a restart the key is %q; it was %q", got, vkey)
		}
		later := signedTree(t, again, again.admin)
		if later.N != first.N+1 || later.N != int64(again.countEvents()) {
			t.Fatalf("after the restart the checkpoint covers %d events; want the %d listed", later.N, again.countEvents())
		}
		p, err := again.admin.ConsistencyProof(again.ctx, first.N, later.N)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckTree(decodeHashes(t, p.Hashes), later.N, later.Hash, first.N, first.Hash); err != nil {
			t.Fatalf("the restarted log is not consistent with the old checkpoint: %v", err)
		}
		again.stop()

		// A replica given the key by AESO_LOG_KEY, with another data
		// directory, signs the same checkpoint byte for byte.
		tg2 := tg
		tg2.DataDir = t.TempDir()
		if tg.URL == "" {
			tg2.DataDir = tg.DataDir // SQLite: the database is the data directory's
		}
		replica := start(t, tg2, withLogKey(string(skey)))
		msg, err := replica.admin.Checkpoint(replica.ctx)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := note.NewVerifier(vkey)
		if tree := openTree(t, msg, v); tree != later {
			t.Fatalf("the replica signs %v; the log was %v", tree, later)
		}
		if !strings.Contains(replica.logs.String(), "aeso serving") || strings.Contains(replica.logs.String(), strings.TrimSpace(string(skey))) {
			t.Fatalf("the replica did not start, or logged its key")
		}
	})
}

func TestAKeyThatCannotSignTheLogStopsTheStart(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		other, _, err := note.GenerateKey(rand.Reader, "other.example/log")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			opts []option
			want string
		}{
			{"a key for another origin", []option{withLogKey(other)}, `origin "other.example/log"`},
			{"an origin the key was not made for", []option{withLogKey(other), withLogOrigin("aeso.example/audit")}, "origin"},
			{"a garbled key", []option{withLogKey("PRIVATE+KEY+aeso.local/audit+00000000+AAAA")}, "not a note signing key"},
			{"an origin with a space", []option{withLogOrigin("my log")}, "--log-origin"},
		} {
			t.Run(c.name, func(t *testing.T) {
				cfg := defaultsFor(tg)
				cfg.DataDir = t.TempDir()
				for _, o := range c.opts {
					o(&cfg)
				}
				m, err := startErr(cfg)
				if err == nil {
					_ = m.Shutdown(t.Context())
					t.Fatal("the server started")
				}
				if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), strings.SplitN(other, "+", 5)[4]) {
					t.Fatalf("err = %v; want it to mention %q and not quote the key", err, c.want)
				}
			})
		}
		// The definitions file names the log unless the flag does.
		cfgFile := withConfigFile(writeConfig(t, "log:\n  origin: file.example/audit\n"))
		e := start(t, testdb.Target{Dialect: tg.Dialect, URL: tg.URL, DataDir: t.TempDir()}, cfgFile)
		if vkey, _ := e.admin.AuditKey(e.ctx); !strings.HasPrefix(vkey, "file.example/audit+") {
			t.Fatalf("verifier key %q does not carry the file's origin", vkey)
		}
		e.stop()
		// A chosen origin names the checkpoints and the key.
		e = start(t, tg, withLogOrigin("audit.example.com/prod"), cfgFile)
		if vkey, _ := e.admin.AuditKey(e.ctx); !strings.HasPrefix(vkey, "audit.example.com/prod+") {
			t.Fatalf("verifier key %q does not carry the origin", vkey)
		}
		if msg, _ := e.admin.Checkpoint(e.ctx); !strings.HasPrefix(string(msg), "audit.example.com/prod\n") {
			t.Fatalf("checkpoint %q does not begin with the origin", msg)
		}
	})
}
