package e2e

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/logverify"
	"github.com/aeso-dev/aeso/internal/testdb"
	"github.com/gowebpki/jcs"
	"golang.org/x/mod/sumdb/tlog"
)

// proveSeal does what `aeso evidence verify --checkpoint` does, with the
// library calls alone: the export is self-consistent, and the signed log
// holds its seal with its digest.
func proveSeal(t *testing.T, e *env, id string, cpNote []byte, vkey string) (*evidence.VerifyResult, error) {
	t.Helper()
	raw, err := e.admin.ExportBundle(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	res, err := evidence.Verify(raw)
	if err != nil {
		return res, fmt.Errorf("offline: %w", err)
	}
	v, err := logverify.ParseVerifierKey(vkey)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := logverify.OpenCheckpoint(cpNote, v)
	if err != nil {
		t.Fatal(err)
	}
	page, err := e.admin.ListEvents(e.ctx, client.ListOptions{Action: audit.ActionEvidenceSeal, TargetID: id})
	if err != nil || len(page.Events) != 1 {
		t.Fatalf("seal events of %s: %v %v", id, page, err)
	}
	seq := page.Events[0].Seq
	body, err := e.admin.ExportLog(e.ctx, seq-1)
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(body).ReadBytes('\n')
	body.Close()
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.admin.InclusionProof(e.ctx, seq, cp.Size)
	if err != nil {
		t.Fatal(err)
	}
	proof := make([]tlog.Hash, len(p.Hashes))
	for i, h := range p.Hashes {
		b, err := base64.StdEncoding.DecodeString(h)
		if err != nil || len(b) != tlog.HashSize {
			t.Fatalf("proof hash %q", h)
		}
		copy(proof[i][:], b)
	}
	return res, evidence.CheckSealInLog(res, cp, seq, bytes.TrimSuffix(line, []byte("\n")), proof)
}

// dropGuards removes the triggers that keep tables append-only, as an
// attacker holding the database would.
func dropGuards(t *testing.T, e *env, tables ...string) {
	t.Helper()
	db := e.main.DB.WriteConn()
	list := `SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'`
	drop := func(name, _ string) string { return fmt.Sprintf(`DROP TRIGGER %q`, name) }
	if e.main.DB.Dialect() == "postgres" {
		list = `SELECT DISTINCT trigger_name, event_object_table FROM information_schema.triggers WHERE trigger_schema = current_schema()`
		drop = func(name, table string) string { return fmt.Sprintf(`DROP TRIGGER %q ON %q`, name, table) }
	}
	rows, err := db.QueryContext(e.ctx, list)
	if err != nil {
		t.Fatal(err)
	}
	var stmts []string
	for rows.Next() {
		var name, table string
		if err := rows.Scan(&name, &table); err != nil {
			t.Fatal(err)
		}
		if slices.Contains(tables, table) {
			stmts = append(stmts, drop(name, table))
		}
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if len(stmts) == 0 {
		t.Fatalf("no triggers on %v", tables)
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(e.ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// TestABundleRewrittenWithItsSealIsCaughtByTheLog: someone with the
// database rewrites a sealed bundle, its digest and its seal event alike.
// The server then serves a forged export that verifies by itself; the
// checkpoint taken before catches it.
func TestABundleRewrittenWithItsSealIsCaughtByTheLog(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		b := newBundle(t, e, "api", "v7")
		if _, err := e.admin.AddItem(e.ctx, b.ID, check("health", "fail")); err != nil {
			t.Fatal(err)
		}
		sealed, err := e.admin.SealBundle(e.ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.admin.PromoteBundle(e.ctx, b.ID, "staging-ready", "ok"); err != nil {
			t.Fatal(err)
		}
		cpNote, err := e.admin.Checkpoint(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		vkey, err := e.admin.AuditKey(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := proveSeal(t, e, b.ID, cpNote, vkey); err != nil {
			t.Fatalf("the honest bundle: %v", err)
		}

		// The forgery: the failed check now passes, under a digest that
		// matches, in the bundle, its promotion and its seal event.
		got, err := e.admin.GetBundle(e.ctx, b.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := e.admin.ExportBundle(e.ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		var exp struct {
			Document json.RawMessage `json:"document"`
		}
		if err := json.Unmarshal(raw, &exp); err != nil {
			t.Fatal(err)
		}
		doc, err := jcs.Transform(exp.Document)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Count(doc, []byte(`"result":"fail"`)) != 1 {
			t.Fatalf("document %s", doc)
		}
		forgedDoc := bytes.Replace(doc, []byte(`"result":"fail"`), []byte(`"result":"pass"`), 1)
		sum := sha256.Sum256(forgedDoc)
		forged := "sha256:" + hex.EncodeToString(sum[:])
		dropGuards(t, e, "audit_logs", "platform_evidence_bundles", "platform_evidence_promotions")
		ph := func(n int) string {
			if e.main.DB.Dialect() == "postgres" {
				return fmt.Sprintf("$%d", n)
			}
			return "?"
		}
		cast, uncast := "", ""
		if e.main.DB.Dialect() == "postgres" {
			cast, uncast = "::text", "::json"
		}
		db := e.main.DB.WriteConn()
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`UPDATE platform_evidence_bundles SET document = ` + ph(1) + `, digest = ` + ph(2) + ` WHERE id = ` + ph(3), []any{string(forgedDoc), forged, b.ID}},
			{`UPDATE platform_evidence_promotions SET digest = ` + ph(1) + ` WHERE bundle_id = ` + ph(2), []any{forged, b.ID}},
			{`UPDATE audit_logs SET metadata = (replace(metadata` + cast + `, ` + ph(1) + `, ` + ph(2) + `))` + uncast + ` WHERE target_id = ` + ph(3), []any{got.Digest, forged, b.ID}},
		} {
			res, err := db.ExecContext(e.ctx, q.sql, q.args...)
			if err != nil {
				t.Fatalf("%s: %v", q.sql, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				t.Fatalf("%s changed nothing", q.sql)
			}
		}
		seal, md := auditedOnce(t, e, audit.ActionEvidenceSeal, b.ID)
		if md["digest"] != forged || seal.Seq == 0 {
			t.Fatalf("the seal event was not rewritten: %s", seal.Metadata)
		}

		res, err := proveSeal(t, e, b.ID, cpNote, vkey)
		if res == nil || res.Computed != forged || res.Computed == sealed.Digest {
			t.Fatalf("the forged export should verify by itself with %s: %+v", forged, res)
		}
		if !errors.Is(err, evidence.ErrSealNotInLog) || !strings.Contains(err.Error(), "does not lead to the checkpoint's root") {
			t.Errorf("the rewritten seal: %v, want caught by the inclusion proof", err)
		}
	})
}
