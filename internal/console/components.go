package console

import (
	"net/http"

	"github.com/aeso-dev/aeso/internal/component"
)

// componentHistoryPerPage is how many reports a component's history shows
// at a time.
const componentHistoryPerPage = 50

// componentView is the data of a component's page.
type componentView struct {
	*component.View
	Strip   stripView
	History []*component.Report
	Next    string
	Problem string
}

// handleComponent shows a component: its definition, how it stands, the
// strip of its latest reports and its history, a page at a time.
func (c *Console) handleComponent(w http.ResponseWriter, r *http.Request, v *visit) {
	ctx := r.Context()
	cv, err := c.Components.View(ctx, r.PathValue("name"))
	if err != nil {
		c.readFailed(w, r, v, err, "component")
		return
	}
	view := componentView{View: cv}
	q := r.URL.Query()
	limit, cursor, err := pageQuery(q, componentHistoryPerPage)
	if err != nil {
		view.Problem, _ = badQuery(err)
		limit, cursor = 0, ""
	}
	var history []*component.Report
	next := ""
	if limit > 0 {
		if history, next, err = c.Components.History(ctx, cv.Def.Name, cursor, limit); err != nil {
			c.unavailable(w, r, v, err)
			return
		}
	}
	// The strip is the latest reports: the first page of the history
	// holds them when it is long enough, so it is read once.
	recent := history
	if cursor != "" || len(history) < stripLength && next != "" || limit == 0 {
		if recent, _, err = c.Components.History(ctx, cv.Def.Name, "", stripLength); err != nil {
			c.unavailable(w, r, v, err)
			return
		}
	}
	if len(recent) > stripLength {
		recent = recent[:stripLength]
	}
	view.Strip = strip(recent, c.Now())
	if view.Problem != "" {
		c.render(w, r, v, http.StatusBadRequest, "component", cv.Def.Name, view)
		return
	}
	view.History = history
	if next != "" {
		view.Next = pageURL(r.URL.Path, q, "cursor", next)
	}
	c.render(w, r, v, http.StatusOK, "component", cv.Def.Name+": "+cv.Effective, view)
}

// handleComponentReport shows one status report of a component.
func (c *Console) handleComponentReport(w http.ResponseWriter, r *http.Request, v *visit) {
	rep, err := c.Components.Report(r.Context(), "", r.PathValue("id"))
	if err != nil {
		c.readFailed(w, r, v, err, "component report")
		return
	}
	c.render(w, r, v, http.StatusOK, "component_report", rep.Component+" "+rep.Status, rep)
}
