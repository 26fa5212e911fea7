package console

import (
	"net/http"

	"github.com/aeso-dev/aeso/internal/paging"
	"github.com/aeso-dev/aeso/internal/reconcile"
)

// recordsShown bounds the records the list shows; the service lists the
// weightiest first when open ones are asked for.
const recordsShown = 200

// reconciliationsView is the data of the reconciliation list.
type reconciliationsView struct {
	Filter     reconcile.Filter
	State      string // "open" or "all"
	Severities []string
	Groups     []severityGroup
	Total      int
	Capped     bool
	Problem    string
}

// handleReconciliations lists reconciliation records, open ones by
// default, grouped by severity, most severe first, with filters.
func (c *Console) handleReconciliations(w http.ResponseWriter, r *http.Request, v *visit) {
	q := r.URL.Query()
	view := reconciliationsView{State: "open", Severities: reconcile.Severities}
	if q.Get("open") == "false" || q.Get("state") == "all" {
		view.State = "all"
	}
	view.Filter = reconcile.Filter{Component: q.Get("component"), InvariantID: q.Get("invariant_id"), Owner: q.Get("owner"),
		Severity: q.Get("severity"), Open: view.State == "open"}
	records, more, err := paging.Read(recordsShown, func(n int) ([]*reconcile.Record, error) {
		f := view.Filter
		f.Limit = n
		return c.Reconciliations.List(r.Context(), f)
	}, func(rec *reconcile.Record) string { return paging.AfterID(rec.ID) })
	if err != nil {
		if msg, ok := badQuery(err); ok {
			view.Problem = msg
			c.render(w, r, v, http.StatusBadRequest, "reconciliations", "Reconciliations", view)
			return
		}
		c.unavailable(w, r, v, err)
		return
	}
	view.Capped = more != ""
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
