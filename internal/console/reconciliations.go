package console

import (
	"net/http"

	"github.com/aeso-dev/aeso/internal/reconcile"
)

// recordsPerPage is how many records a page of the list shows; older ones
// are on the next pages.
const recordsPerPage = 200

// reconciliationsView is the data of the reconciliation list.
type reconciliationsView struct {
	Filter     reconcile.Filter
	State      string // "open" or "all"
	Severities []string
	Groups     []severityGroup
	Total      int    // records on this page
	Paged      bool   // this is not the first page
	Newest     string // the first page's address, on a later page
	Next       string // the next page's address, "" on the last
	Problem    string
}

// handleReconciliations lists reconciliation records, open ones by
// default, newest first a page at a time, each page grouped by severity,
// most severe first, with filters.
func (c *Console) handleReconciliations(w http.ResponseWriter, r *http.Request, v *visit) {
	q := r.URL.Query()
	view := reconciliationsView{State: "open", Severities: reconcile.Severities}
	if q.Get("open") == "false" || q.Get("state") == "all" {
		view.State = "all"
	}
	view.Filter = reconcile.Filter{Component: q.Get("component"), InvariantID: q.Get("invariant_id"), Owner: q.Get("owner"),
		Severity: q.Get("severity"), Open: view.State == "open"}
	limit, cursor, err := pageQuery(q, recordsPerPage)
	var records []*reconcile.Record
	var next string
	if err == nil {
		f := view.Filter
		f.Limit = limit
		records, next, err = c.Reconciliations.Page(r.Context(), f, cursor)
	}
	if err != nil {
		if msg, ok := badQuery(err); ok {
			view.Problem = msg
			c.render(w, r, v, http.StatusBadRequest, "reconciliations", "Reconciliations", view)
			return
		}
		c.unavailable(w, r, v, err)
		return
	}
	if next != "" {
		view.Next = pageURL(r.URL.Path, q, "cursor", next)
	}
	if cursor != "" {
		view.Paged, view.Newest = true, pageURL(r.URL.Path, q, "cursor", "")
	}
	view.Total = len(records)
	for i := len(reconcile.Severities) - 1; i >= 0; i-- {
		g := severityGroup{Severity: reconcile.Severities[i]}
		for _, rec := range records {
			if rec.Severity == g.Severity {
				g.Records = append(g.Records, rec)
			}
		}
		g.Count = len(g.Records)
		if g.Count > 0 {
			view.Groups = append(view.Groups, g)
		}
	}
	c.render(w, r, v, http.StatusOK, "reconciliations", "Reconciliations", view)
}

// reconciliationView is a record and its timeline, opening first.
type reconciliationView struct {
	*reconcile.Record
	Timeline []*reconcile.Transition
	Next     []string // the states it may move to
	Accepted bool     // accepted until a time still ahead
}

// handleReconciliation shows a record as a timeline: its detection, then
// every transition with who moved it, why, and what comes next.
func (c *Console) handleReconciliation(w http.ResponseWriter, r *http.Request, v *visit) {
	rec, timeline, err := c.Reconciliations.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		c.readFailed(w, r, v, err, "reconciliation record")
		return
	}
	view := reconciliationView{Record: rec, Timeline: timeline, Next: reconcile.Allowed(rec.State),
		Accepted: rec.AcceptedUntil != nil && c.Now().Before(*rec.AcceptedUntil)}
	c.render(w, r, v, http.StatusOK, "reconciliation", rec.Kind+" "+rec.State, view)
}
