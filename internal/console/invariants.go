package console

import (
	"encoding/json"
	"net/http"

	"github.com/aeso-dev/aeso/internal/guard"
	"github.com/aeso-dev/aeso/internal/invariant"
)

// invariantHistoryPerPage is how many results an invariant's history
// shows at a time.
const invariantHistoryPerPage = 25

// handleInvariants lists every invariant with its state in each
// environment any invariant reported in.
func (c *Console) handleInvariants(w http.ResponseWriter, r *http.Request, v *visit) {
	views, err := c.Invariants.Views(r.Context(), "")
	if err != nil {
		c.unavailable(w, r, v, err)
		return
	}
	c.render(w, r, v, http.StatusOK, "invariants", "Invariants", views)
}

// invariantView is the data of an invariant's page.
type invariantView struct {
	*invariant.View
	Environment string // the history's filter
	History     []*invariant.Result
	Next        string
	Problem     string
}

// handleInvariant shows an invariant's state per environment and its
// results, newest first, for one environment when asked.
func (c *Console) handleInvariant(w http.ResponseWriter, r *http.Request, v *visit) {
	iv, err := c.Invariants.View(r.Context(), r.PathValue("id"), "")
	if err != nil {
		c.readFailed(w, r, v, err, "invariant")
		return
	}
	q := r.URL.Query()
	view := invariantView{View: iv, Environment: q.Get("environment")}
	limit, cursor, err := pageQuery(q, invariantHistoryPerPage)
	var history []*invariant.Result
	var next string
	if err == nil {
		history, next, err = c.Invariants.History(r.Context(), iv.Def.ID, view.Environment, cursor, limit)
	}
	if err != nil {
		if msg, ok := badQuery(err); ok {
			view.Problem = msg
			c.render(w, r, v, http.StatusBadRequest, "invariant", iv.Def.ID, view)
			return
		}
		c.unavailable(w, r, v, err)
		return
	}
	view.History = history
	if next != "" {
		view.Next = pageURL(r.URL.Path, q, "cursor", next)
	}
	c.render(w, r, v, http.StatusOK, "invariant", iv.Def.ID+" "+iv.Def.Title, view)
}

// invariantResultView is one result with its details made readable.
type invariantResultView struct {
	*invariant.Result
	Details string
}

// handleInvariantResult shows one result of an invariant.
func (c *Console) handleInvariantResult(w http.ResponseWriter, r *http.Request, v *visit) {
	res, err := c.Invariants.Result(r.Context(), "", r.PathValue("id"))
	if err != nil {
		c.readFailed(w, r, v, err, "invariant result")
		return
	}
	c.render(w, r, v, http.StatusOK, "invariant_result", res.InvariantID+" "+res.Status, invariantResultView{Result: res, Details: indentJSON(res.Details)})
}

// indentJSON lays out a stored JSON object for reading; "" when empty.
func indentJSON(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "{}" || string(raw) == "null" {
		return ""
	}
	var x any
	if json.Unmarshal(raw, &x) != nil {
		return string(raw)
	}
	b, _ := json.MarshalIndent(x, "", "  ") // decoded JSON always encodes
	return string(b)
}

// handleGuardReport shows one guard run with every finding it kept.
func (c *Console) handleGuardReport(w http.ResponseWriter, r *http.Request, v *visit) {
	rep, err := c.Guards.Report(r.Context(), "", r.PathValue("id"))
	if err != nil {
		c.readFailed(w, r, v, err, "guard report")
		return
	}
	c.render(w, r, v, http.StatusOK, "guard_report", "Guard "+rep.Guard+" on "+rep.Subject, guardView{Report: rep, Listed: len(rep.Findings)})
}

// guardView is a guard report and how many of its findings are listed.
type guardView struct {
	*guard.Report
	Listed int
}
