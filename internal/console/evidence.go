package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/report"
)

// bundlesPerPage is how many bundles the evidence list shows at a time.
const bundlesPerPage = 50

// evidenceListView is the data of the evidence list.
type evidenceListView struct {
	Filter  evidenceFilter
	Kinds   []string
	States  []string
	Bundles []*evidence.Bundle
	Next    string
	Problem string
}

// evidenceFilter is the list's filters as the form shows them; dates are
// whole days in UTC, as a date field gives them.
type evidenceFilter struct {
	Kind, Subject, Ref, State, Stage, Since, Until string
}

// handleEvidence lists bundles newest first by kind, subject, stage, state
// and creation day, a page at a time.
func (c *Console) handleEvidence(w http.ResponseWriter, r *http.Request, v *visit) {
	q := r.URL.Query()
	f := evidenceFilter{Kind: q.Get("kind"), Subject: q.Get("subject"), Ref: q.Get("ref"), State: q.Get("state"),
		Stage: q.Get("stage"), Since: q.Get("since"), Until: q.Get("until")}
	view := evidenceListView{Filter: f, Kinds: evidence.Kinds,
		States: []string{evidence.StateOpen, evidence.StateSealed, evidence.StatePromoted}}
	eq := evidence.Query{Kind: f.Kind, Subject: f.Subject, Ref: f.Ref, State: f.State, Stage: f.Stage,
		Limit: q.Get("limit"), Cursor: q.Get("cursor")}
	if eq.Limit == "" {
		eq.Limit = strconv.Itoa(bundlesPerPage)
	}
	var err error
	if eq.Since, err = dayBound("since", f.Since, 0); err == nil {
		eq.Until, err = dayBound("until", f.Until, 24*time.Hour)
	}
	var page *evidence.Page
	if err == nil {
		page, err = c.Evidence.List(r.Context(), eq)
	}
	if err != nil {
		if msg, ok := badQuery(err); ok {
			view.Problem = msg
			c.render(w, r, v, http.StatusBadRequest, "evidence", "Evidence", view)
			return
		}
		c.unavailable(w, r, v, err)
		return
	}
	view.Bundles = page.Bundles
	if page.NextCursor != "" {
		view.Next = pageURL("/ui/evidence", q, "cursor", page.NextCursor)
	}
	c.render(w, r, v, http.StatusOK, "evidence", "Evidence", view)
}

// dayBound turns a date field's "2006-01-02" into the RFC 3339 time the
// service filters on, shifted by add (a day, for an inclusive "until").
func dayBound(field, day string, add time.Duration) (string, error) {
	if day == "" {
		return "", nil
	}
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return "", &aeso.Error{Code: aeso.EINVALID, Reason: "validation_failed", Message: "request is invalid",
			Fields: []aeso.FieldError{{Field: field, Code: "format", Message: "must be a date such as 2026-01-31"}}}
	}
	return t.Add(add).Format(time.RFC3339), nil
}

// bundleView is the data of a bundle's page.
type bundleView struct {
	*evidence.View
	State    string
	Items    []itemView
	Failures int // failed tests and findings listed across the items
	Failing  int // items whose result is fail or error
	Export   string
}

// itemView is an item with what the page says about it.
type itemView struct {
	*evidence.Item
	Stale    bool
	Failed   bool
	Failures []report.Failure
	Metadata string // indented, for reading
}

func viewItem(it *evidence.Item, now time.Time) itemView {
	iv := itemView{Item: it, Stale: it.Stale(now), Failed: it.Result == "fail" || it.Result == "error"}
	if it.Report != nil {
		iv.Failures = it.Report.Failures
	}
	iv.Metadata = indentJSON(it.Metadata)
	return iv
}

// handleBundle shows a bundle: its seal, every item with every failing
// test or finding its reports listed, its promotions and its supersession
// chain. A ref printed with a digest opens the bundle only while it has
// that digest.
func (c *Console) handleBundle(w http.ResponseWriter, r *http.Request, v *visit) {
	bv, err := c.Evidence.Get(r.Context(), r.PathValue("id"), 0)
	if err == nil {
		if d := r.URL.Query().Get("digest"); d != "" && d != bv.Bundle.Digest {
			err = aeso.Reasonf(aeso.ENOTFOUND, "bundle_not_found", "the bundle does not have this digest")
		}
	}
	if err != nil {
		c.readFailed(w, r, v, err, "bundle")
		return
	}
	view := bundleView{View: bv, State: bv.Bundle.DisplayState()}
	for _, it := range bv.Items {
		iv := viewItem(it, bv.Now)
		view.Failures += len(iv.Failures)
		if iv.Failed {
			view.Failing++
		}
		view.Items = append(view.Items, iv)
	}
	if bv.Bundle.State != evidence.StateOpen {
		view.Export = "/ui/evidence/export/" + url.PathEscape(bv.Bundle.ID)
	}
	title := bv.Bundle.Title
	if title == "" {
		title = bv.Bundle.Kind + " evidence"
	}
	c.render(w, r, v, http.StatusOK, "bundle", title, view)
}

// handleItem shows one item, with every failure its report listed.
func (c *Console) handleItem(w http.ResponseWriter, r *http.Request, v *visit) {
	it, err := c.Evidence.GetItem(r.Context(), r.PathValue("id"))
	if err != nil {
		c.readFailed(w, r, v, err, "evidence item")
		return
	}
	c.render(w, r, v, http.StatusOK, "item", it.Name, viewItem(it, c.Now()))
}

// handleBundleExport serves a sealed bundle's export document, as GET
// /v1/evidence/bundles/{id}/export does, under the console's session: a
// browser holds no bearer token.
func (c *Console) handleBundleExport(w http.ResponseWriter, r *http.Request, v *visit) {
	exp, err := c.Evidence.Export(r.Context(), r.PathValue("id"))
	if errorCode(err) == aeso.ECONFLICT {
		c.fail(w, r, v, http.StatusConflict, "Not sealed", "Only a sealed bundle can be exported; this one is still open.")
		return
	}
	if err != nil {
		c.readFailed(w, r, v, err, "bundle")
		return
	}
	body, err := json.Marshal(exp)
	if err != nil {
		c.unavailable(w, r, v, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="evidence-`+r.PathValue("id")+`.json"`)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(append(body, '\n')) // the client went away; nothing to do
}
