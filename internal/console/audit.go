package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/audit"
)

// auditFilters are the API's filter names for GET /v1/audit/events, which
// /ui/audit takes as they are, so a console URL and an API call select the
// same events.
var auditFilters = []string{"actor_user_id", "actor_service_account_id", "action", "category",
	"target_type", "target_id", "result", "correlation_id", "q", "since", "until", "limit"}

// consolePageSize is the console's page size unless limit= says otherwise:
// a screenful, and fast to render.
const consolePageSize = "50"

// auditView is the data of the audit explorer.
type auditView struct {
	Values     map[string]string
	Categories []string
	Results    []string
	Rows       []eventRow
	Problems   []aeso.FieldError
	NextURL    string
	FirstURL   string
	Paged      bool
	Filtered   bool
}

// eventRow is an event as a row shows it: through its presentation.
type eventRow struct {
	*audit.Event
	P audit.Presentation
}

// handleAudit lists events matching the API's filters, newest first, a
// page at a time by keyset cursor.
func (c *Console) handleAudit(w http.ResponseWriter, r *http.Request, v *visit) {
	q := r.URL.Query()
	view := auditView{Values: map[string]string{}, Categories: c.Audit.Registry.Categories(),
		Results: []string{audit.ResultSuccess, audit.ResultFailure, audit.ResultDenied}}
	view.Categories = append(view.Categories, audit.CategoryUncategorized)
	for _, f := range auditFilters {
		view.Values[f] = q.Get(f)
		if f != "limit" && q.Get(f) != "" {
			view.Filtered = true
		}
	}
	var search *string
	if s := q.Get("q"); s != "" {
		search = &s
	}
	limit := q.Get("limit")
	if limit == "" {
		limit = consolePageSize
	}
	page, err := c.Audit.List(r.Context(), audit.Query{
		ActorUserID: q.Get("actor_user_id"), ActorServiceAccountID: q.Get("actor_service_account_id"),
		Action: q.Get("action"), Category: q.Get("category"), TargetType: q.Get("target_type"),
		TargetID: q.Get("target_id"), Result: q.Get("result"), CorrelationID: q.Get("correlation_id"),
		Search: search, Since: q.Get("since"), Until: q.Get("until"), Limit: limit, Cursor: q.Get("cursor"),
	})
	status := http.StatusOK
	switch e := (*aeso.Error)(nil); {
	case err == nil:
	case errorCode(err) == aeso.EINVALID && asError(err, &e):
		status = http.StatusBadRequest
		view.Problems = e.Fields
		if len(view.Problems) == 0 {
			view.Problems = []aeso.FieldError{{Message: e.Message}}
		}
	default:
		c.unavailable(w, r, v, err)
		return
	}
	if page != nil {
		for _, e := range page.Events {
			view.Rows = append(view.Rows, eventRow{Event: e, P: c.Audit.Registry.Present(e)})
		}
		if page.NextCursor != "" {
			view.NextURL = auditURL(q, "cursor", page.NextCursor)
		}
	}
	if q.Get("cursor") != "" {
		view.Paged = true
		view.FirstURL = auditURL(q, "cursor", "")
	}
	c.render(w, r, v, status, "audit", "Audit", view)
}

// auditURL is /ui/audit with q's filters, key set to value ("" drops it).
func auditURL(q url.Values, key, value string) string {
	out := url.Values{}
	for _, f := range append(auditFilters, "cursor") {
		if s := q.Get(f); s != "" {
			out.Set(f, s)
		}
	}
	if value == "" {
		out.Del(key)
	} else {
		out.Set(key, value)
	}
	if len(out) == 0 {
		return "/ui/audit"
	}
	return "/ui/audit?" + out.Encode()
}

// pivotURL is /ui/audit filtered by pairs of filter name and value.
func pivotURL(pairs ...string) string {
	out := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		out.Set(pairs[i], pairs[i+1])
	}
	return "/ui/audit?" + out.Encode()
}

// linkFrom fills a URL template's placeholder with value, URL-escaped, so
// an id cannot break out of the query or path it is put in. Escaping
// leaves dots alone, and an id of "." or ".." put in a path would name
// the path's own or parent directory (https://logs.example/requests/../view
// opens /view): such an id gets no link.
func linkFrom(tmpl, placeholder, value string) string {
	if tmpl == "" || value == "" || strings.Trim(value, ".") == "" {
		return ""
	}
	return strings.ReplaceAll(tmpl, placeholder, url.QueryEscape(value))
}
