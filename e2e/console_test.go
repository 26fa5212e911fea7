package e2e

import (
	"html"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/auth"
	"github.com/aeso-dev/aeso/internal/console"
	"github.com/aeso-dev/aeso/internal/testdb"
)

// consolePaths are every console GET page with sample path values.
func consolePaths() []string {
	var out []string
	for _, mp := range (&console.Console{}).Paths() {
		method, path, _ := strings.Cut(mp, " ")
		if method != "GET" || path == "/ui/signin" {
			continue
		}
		path = strings.ReplaceAll(path, "{$}", "")
		for _, p := range []string{"{id}", "{name}", "{rule}"} {
			path = strings.ReplaceAll(path, p, "01a2351d-0522-7cab-9b12-221fb9b4d945")
		}
		out = append(out, path)
	}
	return append(out, "/ui/audit?correlation_id=corr-1", "/ui/no-such-page")
}

func TestConsolePagesAnswerOnlyWithTheSignInPageWithoutASession(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		if _, _, err := e.admin.EmitEvent(e.ctx, client.EventInput{ActorUserID: "alice", Action: "credentials.api_key.rotate",
			Result: "success", OccurredAt: time.Now().UTC().Format(time.RFC3339Nano), CorrelationID: "corr-1"}); err != nil {
			t.Fatal(err)
		}
		b := e.browser()
		if p := b.get("/"); p.status != 303 || p.header.Get("Location") != "/ui/" {
			t.Errorf("GET /: %d to %q, want 303 to /ui/", p.status, p.header.Get("Location"))
		}
		for _, path := range consolePaths() {
			for _, cookie := range []string{"", "aeso_session=made-up"} {
				var p *page
				if cookie == "" {
					p = b.get(path)
				} else {
					p = b.do("GET", path, nil, "Cookie", cookie)
				}
				if !p.signedOut() || strings.Contains(p.body, "alice") || strings.Contains(p.body, "<table") {
					t.Errorf("GET %s (cookie %q): %d to %q, want a redirect to the sign-in page and no data; body %s",
						path, cookie, p.status, p.header.Get("Location"), p.body)
				}
			}
		}
		if p := b.do("POST", "/ui/signout", url.Values{"csrf": {"x"}}); !p.signedOut() {
			t.Errorf("POST /ui/signout without a session: %d", p.status)
		}
	})
}

func TestConsoleSessionCookieAndCSRF(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		b := e.browser()
		signed := b.signIn(adminToken)
		ck := signed.cookie("aeso_session")
		if signed.status != 303 || ck == nil {
			t.Fatalf("sign-in: %d, cookie %v", signed.status, ck)
		}
		if !ck.HttpOnly || ck.SameSite != 3 /* http.SameSiteStrictMode */ || ck.Path != "/ui" || ck.Secure || ck.Expires.IsZero() {
			t.Errorf("session cookie %+v: want HttpOnly, SameSite=Strict, Path=/ui, expiring, not Secure over plain HTTP", ck)
		}
		if strings.Contains(signed.header.Get("Set-Cookie"), adminToken) {
			t.Error("the session cookie carries the token")
		}
		// Behind a TLS-terminating proxy the cookie is Secure.
		tls := e.browser()
		form := tls.do("GET", "/ui/signin", nil, "X-Forwarded-Proto", "https")
		p := tls.do("POST", "/ui/signin", url.Values{"csrf": {form.csrf(t)}, "token": {adminToken}}, "X-Forwarded-Proto", "https")
		if c := p.cookie("aeso_session"); c == nil || !c.Secure {
			t.Errorf("session cookie over TLS: %+v, want Secure", c)
		}

		posture := b.get("/ui/")
		if posture.status != 200 || !strings.Contains(posture.body, "healthy") {
			t.Fatalf("posture: %d %s", posture.status, posture.body)
		}
		for _, h := range []string{"Content-Security-Policy", "X-Frame-Options", "Cache-Control"} {
			if v := posture.header.Get(h); v == "" || strings.Contains(v, "unsafe-inline") {
				t.Errorf("%s: %q", h, v)
			}
		}
		if !strings.Contains(posture.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
			posture.header.Get("Cache-Control") != "no-store" {
			t.Errorf("headers: %v", posture.header)
		}
		for name, form := range map[string]url.Values{
			"without a token":  {},
			"with a wrong one": {"csrf": {"AAAA" + posture.csrf(t)[4:]}},
		} {
			if p := b.do("POST", "/ui/signout", form); p.status != 403 {
				t.Errorf("sign-out %s: %d, want 403", name, p.status)
			}
		}
		if p := b.do("POST", "/ui/signout", url.Values{"csrf": {posture.csrf(t)}}, "Origin", "https://evil.example"); p.status != 403 {
			t.Errorf("sign-out from another origin: %d, want 403", p.status)
		}
		if p := b.get("/ui/"); p.status != 200 {
			t.Fatalf("the session ended after refused sign-outs: %d", p.status)
		}
		if p := b.signOut(); p.status != 303 || p.header.Get("Location") != "/ui/signin" {
			t.Fatalf("sign-out: %d %s", p.status, p.header.Get("Location"))
		}
		if p := b.get("/ui/"); !p.signedOut() {
			t.Errorf("after sign-out: %d", p.status)
		}
		// Replaying the old cookie opens nothing either.
		if p := e.browser().do("GET", "/ui/", nil, "Cookie", "aeso_session="+ck.Value); !p.signedOut() {
			t.Errorf("the signed-out cookie replayed: %d", p.status)
		}
	})
}

func TestConsoleSignInRefusesLoginCSRF(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		b := e.browser()
		form := b.get("/ui/signin")
		csrf := form.csrf(t)
		if c := form.cookie("aeso_signin"); c == nil || c.Value != csrf || !c.HttpOnly || c.SameSite != 3 {
			t.Fatalf("pre-session cookie %+v", c)
		}
		// A value one character off the cookie's, whatever its first
		// character is.
		other := "x" + csrf[1:]
		if csrf[0] == 'x' {
			other = "y" + csrf[1:]
		}
		for _, tc := range []struct {
			name    string
			b       *browser
			csrf    string
			headers []string
		}{
			{"without the pre-session cookie", e.browser(), csrf, nil},
			{"with a form value that is not the cookie's", b, other, nil},
			{"without a form value", b, "", nil},
			{"from another origin", b, csrf, []string{"Origin", "https://evil.example"}},
			{"from another site", b, csrf, []string{"Sec-Fetch-Site", "cross-site"}},
		} {
			p := tc.b.do("POST", "/ui/signin", url.Values{"csrf": {tc.csrf}, "token": {adminToken}}, tc.headers...)
			if p.status != 403 || p.cookie("aeso_session") != nil {
				t.Errorf("sign-in %s: %d, session cookie %v; want 403 and no session", tc.name, p.status, p.cookie("aeso_session"))
			}
		}
	})
}

func TestConsoleSignInAndOutAreAuditedAndTheTokenIsShownNowhere(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		reader := e.newToken("reader", "audit:read", "status:read")
		b := e.browser()
		wrong := "aeso_" + strings.Repeat("W", 43)
		if p := b.signIn(wrong); p.status != 401 || !strings.Contains(p.body, "not accepted") || p.cookie("aeso_session") != nil {
			t.Errorf("sign-in with an unknown token: %d %s", p.status, p.body)
		}
		b.mustSignIn(reader)
		for _, path := range []string{"/ui/", "/ui/audit", "/ui/audit?q=reader", "/ui/audit?action=aeso.console.*"} {
			if p := b.get(path); p.status != 200 {
				t.Errorf("GET %s: %d", path, p.status)
			}
		}
		page, err := e.admin.ListEvents(e.ctx, client.ListOptions{Action: "aeso.console.*"})
		if err != nil {
			t.Fatal(err)
		}
		if p := b.get("/ui/audit/" + page.Events[0].ID); p.status != 200 || !strings.Contains(p.body, "signed in to the console") {
			t.Errorf("the sign-in's event page: %d %s", p.status, p.body)
		}
		if p := b.signOut(); p.status != 303 {
			t.Fatalf("sign-out: %d", p.status)
		}
		page, err = e.admin.ListEvents(e.ctx, client.ListOptions{Action: "aeso.console.*"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ev := range page.Events {
			got = append(got, ev.Action+" "+ev.Result+" "+ev.ActorServiceAccountID+" "+ev.Presentation.Summary)
			if strings.Contains(string(ev.Metadata), "aeso_") {
				t.Errorf("event %s holds a token: %s", ev.Action, ev.Metadata)
			}
		}
		want := []string{
			"aeso.console.sign_out success reader service account reader signed out of the console",
			"aeso.console.sign_in success reader service account reader signed in to the console",
			"aeso.console.sign_in_refused denied anonymous A sign-in to the console was refused",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("console events:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		for _, secret := range []string{reader, wrong} {
			if strings.Contains(b.seen.String(), secret) {
				t.Error("a token appears in a page or a URL")
			}
			if strings.Contains(e.logs.String(), secret) {
				t.Error("a token appears in the server log")
			}
		}
	})
}

func TestConsoleScopesDecideWhatPagesShow(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		auditOnly := e.browser()
		auditOnly.mustSignIn(e.newToken("auditor", "audit:read"))
		statusOnly := e.browser()
		statusOnly.mustSignIn(e.newToken("watcher", "status:read"))
		for _, tc := range []struct {
			b             *browser
			path, lacks   string
			nav, notInNav string
		}{
			{auditOnly, "/ui/", "status:read", `href="/ui/audit"`, `href="/ui/">Posture`},
			{statusOnly, "/ui/audit", "audit:read", `href="/ui/">Posture`, `href="/ui/audit"`},
			{statusOnly, "/ui/evidence/01a2351d-0522-7cab-9b12-221fb9b4d945", "evidence:read", "", ""},
		} {
			p := tc.b.get(tc.path)
			if p.status != 403 || !strings.Contains(p.body, "lacks "+tc.lacks) {
				t.Errorf("GET %s: %d, want 403 saying the token lacks %s; %s", tc.path, p.status, tc.lacks, p.body)
			}
			if tc.nav != "" && (!strings.Contains(p.body, tc.nav) || strings.Contains(p.body, tc.notInNav)) {
				t.Errorf("navigation of a token without %s: %s", tc.lacks, p.body)
			}
		}
		if p := auditOnly.get("/ui/audit"); p.status != 200 {
			t.Errorf("audit:read on /ui/audit: %d", p.status)
		}
		if p := statusOnly.get("/ui/"); p.status != 200 {
			t.Errorf("status:read on /ui/: %d", p.status)
		}
	})
}

// Two replicas on one database: a session opened on one stops working on
// the other within auth.MaxCacheAge of its token's revocation.
func TestConsoleSessionEndsWithinTheCacheAgeOfItsTokensRevocation(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		clk := &clock{}
		one := start(t, tg, withClock(clk))
		other := start(t, tg, withClock(clk))
		secret := one.newToken("operator", "status:read")
		b := other.browser()
		b.mustSignIn(secret)
		if p := b.get("/ui/"); p.status != 200 {
			t.Fatalf("posture: %d", p.status)
		}
		tokens, err := one.admin.ListTokens(one.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range tokens {
			if tok.Principal == "operator" {
				if _, err := one.admin.RevokeToken(one.ctx, tok.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		revoked := clk.now()
		var lastAccepted time.Duration
		for {
			at := clk.now().Sub(revoked)
			if at > 5*auth.MaxCacheAge {
				t.Fatalf("the session still works %v after its token was revoked", at)
			}
			p := b.get("/ui/")
			if p.signedOut() {
				break
			}
			if p.status != 200 {
				t.Fatalf("posture: %d", p.status)
			}
			lastAccepted = at
			clk.advance(100 * time.Millisecond)
		}
		if lastAccepted >= auth.MaxCacheAge {
			t.Errorf("the session worked %v after the revocation, past %v", lastAccepted, auth.MaxCacheAge)
		}
	})
}

func TestConsoleSessionsExpire(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		clk := &clock{}
		e := start(t, tg, withClock(clk))
		idle := e.browser()
		idle.mustSignIn(adminToken)
		busy := e.browser()
		busy.mustSignIn(adminToken)
		clk.advance(console.DefaultSessionIdle - time.Minute)
		if p := busy.get("/ui/"); p.status != 200 {
			t.Fatalf("a used session: %d", p.status)
		}
		clk.advance(2 * time.Minute)
		if p := idle.get("/ui/"); !p.signedOut() {
			t.Errorf("a session unused for %v: %d, want signed out", console.DefaultSessionIdle+time.Minute, p.status)
		}
		// Used every half hour, a session still ends at its absolute expiry.
		for elapsed := console.DefaultSessionIdle + time.Minute; elapsed < console.DefaultSessionMax-time.Minute; elapsed += 30 * time.Minute {
			if p := busy.get("/ui/"); p.status != 200 {
				t.Fatalf("a used session %v after sign-in: %d", elapsed, p.status)
			}
			clk.advance(30 * time.Minute)
		}
		if p := busy.get("/ui/"); !p.signedOut() {
			t.Errorf("a session past its absolute expiry: %d", p.status)
		}
		// A token's own expiry ends its sessions too.
		until := clk.now().Add(10 * time.Minute)
		tok, err := e.admin.CreateToken(e.ctx, client.TokenRequest{Principal: "temp", Scopes: []string{"status:read"}, ExpiresAt: &until})
		if err != nil {
			t.Fatal(err)
		}
		short := e.browser()
		short.mustSignIn(tok.Secret)
		clk.advance(11 * time.Minute)
		if p := short.get("/ui/"); !p.signedOut() {
			t.Errorf("a session of an expired token: %d", p.status)
		}
	})
}

func TestConsoleSignInReturnsToThePageAskedForAndNowhereElse(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		e := start(t, tg)
		asked := e.browser().get("/ui/audit?correlation_id=deploy-7")
		if want := "/ui/signin?next=" + url.QueryEscape("/ui/audit?correlation_id=deploy-7"); asked.header.Get("Location") != want {
			t.Fatalf("redirect to %q, want %q", asked.header.Get("Location"), want)
		}
		for next, want := range map[string]string{
			"/ui/audit?correlation_id=deploy-7": "/ui/audit?correlation_id=deploy-7",
			"//evil.example/ui/":                "/ui/",
			"https://evil.example/":             "/ui/",
			"/v1/tokens":                        "/ui/",
			"/ui/..//evil.example":              "/ui/",
			"/ui/../v1/tokens":                  "/ui/",
			"/ui/%2e%2e/v1/tokens":              "/ui/",
			"/ui/a%2Fb/../../openapi.json":      "/ui/",
			"/ui/evidence/../audit":             "/ui/audit",
		} {
			b := e.browser()
			form := b.get("/ui/signin?next=" + url.QueryEscape(next))
			if !strings.Contains(form.body, `name="next" value="`+html.EscapeString(want)+`"`) {
				t.Errorf("next %q: the form carries no next of %q", next, want)
			}
			p := b.do("POST", "/ui/signin", url.Values{"csrf": {form.csrf(t)}, "token": {adminToken}, "next": {next}})
			if p.status != 303 || p.header.Get("Location") != want {
				t.Errorf("next %q: %d to %q, want %q", next, p.status, p.header.Get("Location"), want)
			}
		}
	})
}
