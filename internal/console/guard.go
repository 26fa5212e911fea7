package console

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/auth"
	"github.com/aeso-dev/aeso/internal/server"
)

// Cookie names. Both are HttpOnly, SameSite=Strict and scoped to /ui.
const (
	sessionCookie = "aeso_session"
	// signinCookie holds the value the sign-in form must echo, so a page
	// elsewhere cannot sign a browser in with the attacker's token.
	signinCookie = "aeso_signin"
	cookiePath   = "/ui"
)

// visit is what a page knows of who is looking at it.
type visit struct {
	Principal *auth.Principal
	Session   *Session
	// CSRF is the value every form of the session carries.
	CSRF    string
	pattern string
}

// guard wraps a page: a session unless the page is public, the CSRF token
// on every POST, and the page's scope.
func (c *Console) guard(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.Public {
			rt.handler(w, r, &visit{pattern: r.Pattern})
			return
		}
		v, ok := c.visitor(w, r)
		if !ok {
			return
		}
		v.pattern = r.Pattern
		if r.Method == http.MethodPost && !c.sameOrigin(r) {
			c.fail(w, r, v, http.StatusForbidden, "Refused", "This form was sent from another site.")
			return
		}
		if r.Method == http.MethodPost && !equal(r.PostFormValue("csrf"), v.CSRF) {
			c.fail(w, r, v, http.StatusForbidden, "Refused", "This form is out of date or was not sent by the console; reload the page and try again.")
			return
		}
		if rt.Scope != "" && !v.Principal.Has(rt.Scope) {
			c.lacks(w, r, v, rt.Scope)
			return
		}
		rt.handler(w, r, v)
	})
}

// lacks answers 403 naming the scope the token does not hold.
func (c *Console) lacks(w http.ResponseWriter, r *http.Request, v *visit, scope string) {
	c.fail(w, r, v, http.StatusForbidden, "Not allowed", "This token lacks "+scope+"; sign in with a token that holds it to see this page.")
}

// visitor returns the visit of a request with a live session. Without one
// it answers with a redirect to the sign-in page, and ok is false: no page
// with data is ever rendered without a session.
func (c *Console) visitor(w http.ResponseWriter, r *http.Request) (*visit, bool) {
	v, err := c.session(r)
	if err == nil {
		server.SetPrincipal(r.Context(), v.Principal)
		return v, true
	}
	if aeso.ErrorCode(err) != aeso.EUNAUTHORIZED {
		c.Logger.ErrorContext(r.Context(), "console session check failed", "request_id", server.RequestID(r.Context()), "err", err)
		c.failPlain(w, r, http.StatusServiceUnavailable, "Unavailable", "The session could not be checked; retry in a moment.")
		return nil, false
	}
	if _, err := r.Cookie(sessionCookie); err == nil {
		http.SetCookie(w, c.cookie(r, sessionCookie, "", -1))
	}
	target := "/ui/signin"
	if r.Method == http.MethodGet && r.URL.Path != "/ui/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil, false
}

var errNoSession = aeso.Reasonf(aeso.EUNAUTHORIZED, "no_session", "no live console session")

// session checks the request's session cookie: the session row (so a
// sign-out on any replica counts at once), its expiry, and its token through
// the auth service, whose cache trusts a token at most auth.MaxCacheAge.
func (c *Console) session(r *http.Request) (*visit, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" || len(ck.Value) > 100 {
		return nil, errNoSession
	}
	s, err := c.Sessions.ConsoleSession(r.Context(), hashSecret(ck.Value))
	if aeso.ErrorCode(err) == aeso.ENOTFOUND {
		return nil, errNoSession
	} else if err != nil {
		return nil, err
	}
	now := c.Now()
	if s.alive(now, c.Settings.SessionIdle) != "" {
		return nil, errNoSession
	}
	p, err := c.Auth.AuthenticateHash(r.Context(), s.TokenHash)
	if aeso.ErrorCode(err) == aeso.EUNAUTHORIZED {
		return nil, errNoSession
	} else if err != nil {
		return nil, err
	}
	if now.Sub(s.LastSeenAt) >= touchEvery {
		if err := c.Sessions.TouchConsoleSession(r.Context(), s.ID, now.UTC()); err != nil {
			// The page can still be shown; the session may end early.
			c.Logger.WarnContext(r.Context(), "console session use not recorded", "request_id", server.RequestID(r.Context()), "err", err)
		}
	}
	return &visit{Principal: p, Session: s, CSRF: csrfFor(ck.Value)}, nil
}

// sameOrigin refuses a POST a browser says came from another site. Browsers
// send Origin (and Sec-Fetch-Site) on every form POST; a client sending
// neither is no browser a page elsewhere could drive.
func (c *Console) sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && strings.EqualFold(u.Host, r.Host) && (u.Scheme == "http" || u.Scheme == "https")
}

// cookie makes a console cookie; maxAge < 0 deletes it.
func (c *Console) cookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: name, Value: value, Path: cookiePath, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: overTLS(r),
	}
}

// overTLS reports whether the browser reached the console over TLS, here or
// at a proxy in front that says so.
func overTLS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func equal(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// errorCode is the aeso code of err, "" for nil.
func errorCode(err error) string {
	var e *aeso.Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err != nil {
		return aeso.EINTERNAL
	}
	return ""
}
