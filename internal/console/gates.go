package console

import (
	"net/http"
	"time"

	"github.com/aeso-dev/aeso/internal/gate"
)

// gateHistoryPerPage is how many results a gate's history shows at a time.
const gateHistoryPerPage = 25

// gateRow is a gate in the list: its definition and how its subjects
// stand now: blocked, or passed under rules the gate no longer has.
type gateRow struct {
	gate.Def
	Subjects, Blocked, Unknown int
}

// handleGates lists the gates with how many subjects their latest results
// block now.
func (c *Console) handleGates(w http.ResponseWriter, r *http.Request, v *visit) {
	var rows []gateRow
	for _, d := range c.Gates.Defs {
		latest, err := c.Gates.LatestBySubject(r.Context(), d.Name)
		if err != nil {
			c.unavailable(w, r, v, err)
			return
		}
		curs, err := c.Gates.Currents(r.Context(), latest...)
		if err != nil {
			c.unavailable(w, r, v, err)
			return
		}
		row := gateRow{Def: d, Subjects: len(latest)}
		for _, cur := range curs {
			switch cur.Verdict {
			case gate.VerdictBlock:
				row.Blocked++
			case gate.VerdictUnknown:
				row.Unknown++
			}
		}
		rows = append(rows, row)
	}
	c.render(w, r, v, http.StatusOK, "gates", "Gates", rows)
}

// gateView is the data of a gate's page.
type gateView struct {
	Def     *gate.Def
	Version string
	Rules   []ruleRow
	Latest  []gate.Stored
	Waivers []waiverRow
	Subject string // the history's filter
	History []gate.Stored
	Next    string
	Problem string
}

// waiverRow is a waiver and whether it still holds: unexpired, for the
// rule as it was when it was given.
type waiverRow struct {
	*gate.Waiver
	Active, RuleChanged bool
}

func (c *Console) waiverRow(w *gate.Waiver, now time.Time) waiverRow {
	changed := c.Gates.RuleChanged(w)
	return waiverRow{Waiver: w, Active: w.Active(now) && !changed, RuleChanged: changed}
}

func (c *Console) waiverRows(ws []*gate.Waiver, now time.Time) []waiverRow {
	out := make([]waiverRow, len(ws))
	for i, w := range ws {
		out[i] = c.waiverRow(w, now)
	}
	return out
}

// handleGate shows a gate: its rules, the latest result of each subject
// with its reasons, its waivers with their expiry, and its history (for
// one subject when asked), a page at a time.
func (c *Console) handleGate(w http.ResponseWriter, r *http.Request, v *visit) {
	ctx := r.Context()
	d, err := c.Gates.Def(r.PathValue("name"))
	if err != nil {
		c.readFailed(w, r, v, err, "gate")
		return
	}
	q := r.URL.Query()
	view := gateView{Def: d, Version: d.Version(), Rules: describeRules(d), Subject: q.Get("subject")}
	latest, err := c.Gates.LatestBySubject(ctx, d.Name)
	if err != nil {
		c.unavailable(w, r, v, err)
		return
	}
	if view.Latest, err = c.Gates.WithCurrents(ctx, latest); err != nil {
		c.unavailable(w, r, v, err)
		return
	}
	ws, err := c.Gates.Waivers(ctx, d.Name, "")
	if err != nil {
		c.unavailable(w, r, v, err)
		return
	}
	view.Waivers = c.waiverRows(ws, c.Now())
	limit, cursor, err := pageQuery(q, gateHistoryPerPage)
	if err != nil {
		view.Problem, _ = badQuery(err)
		c.render(w, r, v, http.StatusBadRequest, "gate", "Gate "+d.Name, view)
		return
	}
	history, next, err := c.Gates.History(ctx, d.Name, view.Subject, cursor, limit)
	if err != nil {
		c.unavailable(w, r, v, err)
		return
	}
	if view.History, err = c.Gates.WithCurrents(ctx, history); err != nil {
		c.unavailable(w, r, v, err)
		return
	}
	if next != "" {
		view.Next = pageURL(r.URL.Path, q, "cursor", next)
	}
	c.render(w, r, v, http.StatusOK, "gate", "Gate "+d.Name, view)
}

// handleGateResult shows one evaluation: its verdict and every rule's
// reason with the rows that decided it.
func (c *Console) handleGateResult(w http.ResponseWriter, r *http.Request, v *visit) {
	res, err := c.Gates.Result(r.Context(), "", r.PathValue("id"))
	if err != nil {
		c.readFailed(w, r, v, err, "gate result")
		return
	}
	stored, err := c.Gates.WithCurrents(r.Context(), []*gate.Result{res})
	if err != nil {
		c.unavailable(w, r, v, err)
		return
	}
	c.render(w, r, v, http.StatusOK, "gate_result", res.Gate+" "+res.Verdict+" for "+res.Subject, stored[0])
}

// handleWaiver shows one waiver and whether it still holds.
func (c *Console) handleWaiver(w http.ResponseWriter, r *http.Request, v *visit) {
	wv, err := c.Gates.Waiver(r.Context(), "", r.PathValue("id"))
	if err != nil {
		c.readFailed(w, r, v, err, "waiver")
		return
	}
	c.render(w, r, v, http.StatusOK, "waiver", "Waiver of "+wv.Gate+" rule "+wv.Rule, c.waiverRow(wv, c.Now()))
}

// ruleRow is one rule of a gate as its page lists it.
type ruleRow struct {
	Key, Kind, Says string
	Refs            []string // the rows the rule names
}

// describeRules says in a line what each rule asks.
func describeRules(d *gate.Def) []ruleRow {
	out := make([]ruleRow, len(d.Rules))
	for i := range d.Rules {
		rule := &d.Rules[i]
		row := ruleRow{Key: rule.Key(), Kind: rule.Kind()}
		switch row.Kind {
		case "evidence":
			e := rule.Evidence
			row.Says = "a sealed " + e.Kind + " bundle for the subject"
			if e.Stage != "" {
				row.Says += ", promoted to " + e.Stage
			}
			if e.MaxAge.Duration > 0 {
				row.Says += "; warns when older than " + e.MaxAge.Duration.String()
			}
			if e.BlockAge.Duration > 0 {
				row.Says += "; blocks when older than " + e.BlockAge.Duration.String()
			}
			if e.AllowFailing {
				row.Says += "; an errored item blocks (failed ones are allowed)"
			} else {
				row.Says += "; a failed or errored item blocks"
			}
		case "invariants":
			row.Says = "these invariants pass"
			if rule.Environment != "" {
				row.Says += " in " + rule.Environment
			}
			for _, id := range rule.Invariants {
				row.Refs = append(row.Refs, "invariant:"+id)
			}
		case "guards":
			row.Says = "no open findings in the latest report of every guard of the subject (blocking mode blocks, warn mode warns)"
			if len(rule.Guards.Names) > 0 {
				row.Says = "a report from each of these guards without open findings: "
				for j, n := range rule.Guards.Names {
					if j > 0 {
						row.Says += ", "
					}
					row.Says += n
				}
			}
		case "components":
			row.Says = "these components are up, healthy and reporting"
			for _, n := range rule.Components {
				row.Refs = append(row.Refs, "component:"+n)
			}
		case "reconciliation":
			row.Says = "no open reconciliation record above " + rule.Reconciliation.MaxOpenSeverity + ", and none blocked"
		}
		out[i] = row
	}
	return out
}
