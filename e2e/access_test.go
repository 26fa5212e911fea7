package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/auth"
	"github.com/aeso-dev/aeso/internal/server"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// concretePath fills a route's path parameters with plausible values.
func concretePath(p string) string {
	return strings.NewReplacer("{id}", "0190a1b2-0000-7000-8000-000000000000",
		"{result_id}", "0190a1b2-0000-7000-8000-000000000001").Replace(p)
}

func TestEveryRouteChecksTokenAndScope(t *testing.T) {
	t.Parallel() // a server and database of its own, no clock boundaries
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		revoked := e.newToken("gone", auth.AllScopes...)
		var revokedID string
		tokens, err := e.admin.ListTokens(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range tokens {
			if tk.Principal == "gone" {
				revokedID = tk.ID
			}
		}
		if _, err := e.admin.RevokeToken(e.ctx, revokedID); err != nil {
			t.Fatal(err)
		}
		routes := (&server.Server{}).Routes()
		if len(routes) < 11 {
			t.Fatalf("route table has %d routes", len(routes))
		}
		for _, rt := range routes {
			t.Run(rt.Method+" "+rt.Path, func(t *testing.T) {
				path, scope := concretePath(rt.Path), rt.Scope
				if scope == server.ScopeAnyToken {
					// Any token reaches the resolver; the row needs the
					// scope of its kind.
					path = strings.Replace(rt.Path, "{ref}", "gate_result:0190a1b2-0000-7000-8000-000000000000", 1)
					scope = auth.ScopeStatusRead
				}
				if rt.Scope == "" {
					if r := e.do(rt.Method, path, "", nil); r.status != 200 {
						t.Errorf("public route answered %d without a token", r.status)
					}
					return
				}
				for name, token := range map[string]string{
					"no token":        "",
					"a made-up token": "aeso_NotARealTokenNotARealTokenNotARealToken",
					"a non-aeso text": "hunter2",
					"a revoked token": revoked,
				} {
					r := e.doInvalid(rt.Method, path, token, nil)
					if p := r.problem(t); r.status != 401 || p.Code != "unauthorized" || r.header.Get("WWW-Authenticate") == "" {
						t.Errorf("%s: status %d code %q, want 401 unauthorized with WWW-Authenticate", name, r.status, p.Code)
					}
				}
				// A token holding every scope but the one this route needs.
				var others []string
				for _, s := range auth.AllScopes {
					if s != scope && s != auth.ScopeAdmin {
						others = append(others, s)
					}
				}
				r := e.doInvalid(rt.Method, path, e.newToken("limited", others...), nil)
				if p := r.problem(t); r.status != 403 || p.Code != "forbidden" || !strings.Contains(p.Detail, scope) {
					t.Errorf("without %s: status %d problem %+v, want 403 naming the scope", scope, r.status, p)
				}
				// With the scope the route is reached (any answer but 401/403).
				r = e.doInvalid(rt.Method, path, e.newToken("allowed", scope), nil)
				if r.status == 401 || r.status == 403 {
					t.Errorf("with %s: status %d", scope, r.status)
				}
			})
		}
		unclean := []string{"//v1/audit/events", "/v1/./audit/events", "/v1/gates/../audit/events", "/v1/audit//events"}
		e.vt.Allow = func(r *http.Request) bool {
			return r.URL.Path == "/v1/nothing-here" || slices.Contains(unclean, r.URL.Path)
		}
		r := e.do("GET", "/v1/nothing-here", adminToken, nil)
		if p := r.problem(t); r.status != 404 || p.Code != "not_found" {
			t.Errorf("unknown route: %d %+v", r.status, p)
		}
		// A path not in its clean form is no route either: an API problem,
		// not net/http's redirect with an HTML body.
		for _, path := range unclean {
			r := e.do("GET", path, adminToken, nil)
			if p := r.problem(t); r.status != 404 || p.Code != "not_found" {
				t.Errorf("%s: %d %+v; want 404 not_found", path, r.status, p)
			}
		}
		r = e.do("DELETE", "/v1/audit/events", adminToken, nil)
		if p := r.problem(t); r.status != 405 || p.Code != "method_not_allowed" || r.header.Get("Allow") != "GET, POST" && r.header.Get("Allow") != "POST, GET" {
			t.Errorf("DELETE on events: %d %+v allow %q", r.status, p, r.header.Get("Allow"))
		}
	})
}

func TestTokenLifecycleIsAudited(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		created, err := e.admin.CreateToken(e.ctx, client.TokenRequest{
			Principal: "deployer", Name: "GitLab deploy", Scopes: []string{"audit:write", "audit:read", "audit:write"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(created.Secret, "aeso_") || strings.Join(created.Scopes, ",") != "audit:read,audit:write" || !created.Active {
			t.Errorf("created %+v", created)
		}
		c := e.client(created.Secret)
		if _, _, err := c.EmitEvent(e.ctx, client.EventInput{ActorServiceAccountID: "deployer", Action: "deploy.release.start",
			Result: "success", OccurredAt: "2026-01-02T15:04:05Z"}); err != nil {
			t.Fatal(err)
		}
		revoked, err := e.admin.RevokeToken(e.ctx, created.ID)
		if err != nil || revoked.Active || revoked.RevokedAt == nil || revoked.RevokedBy != "admin" {
			t.Fatalf("revoke: %+v %v", revoked, err)
		}
		if again, err := e.admin.RevokeToken(e.ctx, created.ID); err != nil || !again.RevokedAt.Equal(*revoked.RevokedAt) {
			t.Errorf("a second revoke: %+v %v; want the same revocation", again, err)
		}
		_, err = c.ListEvents(e.ctx, client.ListOptions{})
		if ce, ok := err.(*client.Error); !ok || ce.Status != 401 {
			t.Errorf("revoked token still works: %v", err)
		}
		page, err := e.admin.ListEvents(e.ctx, client.ListOptions{Action: "aeso.token.*", TargetID: created.ID})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ev := range page.Events {
			got = append(got, ev.Action+" by "+ev.ActorServiceAccountID+" from "+ev.Source+": "+ev.Presentation.Summary)
		}
		want := []string{
			"aeso.token.revoke by admin from admin: service account admin revoked Access token GitLab deploy (deployer)",
			"aeso.token.create by admin from admin: service account admin created Access token GitLab deploy (deployer)",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("token events\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if d := page.Events[1].Presentation.SafeDetails; d["principal"] != "deployer" || d["scopes"] != "audit:read,audit:write" {
			t.Errorf("safe details of the creation: %v", d)
		}

		for name, body := range map[string]string{
			"no principal":    `{"scopes":["audit:read"]}`,
			"no scopes":       `{"principal":"x"}`,
			"an unknown one":  `{"principal":"x","scopes":["audit:delete"]}`,
			"a past expiry":   `{"principal":"x","scopes":["audit:read"],"expires_at":"2001-01-01T00:00:00Z"}`,
			"a bad principal": `{"principal":"has space","scopes":["audit:read"]}`,
		} {
			if r := e.doInvalid("POST", "/v1/tokens", adminToken, body); r.status != 400 || r.problem(t).Code != "validation_failed" {
				t.Errorf("%s: status %d %s", name, r.status, r.body)
			}
		}
		if r := e.do("POST", "/v1/tokens/0190a1b2-0000-7000-8000-000000000000/revoke", adminToken, nil); r.status != 404 {
			t.Errorf("revoking an unknown token: %d", r.status)
		}
	})
}

func TestTokenRulesThatKeepAdminsIn(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		clk := &clock{}
		e := start(t, tg, withClock(clk))
		tokens, err := e.admin.ListTokens(e.ctx)
		if err != nil || len(tokens) != 1 {
			t.Fatalf("tokens %v %v", tokens, err)
		}
		bootstrap := tokens[0].ID
		r := e.do("POST", "/v1/tokens/"+bootstrap+"/revoke", adminToken, nil)
		if p := r.problem(t); r.status != 409 || p.Code != "last_admin_token" {
			t.Errorf("revoking the last admin token: %d %+v", r.status, p)
		}
		// With a second admin token, the first may go.
		second := e.newToken("ops", "admin")
		if _, err := e.client(second).RevokeToken(e.ctx, bootstrap); err != nil {
			t.Errorf("revoking the bootstrap token with another admin left: %v", err)
		}

		// Expiry is by the clock: no background job has to run.
		soon := clk.now().Add(time.Hour)
		tok, err := e.client(second).CreateToken(e.ctx, client.TokenRequest{Principal: "temp", Scopes: []string{"audit:read"}, ExpiresAt: &soon})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.client(tok.Secret).ListEvents(e.ctx, client.ListOptions{}); err != nil {
			t.Fatalf("a fresh token: %v", err)
		}
		clk.advance(61 * time.Minute)
		_, err = e.client(tok.Secret).ListEvents(e.ctx, client.ListOptions{})
		if ce, ok := err.(*client.Error); !ok || ce.Status != 401 {
			t.Errorf("an expired token: %v, want 401", err)
		}

		for name, body := range map[string]string{
			"a name with a control character": `{"principal":"x","scopes":["audit:read"],"name":"a\u0001b"}`,
			"a name over 100 bytes":           `{"principal":"x","scopes":["audit:read"],"name":"` + strings.Repeat("n", 101) + `"}`,
			"an expiry in year 10000":         `{"principal":"x","scopes":["audit:read"],"expires_at":"9999-12-31T23:59:59-01:00"}`,
			"the principal aeso records as":   `{"principal":"AESO","scopes":["audit:write"]}`,
		} {
			r := e.doInvalid("POST", "/v1/tokens", second, body)
			if p := r.problem(t); r.status != 400 || len(p.Errors) != 1 {
				t.Errorf("%s: %d %+v", name, r.status, p)
			}
		}
		canary := "ghp_CanaryGitHubToken0123456789abcdefABCD"
		for name, body := range map[string]string{
			"a secret as a field name":  `{"principal":"x","scopes":["audit:read"],"` + canary + `":1}`,
			"a secret as a bad expiry":  `{"principal":"x","scopes":["audit:read"],"expires_at":"` + canary + `"}`,
			"a secret as a bad scope":   `{"principal":"x","scopes":["` + canary + `"]}`,
			"a secret as the principal": `{"principal":"` + canary + `x y","scopes":["audit:read"]}`,
		} {
			r := e.doInvalid("POST", "/v1/tokens", second, body)
			if r.status != 400 || strings.Contains(string(r.body), "Canary") {
				t.Errorf("%s: %d %s", name, r.status, r.body)
			}
		}
	})
}

func TestHealthReadinessMetricsAndSpec(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		emit(t, e, validEvent())
		e.doInvalid("POST", "/v1/audit/events", adminToken, `{"broken"`)
		e.vt.Allow = func(r *http.Request) bool { return r.Method == "FOO1" }
		e.do("FOO1", "/healthz", "", nil)
		if r := e.do("GET", "/healthz", "", nil); r.status != 200 {
			t.Errorf("healthz %d", r.status)
		}
		if r := e.do("GET", "/readyz", "", nil); r.status != 200 {
			t.Errorf("readyz %d %s", r.status, r.body)
		}
		r := e.do("GET", "/metrics", "", nil)
		text := string(r.body)
		for _, want := range []string{
			`aeso_audit_events_ingested_total{outcome="created"} 1`,
			`aeso_audit_ingest_rejected_total{code="malformed_json"} 1`,
			`aeso_http_request_duration_seconds_bucket{method="POST",route="POST /v1/audit/events",le="+Inf"} 2`,
			`aeso_http_requests_total{code="201",method="POST",route="POST /v1/audit/events"} 1`,
		} {
			if !strings.Contains(text, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		if strings.Contains(text, "/v1/audit/events/0") || strings.Contains(text, "FOO1") ||
			!strings.Contains(text, `method="OTHER"`) {
			t.Error("metrics carry raw paths or methods: an unbounded label")
		}
		spec, err := server.OpenAPIJSON()
		if err != nil {
			t.Fatal(err)
		}
		if r := e.do("GET", "/openapi.json", "", nil); r.status != 200 || string(r.body) != string(spec) ||
			!strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Errorf("openapi.json: %d %s", r.status, r.header.Get("Content-Type"))
		}
	})
}

func TestReadinessWaitsForMigrations(t *testing.T) {
	tg := testdb.EmptyPostgres(t)
	e := start(t, tg, withoutMigrate())
	r := e.do("GET", "/readyz", "", nil)
	if p := r.problem(t); r.status != http.StatusServiceUnavailable || p.Code != "not_ready" || !strings.Contains(p.Detail, "aeso migrate") {
		t.Errorf("unmigrated: %d %+v", r.status, p)
	}
	if _, err := e.main.DB.Migrate(e.ctx); err != nil {
		t.Fatal(err)
	}
	if r := e.do("GET", "/readyz", "", nil); r.status != 200 {
		t.Errorf("after migrating: %d %s", r.status, r.body)
	}
	// The admin token is bootstrapped once the schema is there.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := e.admin.ListTokens(e.ctx)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the admin token never worked: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A CI token evaluates gates; it cannot undo the block it just got. Waivers
// and withdrawals need gates:override, which evaluating does not need.
func TestAGateTokenCannotOverrideItsOwnBlock(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		w := newWorld(t, tg)
		w.healthy()
		ci := w.e.newToken("ci", "gates:write")
		if r := w.e.do("POST", "/v1/gates/release/evaluate", ci, `{"subject":"shop@v9"}`); r.status != 201 {
			t.Fatalf("evaluate with gates:write: %d %s", r.status, r.body)
		}
		waiver := `{"rule":"evidence-security","subject":"shop@v9","reason":"ship it","expires_at":"` +
			w.now().Add(time.Hour).Format(time.RFC3339Nano) + `"}`
		withdrawal := `{"subject":"shop@v9","reason":"never mind"}`
		for path, body := range map[string]string{"/v1/gates/release/waivers": waiver, "/v1/gates/release/withdrawals": withdrawal} {
			r := w.e.do("POST", path, ci, body)
			if p := r.problem(t); r.status != 403 || !strings.Contains(p.Detail, auth.ScopeGatesOverride) {
				t.Errorf("POST %s with gates:write: %d %s; want 403 naming %s", path, r.status, r.body, auth.ScopeGatesOverride)
			}
		}
		if got := summary(w.status()); !strings.HasPrefix(got, "blocked\n") {
			t.Errorf("the CI token changed the posture:\n%s", got)
		}
		approver := w.e.newToken("release-manager", auth.ScopeGatesOverride)
		if r := w.e.do("POST", "/v1/gates/release/evaluate", approver, `{"subject":"shop@v9"}`); r.status != 403 {
			t.Errorf("evaluate with gates:override only: %d; want 403", r.status)
		}
		for path, body := range map[string]string{"/v1/gates/release/waivers": waiver, "/v1/gates/release/withdrawals": withdrawal} {
			if r := w.e.do("POST", path, approver, body); r.status != 201 {
				t.Errorf("POST %s with gates:override: %d %s", path, r.status, r.body)
			}
		}
	})
}

// A database that answers reads and refuses writes (a standby after a
// failover, or one an operator made read-only) is not ready: every write
// would answer 503, so a load balancer should send requests elsewhere.
func TestReadinessSaysAReadOnlyDatabaseIsNotReady(t *testing.T) {
	t.Parallel()
	tg := testdb.Postgres(t)
	e := start(t, tg)
	e.stop()
	ro := tg
	ro.URL = withSetting(t, tg.URL, "default_transaction_read_only", "on")
	e2 := start(t, ro, withoutMigrate())
	r := e2.do("GET", "/readyz", "", nil)
	if p := r.problem(t); r.status != http.StatusServiceUnavailable || p.Code != "not_ready" || !strings.Contains(p.Detail, "read-only") {
		t.Errorf("read-only: %d %s", r.status, r.body)
	}
}
