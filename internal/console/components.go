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
	recent, _, err := c.Components.History(ctx, cv.Def.Name, "", stripLength)
	if err != nil {
		c.unavailable(w, r, v, err)
		return
	}
	view.Strip = strip(recent, c.Now())
	q := r.URL.Query()
	limit, cursor, err := pageQuery(q, componentHistoryPerPage)
	if err != nil {
		view.Problem, _ = badQuery(err)
		c.render(w, r, v, http.StatusBadRequest, "component", cv.Def.Name, view)
		return
	}
	history, next, err := c.Components.History(ctx, cv.Def.Name, cursor, limit)
	if err != nil {
		c.unavailable(w, r, v, err)
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
