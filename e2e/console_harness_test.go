package e2e

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// browser is a plain HTTP client with a cookie jar that does not follow
// redirects, so tests see each answer of the console as a browser gets it.
type browser struct {
	t    *testing.T
	e    *env
	http *http.Client
	// seen collects every page body and Location header, for the test that
	// no token ever reaches a page or a URL.
	seen *strings.Builder
}

func (e *env) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &browser{t: e.t, e: e, seen: &strings.Builder{}, http: &http.Client{
		Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is one console answer.
type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(method, path string, form url.Values, headers ...string) *page {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.e.main.URL()+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := b.http.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	b.seen.WriteString(path + "\n" + resp.Header.Get("Location") + "\n" + string(data) + "\n")
	return &page{status: resp.StatusCode, header: resp.Header, body: string(data)}
}

func (b *browser) get(path string) *page {
	b.t.Helper()
	return b.do("GET", path, nil)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF value of the first form of p.
func (p *page) csrf(t *testing.T) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no csrf field in %s", p.body)
	}
	return m[1]
}

// signIn signs in with token through the form and returns the answer to
// the form's POST.
func (b *browser) signIn(token string) *page {
	b.t.Helper()
	form := b.get("/ui/signin")
	if form.status != 200 {
		b.t.Fatalf("sign-in form: %d", form.status)
	}
	return b.do("POST", "/ui/signin", url.Values{"csrf": {form.csrf(b.t)}, "token": {token}, "next": {"/ui/"}})
}

// mustSignIn signs in and fails the test unless a session was opened.
func (b *browser) mustSignIn(token string) {
	b.t.Helper()
	if p := b.signIn(token); p.status != 303 || p.header.Get("Location") != "/ui/" {
		b.t.Fatalf("sign-in: %d %s %s", p.status, p.header.Get("Location"), p.body)
	}
}

// signOut posts the sign-out form of page path.
func (b *browser) signOut() *page {
	b.t.Helper()
	p := b.get("/ui/audit")
	if p.status != 200 && p.status != 403 {
		b.t.Fatalf("page before sign-out: %d", p.status)
	}
	return b.do("POST", "/ui/signout", url.Values{"csrf": {p.csrf(b.t)}})
}

// cookie returns the Set-Cookie of name in p, or nil.
func (p *page) cookie(name string) *http.Cookie {
	for _, c := range (&http.Response{Header: p.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// signedOut reports whether p sends the browser to the sign-in page.
func (p *page) signedOut() bool {
	return p.status == 303 && strings.HasPrefix(p.header.Get("Location"), "/ui/signin")
}
