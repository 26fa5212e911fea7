package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/testdb"
)

func newBundle(t *testing.T, e *env, subject, ref string) *client.Bundle {
	t.Helper()
	b, err := e.admin.CreateBundle(e.ctx, client.BundleRequest{
		Kind: "release", Subject: client.Subject{Name: subject, Ref: ref}, Title: "Release " + ref,
		Labels: map[string]string{"team": "payments"}, CorrelationID: "pipeline-42", Owner: "release-eng",
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func check(name, result string) client.ItemRequest {
	return client.ItemRequest{
		Type: "check", Name: name, Result: result, Counts: client.Counts{Total: 1, Passed: 1},
		Summary: "smoke " + name, Source: client.Source{URL: "https://ci.example.com/jobs/42", Runner: "runner-7"},
		Links:    []client.Link{{URL: "https://artifacts.example.com/r/42.tar.gz", SHA256: strings.Repeat("ab", 32), Size: 1234}},
		Metadata: json.RawMessage(`{"region":"eu-west-1","api_token":"s3cr3t-value"}`),
	}
}

// problemCode returns the problem code of a client error, or "".
func problemCode(err error) string {
	if ce, ok := err.(*client.Error); ok {
		return ce.Code
	}
	return ""
}

func TestEvidenceLifecycle(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		b := newBundle(t, e, "api", "v1.4.2")
		if b.State != "open" || b.Digest != "" {
			t.Fatalf("new bundle %+v", b)
		}
		it, err := e.admin.AddItem(e.ctx, b.ID, check("health", "pass"))
		if err != nil {
			t.Fatal(err)
		}
		if it.Position != 1 || strings.Join(it.RedactedPaths, ",") != "api_token" || strings.Contains(string(it.Metadata), "s3cr3t") {
			t.Errorf("item %+v: want position 1 and the token redacted", it)
		}
		if _, err := e.admin.AddItem(e.ctx, b.ID, check("login", "fail")); err != nil {
			t.Fatal(err)
		}

		// Promotion needs a seal.
		_, _, err = e.admin.PromoteBundle(e.ctx, b.ID, "staging-ready", "CI green")
		if problemCode(err) != "bundle_not_sealed" {
			t.Errorf("promoting an open bundle: %v", err)
		}

		sealed, err := e.admin.SealBundle(e.ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sealed.State != "sealed" || !evidence.ValidDigest(sealed.Digest) || sealed.SealedBy != "admin" {
			t.Fatalf("sealed %+v", sealed)
		}

		// After the seal nothing changes, and each attempt says why.
		before, err := e.admin.GetBundle(e.ctx, b.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		for name, attempt := range map[string]func() error{
			"add an item": func() error { _, err := e.admin.AddItem(e.ctx, b.ID, check("late", "pass")); return err },
			"seal again":  func() error { _, err := e.admin.SealBundle(e.ctx, b.ID); return err },
		} {
			if err := attempt(); problemCode(err) != "bundle_sealed" {
				t.Errorf("%s after the seal: %v, want bundle_sealed", name, err)
			}
		}
		after, err := e.admin.GetBundle(e.ctx, b.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(after.Items) != 2 || after.Digest != before.Digest {
			t.Errorf("after refused changes: %d items, digest %s → %s", len(after.Items), before.Digest, after.Digest)
		}

		// Promotions: several stages, each idempotent.
		p1, created, err := e.admin.PromoteBundle(e.ctx, b.ID, "staging-ready", "CI green")
		if err != nil || !created || p1.Digest != sealed.Digest || p1.PromotedBy != "admin" {
			t.Fatalf("promote: %+v created=%v err=%v", p1, created, err)
		}
		p2, created, err := e.admin.PromoteBundle(e.ctx, b.ID, "staging-ready", "again")
		if err != nil || created || p2.ID != p1.ID || p2.Reason != "CI green" {
			t.Errorf("promoting twice to one stage: %+v created=%v err=%v; want the first promotion", p2, created, err)
		}
		if _, _, err := e.admin.PromoteBundle(e.ctx, b.ID, "production-ready", "UAT signed off"); err != nil {
			t.Fatal(err)
		}

		latest, err := e.admin.LatestBundle(e.ctx, "release", "api", "", "production-ready", 0)
		if err != nil || latest.ID != b.ID || strings.Join(latest.Stages, ",") != "staging-ready,production-ready" {
			t.Errorf("latest production-ready: %+v %v", latest, err)
		}
		if _, err := e.admin.LatestBundle(e.ctx, "release", "api", "", "canary", 0); problemCode(err) != "no_bundle" {
			t.Errorf("latest for a stage never reached: %v", err)
		}

		// Correction by supersession: the old bundle stays, the chain reads
		// the same from both ends, and it happens once.
		fix, err := e.admin.SupersedeBundle(e.ctx, b.ID, client.SupersedeRequest{Reason: "login check ran against the wrong host"})
		if err != nil {
			t.Fatal(err)
		}
		if fix.Supersedes != b.ID || fix.State != "open" || fix.Subject != b.Subject || fix.Kind != b.Kind {
			t.Errorf("superseding bundle %+v", fix)
		}
		if _, err := e.admin.SupersedeBundle(e.ctx, b.ID, client.SupersedeRequest{Reason: "again"}); problemCode(err) != "already_superseded" {
			t.Errorf("superseding twice: %v", err)
		}
		if _, err := e.admin.SupersedeBundle(e.ctx, fix.ID, client.SupersedeRequest{Reason: "still open"}); problemCode(err) != "bundle_not_sealed" {
			t.Errorf("superseding an open bundle: %v", err)
		}
		old, err := e.admin.GetBundle(e.ctx, b.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		newer, err := e.admin.GetBundle(e.ctx, fix.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		chain := func(b *client.Bundle) string {
			var ids []string
			for _, l := range b.Chain {
				ids = append(ids, l.ID)
			}
			return strings.Join(ids, ">")
		}
		if old.SupersededBy != fix.ID || old.Digest != sealed.Digest || len(old.Items) != 2 ||
			chain(old) != b.ID+">"+fix.ID || chain(newer) != chain(old) {
			t.Errorf("old %s superseded_by %s, chain %s / %s", old.ID, old.SupersededBy, chain(old), chain(newer))
		}
		if _, _, err := e.admin.PromoteBundle(e.ctx, b.ID, "canary", "x"); problemCode(err) != "bundle_superseded" {
			t.Errorf("promoting a superseded bundle: %v", err)
		}
		// A superseded bundle is not the latest any more.
		if _, err := e.admin.LatestBundle(e.ctx, "release", "api", "", "", 0); problemCode(err) != "no_bundle" {
			t.Errorf("latest after supersession (the fix is still open): %v", err)
		}

		// Every seal, promotion and supersession is in the audit trail.
		page, err := e.admin.ListEvents(e.ctx, client.ListOptions{Action: "aeso.evidence.*", TargetID: b.ID})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, ev := range page.Events {
			actions = append(actions, ev.Action+"/"+ev.Presentation.ActionFamily+"/"+ev.Presentation.ActionCategory)
		}
		want := "aeso.evidence.supersede/Evidence/Platform,aeso.evidence.promote/Evidence/Platform," +
			"aeso.evidence.promote/Evidence/Platform,aeso.evidence.seal/Evidence/Platform"
		if strings.Join(actions, ",") != want {
			t.Errorf("audit trail of the bundle:\n%s\nwant\n%s", strings.Join(actions, ","), want)
		}
	})
}

func TestExportVerifiesOffline(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		b := newBundle(t, e, "billing", "abc123")
		if _, err := e.admin.AddItem(e.ctx, b.ID, check("invoices", "pass")); err != nil {
			t.Fatal(err)
		}
		if _, err := e.admin.ExportBundle(e.ctx, b.ID); problemCode(err) != "bundle_not_sealed" {
			t.Errorf("exporting an open bundle: %v", err)
		}
		sealed, err := e.admin.SealBundle(e.ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := e.admin.ExportBundle(e.ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		res, err := evidence.Verify(doc)
		if err != nil || res.Computed != sealed.Digest || res.BundleID != b.ID || res.Items != 1 {
			t.Fatalf("verify: %+v %v; want digest %s", res, err, sealed.Digest)
		}
		// A promotion that names another digest was not made for this document.
		forged := strings.Replace(string(doc), `"promotions":[]`, `"promotions":[{"stage":"prod","digest":"sha256:00","promoted_by":"ceo"}]`, 1)
		if forged == string(doc) {
			t.Fatal("the forged promotion did not apply")
		}
		if _, err := evidence.Verify([]byte(forged)); !errors.Is(err, evidence.ErrPromotionMismatch) {
			t.Errorf("a forged promotion: %v", err)
		}
		// Ids are found whatever their spelling.
		if got, err := e.admin.GetBundle(e.ctx, strings.ToUpper(b.ID), 0); err != nil || got.ID != b.ID {
			t.Errorf("an upper-case id: %v %v", got, err)
		}
		for name, edit := range map[string][2]string{
			"an item renamed":      {`"name":"invoices"`, `"name":"invoicez"`},
			"a result flipped":     {`"result":"pass"`, `"result":"fail"`},
			"the digest rewritten": {sealed.Digest, "sha256:" + strings.Repeat("0", 64)},
		} {
			compact := strings.ReplaceAll(string(doc), `": "`, `":"`)
			changed := strings.Replace(compact, edit[0], edit[1], 1)
			if changed == compact {
				t.Fatalf("%s: the edit did not apply", name)
			}
			if _, err := evidence.Verify([]byte(changed)); err != evidence.ErrDigestMismatch {
				t.Errorf("%s: verify = %v, want a digest mismatch", name, err)
			}
		}
	})
}

func TestSealAndAddRaceLeavesNoItemOutsideTheDigest(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		for round := 0; round < 5; round++ {
			b := newBundle(t, e, "race", fmt.Sprint(round))
			var wg sync.WaitGroup
			var mu sync.Mutex
			added := 0
			for i := 0; i < 8; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					_, err := e.admin.AddItem(e.ctx, b.ID, check(fmt.Sprint("c", i), "pass"))
					if err == nil {
						mu.Lock()
						added++
						mu.Unlock()
					} else if problemCode(err) != "bundle_sealed" {
						t.Errorf("add during seal: %v", err)
					}
				}(i)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := e.admin.SealBundle(e.ctx, b.ID); err != nil {
					t.Errorf("seal: %v", err)
				}
			}()
			wg.Wait()
			got, err := e.admin.GetBundle(e.ctx, b.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := e.admin.ExportBundle(e.ctx, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			res, err := evidence.Verify(doc)
			if err != nil || len(got.Items) != added || res.Items != added {
				t.Errorf("round %d: %d adds answered 201, bundle has %d items, digest covers %d (%v)", round, added, len(got.Items), res.Items, err)
			}
		}
	})
}

func TestTheDatabaseGuardsSealedEvidence(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		b := newBundle(t, e, "guarded", "v1")
		if _, err := e.admin.AddItem(e.ctx, b.ID, check("one", "pass")); err != nil {
			t.Fatal(err)
		}
		if _, err := e.admin.SealBundle(e.ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.admin.PromoteBundle(e.ctx, b.ID, "prod", "ok"); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`UPDATE platform_evidence_items SET result = 'pass' WHERE bundle_id = '` + b.ID + `'`,
			`DELETE FROM platform_evidence_items WHERE bundle_id = '` + b.ID + `'`,
			`UPDATE platform_evidence_bundles SET title = 'rewritten' WHERE id = '` + b.ID + `'`,
			`UPDATE platform_evidence_bundles SET state = 'open' WHERE id = '` + b.ID + `'`,
			`DELETE FROM platform_evidence_bundles WHERE id = '` + b.ID + `'`,
			`UPDATE platform_evidence_promotions SET stage = 'other'`,
			`DELETE FROM platform_evidence_promotions`,
			`INSERT INTO platform_evidence_items (id, bundle_id, position, type, name, result, counts, observed_at, created_at, created_by)
			 VALUES ('0190a1b2-0000-7000-8000-00000000000a', '` + b.ID + `', 9, 'check', 'sneaky', 'pass', '{}', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', 'x')`,
		} {
			if err := e.main.DB.Exec(e.ctx, q); err == nil {
				t.Errorf("the database accepted: %s", q)
			}
		}
		got, err := e.admin.GetBundle(e.ctx, b.ID, 0)
		if err != nil || got.Title != b.Title || got.State != "promoted" || len(got.Items) != 1 || len(got.Promotions) != 1 {
			t.Errorf("after the attempts: %+v %v", got, err)
		}
	})
}

func TestStalenessIsComputedAtReadTime(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		clk := &clock{}
		e := start(t, tg, withClock(clk))
		b := newBundle(t, e, "stale", "v1")
		req := check("cert", "pass")
		req.ExpiresAt = clk.now().Add(time.Hour).UTC().Format(time.RFC3339)
		it, err := e.admin.AddItem(e.ctx, b.ID, req)
		if err != nil || it.Stale {
			t.Fatalf("fresh item: %+v %v", it, err)
		}
		if _, err := e.admin.SealBundle(e.ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		got, _ := e.admin.GetBundle(e.ctx, b.ID, 2*time.Hour)
		if got.Stale || got.Items[0].Stale {
			t.Errorf("before expiry: bundle stale %v item stale %v", got.Stale, got.Items[0].Stale)
		}
		clk.advance(3 * time.Hour)
		got, _ = e.admin.GetBundle(e.ctx, b.ID, 2*time.Hour)
		if !got.Stale || !got.Items[0].Stale {
			t.Errorf("after expiry: bundle stale %v item stale %v", got.Stale, got.Items[0].Stale)
		}
		if got, _ := e.admin.GetBundle(e.ctx, b.ID, 0); got.Stale {
			t.Error("without max_age a bundle is never stale")
		}

		// A bundle sealed now of proof observed long ago is as old as its
		// proof, in latest and show as in a gate.
		old := newBundle(t, e, "aged", "v1")
		req = check("smoke", "pass")
		req.ObservedAt = clk.now().Add(-150 * time.Minute).UTC().Format(time.RFC3339)
		if _, err := e.admin.AddItem(e.ctx, old.ID, req); err != nil {
			t.Fatal(err)
		}
		if _, err := e.admin.SealBundle(e.ctx, old.ID); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			maxAge time.Duration
			stale  bool
		}{{time.Hour, true}, {3 * time.Hour, false}} {
			latest, err := e.admin.LatestBundle(e.ctx, "release", "aged", "v1", "", c.maxAge)
			if err != nil || latest.Stale != c.stale {
				t.Errorf("latest with max_age %s of proof observed 2h30m ago, sealed now: stale %v (%v), want %v", c.maxAge, latest.Stale, err, c.stale)
			}
			if got, _ := e.admin.GetBundle(e.ctx, old.ID, c.maxAge); got.Stale != c.stale {
				t.Errorf("show with max_age %s: stale %v, want %v", c.maxAge, got.Stale, c.stale)
			}
		}
	})
}

func TestEvidenceRejectsBadInput(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		b := newBundle(t, e, "input", "v1")
		for name, tc := range map[string]struct {
			path, body, field string
		}{
			"an unknown kind":             {"/v1/evidence/bundles", `{"kind":"misc","subject":{"name":"a","ref":"b"},"title":"t"}`, "kind"},
			"a bundle without a subject":  {"/v1/evidence/bundles", `{"kind":"uat","title":"t"}`, "subject.name"},
			"a subject name with its ref": {"/v1/evidence/bundles", `{"kind":"uat","subject":{"name":"api@v2","ref":"v2"},"title":"t"}`, "subject.name"},
			"an unknown item type":        {"/v1/evidence/bundles/" + b.ID + "/items", `{"type":"blob","name":"n","result":"pass"}`, "type"},
			"an unknown result":           {"/v1/evidence/bundles/" + b.ID + "/items", `{"type":"check","name":"n","result":"ok"}`, "result"},
			"a passing test report that counts no test": {"/v1/evidence/bundles/" + b.ID + "/items",
				`{"type":"test_report","name":"unit","result":"pass","counts":{"total":0,"passed":0,"failed":0,"skipped":0,"errored":0}}`, "counts.passed"},
			"a passing test report of skipped tests only": {"/v1/evidence/bundles/" + b.ID + "/items",
				`{"type":"test_report","name":"unit","result":"pass","counts":{"total":5,"skipped":5}}`, "counts.passed"},
			"a passing test report without counts": {"/v1/evidence/bundles/" + b.ID + "/items", `{"type":"test_report","name":"unit","result":"pass"}`, "counts.passed"},
			"a link without a digest":              {"/v1/evidence/bundles/" + b.ID + "/items", `{"type":"artifact","name":"n","result":"pass","links":[{"url":"https://x.example/a","size":1}]}`, "links[0].sha256"},
			"a link with credentials":              {"/v1/evidence/bundles/" + b.ID + "/items", `{"type":"artifact","name":"n","result":"pass","links":[{"url":"https://u:p@x.example/a","sha256":"` + strings.Repeat("a", 64) + `","size":1}]}`, "links[0].url"},
			"a pre-signed link":                    {"/v1/evidence/bundles/" + b.ID + "/items", `{"type":"artifact","name":"n","result":"pass","links":[{"url":"https://s3.example/a?X-Amz-Signature=abc&X-Amz-Credential=k","sha256":"` + strings.Repeat("a", 64) + `","size":1}]}`, "links[0].url"},
			"a tokened source URL":                 {"/v1/evidence/bundles/" + b.ID + "/items", `{"type":"check","name":"n","result":"pass","source":{"url":"https://ci.example/j?access_token=abcdef123"}}`, "source.url"},
			"a password in the summary":            {"/v1/evidence/bundles/" + b.ID + "/items", `{"type":"check","name":"n","result":"pass","summary":"login with password=hunter22 worked"}`, "summary"},
			"an inline blob link":                  {"/v1/evidence/bundles/" + b.ID + "/items", `{"type":"artifact","name":"n","result":"pass","links":[{"url":"data:text/plain;base64,aGk=","sha256":"` + strings.Repeat("a", 64) + `","size":1}]}`, "links[0].url"},
			"an expiry before observed":            {"/v1/evidence/bundles/" + b.ID + "/items", `{"type":"check","name":"n","result":"pass","observed_at":"2026-01-02T00:00:00Z","expires_at":"2026-01-01T00:00:00Z"}`, "expires_at"},
			"a summary over 4 KiB":                 {"/v1/evidence/bundles/" + b.ID + "/items", `{"type":"check","name":"n","result":"pass","summary":"` + strings.Repeat("x", 5000) + `"}`, "summary"},
			"a promotion without reason":           {"/v1/evidence/bundles/" + b.ID + "/promote", `{"stage":"prod"}`, "reason"},
			"a stage with capitals":                {"/v1/evidence/bundles/" + b.ID + "/promote", `{"stage":"Prod","reason":"r"}`, "stage"},
			"a supersession without why":           {"/v1/evidence/bundles/" + b.ID + "/supersede", `{}`, "reason"},
		} {
			t.Run(name, func(t *testing.T) {
				r := e.doInvalid("POST", tc.path, adminToken, tc.body)
				p := r.problem(t)
				found := false
				for _, fe := range p.Errors {
					found = found || fe.Field == tc.field
				}
				if r.status != 400 || !found {
					t.Errorf("status %d errors %+v, want 400 naming %s", r.status, p.Errors, tc.field)
				}
			})
		}
		for _, path := range []string{"/v1/evidence/bundles/nope", "/v1/evidence/bundles/0190a1b2-0000-7000-8000-000000000000", "/v1/evidence/items/0190a1b2-0000-7000-8000-000000000000"} {
			if r := e.do("GET", path, adminToken, nil); r.status != 404 {
				t.Errorf("GET %s: %d", path, r.status)
			}
		}
	})
}

func TestLatestDoesNotFallBackPastACorrection(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		sealAndPromote := func(b *client.Bundle) {
			t.Helper()
			if _, err := e.admin.SealBundle(e.ctx, b.ID); err != nil {
				t.Fatal(err)
			}
			if _, _, err := e.admin.PromoteBundle(e.ctx, b.ID, "prod", "ok"); err != nil {
				t.Fatal(err)
			}
		}
		z := newBundle(t, e, "svc", "v1")
		sealAndPromote(z)
		a := newBundle(t, e, "svc", "v2")
		sealAndPromote(a)
		if got, err := e.admin.LatestBundle(e.ctx, "release", "svc", "", "prod", 0); err != nil || got.ID != a.ID {
			t.Fatalf("latest before the correction: %v %v", got, err)
		}
		fix, err := e.admin.SupersedeBundle(e.ctx, a.ID, client.SupersedeRequest{Reason: "wrong host"})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := e.admin.LatestBundle(e.ctx, "release", "svc", "", "prod", 0); problemCode(err) != "no_bundle" {
			t.Errorf("latest while the correction is open: %+v %v; want no_bundle, not the older %s", got, err, z.ID)
		}
		sealAndPromote(fix)
		if got, err := e.admin.LatestBundle(e.ctx, "release", "svc", "", "prod", 0); err != nil || got.ID != fix.ID {
			t.Errorf("latest after the correction is promoted: %v %v", got, err)
		}
	})
}

// A bundle holds at most evidence.MaxItems items: one more is refused,
// and the bundle still seals and reads whole.
func TestABundleHoldsABoundedNumberOfItems(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		b := newBundle(t, e, "full", "v1")
		if _, err := e.admin.AddItem(e.ctx, b.ID, check("first", "pass")); err != nil {
			t.Fatal(err)
		}
		// The rest of the bundle is filled in the database, copies of the
		// first item, as many API calls would.
		newID := map[string]string{"sqlite": "lower(hex(randomblob(16)))", "postgres": "gen_random_uuid()"}[tg.Dialect]
		fill := `WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < ` + fmt.Sprint(evidence.MaxItems) + `)
			INSERT INTO platform_evidence_items (id, bundle_id, position, type, name, result, counts, summary, links, source_url,
				source_runner, observed_at, expires_at, correlation_id, metadata, redacted_paths, report, created_at, created_by)
			SELECT ` + newID + `, bundle_id, n.i, type, name || n.i, result, counts, summary, links, source_url,
				source_runner, observed_at, expires_at, correlation_id, metadata, redacted_paths, report, created_at, created_by
			FROM platform_evidence_items, n WHERE bundle_id = '` + b.ID + `'`
		if err := e.main.DB.Exec(e.ctx, fill); err != nil {
			t.Fatal(err)
		}
		r := e.do("POST", "/v1/evidence/bundles/"+b.ID+"/items", adminToken, check("one more", "pass"))
		if p := r.problem(t); r.status != 409 || p.Code != "too_many_items" {
			t.Errorf("item %d: %d %s", evidence.MaxItems+1, r.status, r.body)
		}
		if _, err := e.admin.SealBundle(e.ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		got, err := e.admin.GetBundle(e.ctx, b.ID, 0)
		if err != nil || len(got.Items) != evidence.MaxItems {
			t.Errorf("the full bundle read back: %d items (%v)", len(got.Items), err)
		}
	})
}
