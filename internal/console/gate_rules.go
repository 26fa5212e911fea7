package console

import (
	"net/http"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/gate"
)

// ruleView is the data of a gate rule's page: what it asks, how it judged
// each subject's latest result, and its waivers.
type ruleView struct {
	Gate    string
	Rule    ruleRow
	Latest  []ruleOutcome
	Waivers []waiverRow
}

// ruleOutcome is the rule's reason in one subject's latest result, and
// the same reason judged now (a waiver it relied on may have expired).
type ruleOutcome struct {
	Result *gate.Result
	Reason gate.Reason
	Now    gate.Reason
	// RulesChanged: the gate's rules are not those the result was judged
	// under.
	RulesChanged bool
}

// handleGateRule shows one rule of a gate, the row an evidence reason
// names when no sealed bundle answers it.
func (c *Console) handleGateRule(w http.ResponseWriter, r *http.Request, v *visit) {
	ctx := r.Context()
	d, err := c.Gates.Def(r.PathValue("name"))
	if err != nil {
		c.readFailed(w, r, v, err, "gate")
		return
	}
	view := ruleView{Gate: d.Name}
	found := false
	for _, row := range describeRules(d) {
		if row.Key == r.PathValue("rule") {
			view.Rule, found = row, true
		}
	}
	if !found {
		c.readFailed(w, r, v, aeso.Reasonf(aeso.ENOTFOUND, "rule_not_found", "no such rule"), "gate rule")
		return
	}
	latest, err := c.Gates.LatestBySubject(ctx, d.Name)
	if err != nil {
		c.unavailable(w, r, v, err)
		return
	}
	curs, err := c.Gates.Currents(ctx, latest...)
	if err != nil {
		c.unavailable(w, r, v, err)
		return
	}
	for i, res := range latest {
		for j, reason := range res.Reasons {
			if reason.Rule == view.Rule.Key {
				view.Latest = append(view.Latest, ruleOutcome{Result: res, Reason: reason, Now: curs[i].Reasons[j],
					RulesChanged: res.RulesetVersion != d.Version()})
			}
		}
	}
	ws, err := c.Gates.Waivers(ctx, d.Name, "")
	if err != nil {
		c.unavailable(w, r, v, err)
		return
	}
	for _, wr := range c.waiverRows(ws, c.Now()) {
		if wr.Rule == view.Rule.Key {
			view.Waivers = append(view.Waivers, wr)
		}
	}
	c.render(w, r, v, http.StatusOK, "gate_rule", "Gate "+d.Name+" rule "+view.Rule.Key, view)
}

// handleWithdrawal shows a subject's withdrawal from a gate's posture.
func (c *Console) handleWithdrawal(w http.ResponseWriter, r *http.Request, v *visit) {
	wd, err := c.Gates.Withdrawal(r.Context(), "", r.PathValue("id"))
	if err != nil {
		c.readFailed(w, r, v, err, "withdrawal")
		return
	}
	c.render(w, r, v, http.StatusOK, "withdrawal", "Withdrawal of "+wd.Subject+" from "+wd.Gate, wd)
}

// handleRef shows any row as GET /v1/refs/{ref} answers it, field by
// field, in the generic row page: the API's view of what a page shows.
// The ref's kind decides the scope, as in the API.
func (c *Console) handleRef(w http.ResponseWriter, r *http.Request, v *visit) {
	c.rowPage(r.PathValue("kind"), "id")(w, r, v)
}
