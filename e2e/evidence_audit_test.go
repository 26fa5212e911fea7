package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/app"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/testdb"
	"github.com/gowebpki/jcs"
)

// auditedOnce returns the one audit event of action on target, and its
// metadata as strings.
func auditedOnce(t *testing.T, e *env, action, target string) (client.Event, map[string]string) {
	t.Helper()
	page, err := e.admin.ListEvents(e.ctx, client.ListOptions{Action: action, TargetID: target})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 1 {
		t.Fatalf("%d %s events on %s, want 1", len(page.Events), action, target)
	}
	ev := page.Events[0]
	var md map[string]string
	if err := json.Unmarshal(ev.Metadata, &md); err != nil {
		t.Fatalf("metadata %s: %v", ev.Metadata, err)
	}
	if len(ev.RedactedPaths) != 0 {
		t.Errorf("%s: redacted %v of %s", action, ev.RedactedPaths, ev.Metadata)
	}
	return ev, md
}

// wantDetails checks that the metadata holds want and that the event's
// presentation shows each of those keys.
func wantDetails(t *testing.T, ev client.Event, md map[string]string, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if md[k] != v {
			t.Errorf("%s metadata %s = %q, want %q", ev.Action, k, md[k], v)
		}
		if got := fmt.Sprint(ev.Presentation.SafeDetails[k]); got != v {
			t.Errorf("%s safe_details %s = %q, want %q", ev.Action, k, got, v)
		}
	}
}

// TestSealsPromotionsSupersessionsAndVerdictsAreAudited proves that the
// audit trail commits to every sealed bundle and every verdict: each event
// carries the very digest the bundle or result has, unredacted, shown.
func TestSealsPromotionsSupersessionsAndVerdictsAreAudited(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg, withConfigFile(writeConfig(t, gatesYAML)))
		b, err := e.admin.CreateBundle(e.ctx, client.BundleRequest{Kind: "security", Subject: client.Subject{Name: "api", Ref: "v1"}, Title: "scan <deps>"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.admin.AddItem(e.ctx, b.ID, client.ItemRequest{Type: "scan", Name: "deps", Result: "pass",
			Metadata: json.RawMessage(`{"ratio":1.50,"n":1e3,"s":"a<b>&c"}`)}); err != nil {
			t.Fatal(err)
		}
		sealed, err := e.admin.SealBundle(e.ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sealed.DigestVersion != evidence.DigestV2 {
			t.Errorf("new seal has digest_version %q, want %s", sealed.DigestVersion, evidence.DigestV2)
		}

		t.Run("the v2 digest is SHA-256 of the document's RFC 8785 form", func(t *testing.T) {
			raw, err := e.admin.ExportBundle(e.ctx, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			var exp struct {
				Digest        string          `json:"digest"`
				DigestVersion string          `json:"digest_version"`
				Document      json.RawMessage `json:"document"`
			}
			if err := json.Unmarshal(raw, &exp); err != nil {
				t.Fatal(err)
			}
			canonical, err := jcs.Transform(exp.Document) // any JCS implementation, no aeso code
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(canonical)
			if got := "sha256:" + hex.EncodeToString(sum[:]); got != sealed.Digest || exp.Digest != sealed.Digest || exp.DigestVersion != evidence.DigestV2 {
				t.Errorf("export %s (%s), recomputed %s, want %s (%s)", exp.Digest, exp.DigestVersion, got, sealed.Digest, evidence.DigestV2)
			}
			if res, err := evidence.Verify(raw); err != nil || res.DigestVersion != evidence.DigestV2 {
				t.Errorf("verify: %+v %v", res, err)
			}
		})

		ev, md := auditedOnce(t, e, audit.ActionEvidenceSeal, b.ID)
		wantDetails(t, ev, md, map[string]string{"digest": sealed.Digest, "digest_version": evidence.DigestV2, "items": "1"})

		if _, _, err := e.admin.PromoteBundle(e.ctx, b.ID, "staging-ready", "scan clean"); err != nil {
			t.Fatal(err)
		}
		ev, md = auditedOnce(t, e, audit.ActionEvidencePromote, b.ID)
		wantDetails(t, ev, md, map[string]string{"digest": sealed.Digest, "digest_version": evidence.DigestV2, "stage": "staging-ready"})

		next, err := e.admin.SupersedeBundle(e.ctx, b.ID, client.SupersedeRequest{Reason: "rescanned"})
		if err != nil {
			t.Fatal(err)
		}
		ev, md = auditedOnce(t, e, audit.ActionEvidenceSupersede, b.ID)
		wantDetails(t, ev, md, map[string]string{"digest": sealed.Digest, "digest_version": evidence.DigestV2, "superseded_by": next.ID})

		// Gate verdicts: a recorded evaluation is audited with its
		// verdict, its inputs digest and its result; a dry run is not.
		for _, dry := range []bool{true, false} {
			path := "/v1/gates/release/evaluate"
			if dry {
				path += "?dry_run=true"
			}
			r := e.do("POST", path, adminToken, map[string]string{"subject": "api@v1"})
			if r.status/100 != 2 {
				t.Fatalf("evaluate (dry run %v): %d %s", dry, r.status, r.body)
			}
			var res client.GateResult
			r.json(t, &res)
			page, err := e.admin.ListEvents(e.ctx, client.ListOptions{Action: audit.ActionGateEvaluate, TargetID: "release"})
			if err != nil {
				t.Fatal(err)
			}
			if dry {
				if len(page.Events) != 0 || res.Recorded {
					t.Fatalf("a dry run wrote %d audit events (recorded %v)", len(page.Events), res.Recorded)
				}
				continue
			}
			if res.ID == "" || !evidence.ValidDigest(res.InputsDigest) || res.Verdict == "" {
				t.Fatalf("result %+v", res)
			}
			ev, md := auditedOnce(t, e, audit.ActionGateEvaluate, "release")
			wantDetails(t, ev, md, map[string]string{"verdict": res.Verdict, "inputs_digest": res.InputsDigest, "result_id": res.ID, "subject": "api@v1"})
		}
	})
}

// TestABundleSealedInV1KeepsItsDigest seals a bundle as aeso did before
// DigestV2 (the v1 encoding, through the store, with the audit event of
// that time), then reads, exports, promotes and supersedes it through the
// server: its digest stays, verifies by the v1 rules, and is audited as v1.
func TestABundleSealedInV1KeepsItsDigest(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		b := newBundle(t, e, "api", "v0.9")
		// 1.50 and <, >, &: written differently by v2, so a v1 document
		// verifies only by its own rules.
		if _, err := e.admin.AddItem(e.ctx, b.ID, client.ItemRequest{Type: "check", Name: "smoke", Result: "pass",
			Metadata: json.RawMessage(`{"ratio":1.50,"s":"a<b>&c"}`)}); err != nil {
			t.Fatal(err)
		}
		registry, err := audit.NewRegistry(audit.BuiltinActions())
		if err != nil {
			t.Fatal(err)
		}
		auditSvc := &audit.Service{Store: e.main.DB, Registry: registry, Now: time.Now, NewID: app.NewID}
		var v1Digest string
		if _, err := e.main.DB.SealBundle(e.ctx, b.ID, func(sb *evidence.Bundle, items []*evidence.Item) (*audit.Event, error) {
			digest, doc, err := evidence.SealAs(evidence.DigestV1, sb, items)
			if err != nil {
				return nil, err
			}
			at := time.Now().UTC().Truncate(time.Microsecond)
			sb.State, sb.SealedAt, sb.SealedBy, sb.Digest, sb.Document = evidence.StateSealed, &at, "admin", digest, doc
			v1Digest = digest
			md, _ := json.Marshal(map[string]string{"kind": sb.Kind, "subject": sb.Subject.Name, "ref": sb.Subject.Ref, "digest": digest, "items": "1"})
			return auditSvc.Prepare(audit.Origin{Source: "admin"}, audit.Input{ActorServiceAccountID: "admin", Action: audit.ActionEvidenceSeal,
				TargetType: "evidence_bundle", TargetID: sb.ID, Result: audit.ResultSuccess, OccurredAt: at.Format(time.RFC3339Nano), Metadata: md})
		}); err != nil {
			t.Fatal(err)
		}

		got, err := e.admin.GetBundle(e.ctx, b.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got.Digest != v1Digest || got.DigestVersion != evidence.DigestV1 || got.State != "sealed" {
			t.Fatalf("GET: digest %s (%s) state %s, want %s (%s) sealed", got.Digest, got.DigestVersion, got.State, v1Digest, evidence.DigestV1)
		}
		raw, err := e.admin.ExportBundle(e.ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		res, err := evidence.Verify(raw)
		if err != nil || res.Computed != v1Digest || res.DigestVersion != evidence.DigestV1 {
			t.Fatalf("verify of the v1 export: %+v %v", res, err)
		}

		if _, _, err := e.admin.PromoteBundle(e.ctx, b.ID, "staging-ready", "legacy"); err != nil {
			t.Fatal(err)
		}
		ev, md := auditedOnce(t, e, audit.ActionEvidencePromote, b.ID)
		wantDetails(t, ev, md, map[string]string{"digest": v1Digest, "digest_version": evidence.DigestV1})
		next, err := e.admin.SupersedeBundle(e.ctx, b.ID, client.SupersedeRequest{Reason: "reseal in v2"})
		if err != nil {
			t.Fatal(err)
		}
		ev, md = auditedOnce(t, e, audit.ActionEvidenceSupersede, b.ID)
		wantDetails(t, ev, md, map[string]string{"digest": v1Digest, "digest_version": evidence.DigestV1, "superseded_by": next.ID})

		// Its seal event, made before digest_version was recorded, still
		// proves it in the signed log.
		cpNote, err := e.admin.Checkpoint(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		vkey, err := e.admin.AuditKey(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := proveSeal(t, e, b.ID, cpNote, vkey); err != nil {
			t.Errorf("the v1 seal in the log: %v", err)
		}

		// Its successor is sealed in v2.
		if _, err := e.admin.AddItem(e.ctx, next.ID, client.ItemRequest{Type: "check", Name: "smoke", Result: "pass"}); err != nil {
			t.Fatal(err)
		}
		resealed, err := e.admin.SealBundle(e.ctx, next.ID)
		if err != nil || resealed.DigestVersion != evidence.DigestV2 {
			t.Fatalf("successor: %+v %v", resealed, err)
		}
	})
}

// TestANumberTheSealCannotKeepIsRefused: RFC 8785 writes numbers as IEEE
// 754 doubles, so an item whose metadata holds more precision is refused at
// once, naming the number, instead of being rounded under a seal later.
func TestANumberTheSealCannotKeepIsRefused(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		b := newBundle(t, e, "api", "v2")
		for md, field := range map[string]string{`{"id":12345678901234567891}`: "metadata.id",
			`{"a":[1,{"x":0.12345678901234567891}]}`: "metadata.a[1].x", `{"huge":1e400}`: "metadata.huge"} {
			r := e.do("POST", "/v1/evidence/bundles/"+b.ID+"/items", adminToken,
				json.RawMessage(`{"type":"check","name":"n","result":"pass","metadata":`+md+`}`))
			p := r.problem(t)
			if r.status != 400 || len(p.Errors) != 1 || p.Errors[0].Code != "number_not_exact" || p.Errors[0].Field != field {
				t.Errorf("metadata %s: %d %s", md, r.status, r.body)
			}
		}
		got, err := e.admin.GetBundle(e.ctx, b.ID, 0)
		if err != nil || len(got.Items) != 0 {
			t.Errorf("the bundle has %d items after refusals (%v)", len(got.Items), err)
		}
	})
}

// TestNoClientCanSendAnActionAesoRecords: were a client able to send
// aeso.evidence.seal, it could put into the signed log a seal of a bundle
// that never existed, with any digest.
func TestNoClientCanSendAnActionAesoRecords(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		before, err := e.admin.ListEvents(e.ctx, client.ListOptions{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		at := time.Now().UTC().Format(time.RFC3339)
		forged := map[string]any{"action": audit.ActionEvidenceSeal, "result": "success", "actor_service_account_id": "ci", "occurred_at": at,
			"target_type": "evidence_bundle", "target_id": "01a2346a-0df5-76b0-acab-cfb391edbe31",
			"metadata": map[string]string{"digest": "sha256:" + hex.EncodeToString(make([]byte, 32))}}
		r := e.do("POST", "/v1/audit/events", adminToken, forged)
		if p := r.problem(t); r.status != 400 || len(p.Errors) != 1 || p.Errors[0].Field != "action" || p.Errors[0].Code != "reserved" {
			t.Errorf("forged seal: %d %s", r.status, r.body)
		}
		ok := map[string]any{"action": "deploy.finish", "result": "success", "actor_service_account_id": "ci", "occurred_at": at}
		gate := map[string]any{"action": audit.ActionGateEvaluate, "result": "success", "actor_service_account_id": "ci", "occurred_at": at}
		r = e.do("POST", "/v1/audit/events", adminToken, map[string]any{"events": []any{ok, gate}})
		if p := r.problem(t); r.status != 400 || len(p.Errors) != 1 || p.Errors[0].Field != "events[1].action" || p.Errors[0].Code != "reserved" {
			t.Errorf("batch with a forged verdict: %d %s", r.status, r.body)
		}
		// The whole namespace is aeso's: a look-alike of a built-in
		// action is refused as well.
		for _, action := range []string{"aeso.gate.evaluatex", "aeso.evidence", "aeso.custom.thing"} {
			lookalike := map[string]any{"action": action, "result": "success", "actor_service_account_id": "ci", "occurred_at": at}
			r = e.do("POST", "/v1/audit/events", adminToken, lookalike)
			if p := r.problem(t); r.status != 400 || len(p.Errors) != 1 || p.Errors[0].Field != "action" || p.Errors[0].Code != "reserved" {
				t.Errorf("%s: %d %s", action, r.status, r.body)
			}
		}
		after, err := e.admin.ListEvents(e.ctx, client.ListOptions{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(after.Events) != len(before.Events) {
			t.Errorf("%d events before, %d after refusals", len(before.Events), len(after.Events))
		}
	})
}
