package console

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/paging"
)

// recordPages are the templates of the pages of evidence, gates,
// invariants, guards, snapshots, components and reconciliations. Each is
// parsed with base.html and parts.html, which holds what they share (ref
// links, the pager, the reasons of a gate result).
var recordPages = []string{
	"evidence", "bundle", "item",
	"gates", "gate", "gate_result", "waiver", "gate_rule", "withdrawal",
	"invariants", "invariant", "invariant_result", "guard_report",
	"snapshots", "snapshot",
	"component", "component_report",
	"reconciliations", "reconciliation",
}

// parseRecordPages adds the record pages to c.pages.
func (c *Console) parseRecordPages() error {
	funcs := c.funcs()
	funcs["shortDigest"] = shortDigest
	funcs["pageURL"] = pageURL
	for _, name := range recordPages {
		t, err := template.New("base.html").Funcs(funcs).ParseFS(files,
			"templates/base.html", "templates/parts.html", "templates/"+name+".html")
		if err != nil {
			return err
		}
		c.pages[name] = t
	}
	return nil
}

// shortDigest shortens "sha256:<hex>" for a table cell; the whole digest
// is in the cell's title and on the row's own page.
func shortDigest(d string) string {
	algo, hex, ok := strings.Cut(d, ":")
	if !ok || len(hex) <= 12 {
		return d
	}
	return algo + ":" + hex[:12] + "…"
}

// pageURL is path with the query q, with key set to value: the link of a
// list's next page keeps the list's filters.
func pageURL(path string, q url.Values, key, value string) string {
	out := url.Values{}
	for k, vs := range q {
		if k != key {
			out[k] = vs
		}
	}
	if value != "" {
		out.Set(key, value)
	}
	if len(out) == 0 {
		return path
	}
	return path + "?" + out.Encode()
}

// readFailed answers a page whose read through a service failed: a
// malformed or unknown id is the console's 404 page (both look the same,
// so an address reveals nothing), a refusal its 403, anything else 503
// with the cause logged, not shown.
func (c *Console) readFailed(w http.ResponseWriter, r *http.Request, v *visit, err error, what string) {
	switch errorCode(err) {
	case aeso.ENOTFOUND, aeso.EINVALID:
		c.fail(w, r, v, http.StatusNotFound, "Not found", "There is no "+what+" at this address.")
	case aeso.EFORBIDDEN:
		c.fail(w, r, v, http.StatusForbidden, "Not allowed", "This token may not read this "+what+".")
	default:
		c.unavailable(w, r, v, err)
	}
}

// badQuery answers a list whose filters the service refused, naming each
// field and what is wrong with it, as 400. It reports false when err is
// not a refusal of the request, which the caller then treats as a failed
// read.
func badQuery(err error) (string, bool) {
	var e *aeso.Error
	if !errors.As(err, &e) || e.Code != aeso.EINVALID {
		return "", false
	}
	if len(e.Fields) == 0 {
		return e.Message, true
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + " " + f.Message
	}
	return "These filters cannot be used: " + strings.Join(parts, "; ") + ".", true
}

// pageLimit is a list's page size: the limit the address asks for, from 1
// to max, or def.
func pageLimit(q url.Values, def, max int) (int, error) {
	s := q.Get("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, &aeso.Error{Code: aeso.EINVALID, Reason: "validation_failed", Message: "request is invalid",
			Fields: []aeso.FieldError{{Field: "limit", Code: "range", Message: "must be a whole number from 1 to " + strconv.Itoa(max)}}}
	}
	return n, nil
}

// pageQuery is a history's page size and cursor, both checked.
func pageQuery(q url.Values, def int) (limit int, cursor string, err error) {
	if limit, err = pageLimit(q, def, 500); err != nil {
		return 0, "", err
	}
	cursor = q.Get("cursor")
	_, err = paging.CheckID(cursor)
	return limit, cursor, err
}
