package console

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/auth"
	"github.com/aeso-dev/aeso/internal/server"
)

// signinForm is the data of the sign-in page.
type signinForm struct {
	CSRF, Next, Problem string
}

// safeNext keeps a post-sign-in target only when it is a console page of
// this server, so the sign-in form cannot be made to send anyone elsewhere.
// The path is judged as the redirect will clean it (/ui/..//x is /x), and
// decoded (/ui/%2e%2e/x is /x too).
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/ui/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/ui/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/ui/"
	}
	if clean := path.Clean(u.Path); clean != "/ui" && !strings.HasPrefix(clean, "/ui/") {
		return "/ui/"
	}
	// The target as the redirect will send it, so the form carries what
	// the browser is then sent to.
	out := path.Clean(u.EscapedPath())
	if out != "/ui" && !strings.HasPrefix(out, "/ui/") {
		return "/ui/" // an escaped slash (%2F) cleans otherwise escaped than decoded
	}
	if strings.HasSuffix(u.Path, "/") && !strings.HasSuffix(out, "/") {
		out += "/"
	}
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	return out
}

// handleSignInForm shows the sign-in form with a fresh pre-session value in
// a cookie and in the form: a page elsewhere can neither read nor set it,
// so it cannot sign a browser in with a token of its choosing.
func (c *Console) handleSignInForm(w http.ResponseWriter, r *http.Request, _ *visit) {
	if _, err := c.session(r); err == nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	c.signinPage(w, r, http.StatusOK, r.URL.Query().Get("next"), "")
}

func (c *Console) signinPage(w http.ResponseWriter, r *http.Request, status int, next, problem string) {
	value, err := newSecret()
	if err != nil {
		c.failPlain(w, r, http.StatusInternalServerError, "Internal error", "The sign-in form could not be made.")
		return
	}
	http.SetCookie(w, c.cookie(r, signinCookie, value, 3600))
	c.render(w, r, nil, status, "signin", "Sign in", signinForm{CSRF: value, Next: safeNext(next), Problem: problem})
}

// handleSignIn checks the pasted token and opens a session. The token is
// read from the form body only and is never echoed, logged or stored.
func (c *Console) handleSignIn(w http.ResponseWriter, r *http.Request, _ *visit) {
	next := safeNext(r.PostFormValue("next"))
	ck, err := r.Cookie(signinCookie)
	if !c.sameOrigin(r) || err != nil || !equal(r.PostFormValue("csrf"), ck.Value) {
		c.signinPage(w, r, http.StatusForbidden, next, "This sign-in form expired or was not sent by the console; try again.")
		return
	}
	secret := strings.TrimSpace(r.PostFormValue("token"))
	p, err := c.Auth.Authenticate(r.Context(), secret)
	switch errorCode(err) {
	case "":
	case "unauthorized":
		reason := "unknown, revoked or expired token"
		if !auth.WellFormed(secret) {
			reason = "not a token"
		}
		if err := c.recordRefused(r, reason); err != nil {
			c.Logger.ErrorContext(r.Context(), "refused console sign-in not recorded", "request_id", server.RequestID(r.Context()), "err", err)
			c.signinPage(w, r, http.StatusServiceUnavailable, next, "The sign-in could not be recorded; retry in a moment.")
			return
		}
		c.signinPage(w, r, http.StatusUnauthorized, next, "This token was not accepted: it is unknown, revoked or expired.")
		return
	default:
		c.Logger.ErrorContext(r.Context(), "console sign-in failed", "request_id", server.RequestID(r.Context()), "err", err)
		c.signinPage(w, r, http.StatusServiceUnavailable, next, "The token could not be checked; retry in a moment.")
		return
	}
	sessionSecret, err := newSecret()
	if err != nil {
		c.signinPage(w, r, http.StatusInternalServerError, next, "The session could not be made.")
		return
	}
	now := c.Now().UTC().Truncate(time.Microsecond)
	s := &Session{ID: c.NewID(), TokenID: p.TokenID, Principal: p.Name, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(c.Settings.SessionMax)}
	ev, err := c.Audit.Prepare(c.origin(r, p.Name), sessionEvent(audit.ActionConsoleSignIn, p.Name, s.ID, now,
		map[string]string{"opened_with": p.TokenID, "remote_addr": remoteAddr(r)}))
	if err == nil {
		err = c.Sessions.CreateConsoleSession(r.Context(), s, hashSecret(sessionSecret), ev)
	}
	if err != nil {
		c.Logger.ErrorContext(r.Context(), "console session not opened", "request_id", server.RequestID(r.Context()), "err", err)
		c.signinPage(w, r, http.StatusServiceUnavailable, next, "The session could not be opened; retry in a moment.")
		return
	}
	server.SetPrincipal(r.Context(), p)
	http.SetCookie(w, c.cookie(r, signinCookie, "", -1))
	ck = c.cookie(r, sessionCookie, sessionSecret, 0)
	ck.Expires = s.ExpiresAt
	http.SetCookie(w, ck)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// handleSignOut ends the session (its CSRF token was checked by guard).
func (c *Console) handleSignOut(w http.ResponseWriter, r *http.Request, v *visit) {
	now := c.Now().UTC().Truncate(time.Microsecond)
	ev, err := c.Audit.Prepare(c.origin(r, v.Principal.Name), sessionEvent(audit.ActionConsoleSignOut, v.Principal.Name, v.Session.ID, now,
		map[string]string{"opened_with": v.Session.TokenID}))
	if err == nil {
		_, err = c.Sessions.EndConsoleSession(r.Context(), v.Session.ID, now, ev)
	}
	if err != nil {
		c.Logger.ErrorContext(r.Context(), "console sign-out failed", "request_id", server.RequestID(r.Context()), "err", err)
		c.fail(w, r, v, http.StatusServiceUnavailable, "Unavailable", "The session could not be ended; retry in a moment.")
		return
	}
	http.SetCookie(w, c.cookie(r, sessionCookie, "", -1))
	http.Redirect(w, r, "/ui/signin", http.StatusSeeOther)
}

// recordRefused writes the audit event of a refused sign-in; it names no
// part of what was pasted.
func (c *Console) recordRefused(r *http.Request, reason string) error {
	now := c.Now().UTC().Truncate(time.Microsecond)
	in := sessionEvent(audit.ActionConsoleSignInRefused, "anonymous", "", now,
		map[string]string{"reason": reason, "remote_addr": remoteAddr(r)})
	in.Result = audit.ResultDenied
	in.TargetID = ""
	in.TargetType = ""
	ev, err := c.Audit.Prepare(c.origin(r, "anonymous"), in)
	if err != nil {
		return err
	}
	_, _, err = c.Audit.Store.AppendEvent(r.Context(), ev)
	return err
}

func (c *Console) origin(r *http.Request, source string) audit.Origin {
	return audit.Origin{Source: source, RequestID: server.RequestID(r.Context()), TraceID: server.TraceID(r.Context())}
}

func sessionEvent(action, actor, sessionID string, now time.Time, md map[string]string) audit.Input {
	b, _ := json.Marshal(md) // cannot fail: strings only
	return audit.Input{
		ActorServiceAccountID: actor,
		Action:                action,
		TargetType:            "console_session",
		TargetID:              sessionID,
		Result:                audit.ResultSuccess,
		OccurredAt:            now.Format(time.RFC3339Nano),
		Metadata:              b,
	}
}

func remoteAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
