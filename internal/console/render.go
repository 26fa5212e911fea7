package console

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/aeso-dev/aeso/internal/server"
)

// pageNames are the templates with a page of their own; each is parsed
// together with base.html, which holds the layout.
var pageNames = []string{"signin", "message", "posture", "audit", "event", "row"}

// parse reads the embedded templates and fingerprints the static files, so
// their URLs change when their content does and can be cached for long.
func (c *Console) parse() error {
	static, err := fs.Sub(files, "static")
	if err != nil {
		return err
	}
	c.static = static
	fingerprint := func(name string) (string, error) {
		b, err := fs.ReadFile(static, name)
		if err != nil {
			return "", err
		}
		sum := sha256.Sum256(b)
		return "/ui/static/" + name + "?v=" + hex.EncodeToString(sum[:6]), nil
	}
	if c.cssPath, err = fingerprint("console.css"); err != nil {
		return err
	}
	if c.jsPath, err = fingerprint("console.js"); err != nil {
		return err
	}
	if c.iconPath, err = fingerprint("favicon.svg"); err != nil {
		return err
	}
	c.pages = map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New("base.html").Funcs(c.funcs()).ParseFS(files, "templates/base.html", "templates/"+name+".html")
		if err != nil {
			return err
		}
		c.pages[name] = t
	}
	return c.parseRecordPages()
}

// layout is what base.html needs besides the page's own data.
type layout struct {
	Title    string
	Nav      []navItem
	Visit    *visit
	CSS, JS  string
	Icon     string
	Now      time.Time
	Data     any
	SignedIn bool
}

// render writes page with data, in the layout, with status. The page is
// rendered to a buffer first, so a template error is a clean 500, not half
// a page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, v *visit, status int, page, title string, data any) {
	l := layout{Title: title, Visit: v, CSS: c.cssPath, JS: c.jsPath, Icon: c.iconPath, Now: c.Now(), Data: data}
	if v != nil && v.Principal != nil {
		l.SignedIn = true
		l.Nav = c.nav(v.Principal, v.pattern)
	}
	var buf bytes.Buffer
	if err := c.pages[page].Execute(&buf, l); err != nil {
		c.Logger.ErrorContext(r.Context(), "console page failed", "page", page, "request_id", server.RequestID(r.Context()), "err", err)
		c.failPlain(w, r, http.StatusInternalServerError, "Internal error", "The page could not be shown.")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w) // the client went away; nothing to do
}

// message is the data of a page that only says something.
type message struct {
	Heading, Text string
}

// fail renders a message page with status, in the layout of the session.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, v *visit, status int, heading, text string) {
	c.render(w, r, v, status, "message", heading, message{heading, text})
}

// failPlain renders a message page without a session's navigation.
func (c *Console) failPlain(w http.ResponseWriter, r *http.Request, status int, heading, text string) {
	var buf bytes.Buffer
	if err := c.pages["message"].Execute(&buf, layout{Title: heading, CSS: c.cssPath, JS: c.jsPath, Icon: c.iconPath, Now: c.Now(), Data: message{heading, text}}); err != nil {
		http.Error(w, heading, status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// handleStatic serves the embedded stylesheet and script. Their URLs carry
// a fingerprint, so they may be cached for a day.
func (c *Console) handleStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, err := fs.ReadFile(c.static, name)
	if err != nil || strings.Contains(name, "/") {
		http.NotFound(w, r)
		return
	}
	types := map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
	w.Header().Set("Content-Type", types[path.Ext(name)])
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(b)
}

// timeTag shows t relative to now, with the exact UTC time on hover and in
// the datetime attribute.
func timeTag(t time.Time, now time.Time) template.HTML {
	if t.IsZero() {
		return "–"
	}
	exact := t.UTC().Format("2006-01-02 15:04:05 UTC")
	return template.HTML(fmt.Sprintf(`<time datetime="%s" title="%s">%s</time>`,
		t.UTC().Format(time.RFC3339Nano), exact, template.HTMLEscapeString(relative(t, now))))
}

// relative says how long ago (or from now) t is, coarsely.
func relative(t, now time.Time) string {
	d := now.Sub(t)
	suffix := " ago"
	if d < 0 {
		d, suffix = -d, " from now"
	}
	switch {
	case d < 5*time.Second:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%ds%s", int(d.Seconds()), suffix)
	case d < time.Hour:
		return fmt.Sprintf("%d min%s", int(d.Minutes()), suffix)
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h%s", int(d.Hours()), suffix)
	case d < 60*24*time.Hour:
		return fmt.Sprintf("%d days%s", int(d.Hours()/24), suffix)
	}
	return t.UTC().Format("2006-01-02")
}

func (c *Console) funcs() template.FuncMap {
	return template.FuncMap{
		"time": func(t any, now time.Time) template.HTML {
			switch x := t.(type) {
			case time.Time:
				return timeTag(x, now)
			case *time.Time:
				if x != nil {
					return timeTag(*x, now)
				}
			}
			return "–"
		},
		"refURL": refURL,
	}
}
