package server

import (
	"net/http"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/gate"
	"github.com/aeso-dev/aeso/wire"
)

// One row by its id, for each kind a posture or gate reason can name. Each
// answers the shape its list route answers, under the list route's scope.

func gateJSON(d gate.Def) wire.Gate {
	names := make([]string, len(d.Rules))
	for j := range d.Rules {
		names[j] = d.Rules[j].Key()
	}
	return wire.Gate{Name: d.Name, AffectsPosture: d.AffectsPosture, Rules: each(d.Rules, gateRuleJSON),
		Version: d.Version(), RuleNames: names}
}

// gateRuleJSON is a rule as gate.Def's own JSON writes it, which the
// gate's version covers: the durations as Go durations, always present.
func gateRuleJSON(r gate.Rule) wire.GateRule {
	out := wire.GateRule{Name: r.Name, Invariants: r.Invariants, Environment: r.Environment, Components: r.Components}
	if e := r.Evidence; e != nil {
		out.Evidence = &wire.GateEvidenceRule{Kind: e.Kind, Stage: e.Stage, MaxAge: e.MaxAge.String(),
			BlockAge: e.BlockAge.String(), AllowFailing: e.AllowFailing}
	}
	if g := r.Guards; g != nil {
		out.Guards = &wire.GateGuardsRule{Names: g.Names}
	}
	if rc := r.Reconciliation; rc != nil {
		out.Reconciliation = &wire.GateReconciliationRule{MaxOpenSeverity: rc.MaxOpenSeverity}
	}
	return out
}

// gateRule finds rule key of gate name.
func (s *Server) gateRule(name, key string) (*wire.GateRuleRef, error) {
	d, err := s.Gates.Def(name)
	if err != nil {
		return nil, err
	}
	for i := range d.Rules {
		if d.Rules[i].Key() == key {
			return &wire.GateRuleRef{Gate: d.Name, Rule: key, Definition: gateRuleJSON(d.Rules[i])}, nil
		}
	}
	return nil, aeso.Reasonf(aeso.ENOTFOUND, "unknown_rule", "gate %s has no rule with this key; GET /v1/gates/%s lists its rules", name, name)
}

func (s *Server) handleGetGate(w http.ResponseWriter, r *http.Request) {
	d, err := s.Gates.Def(r.PathValue("name"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, gateJSON(*d))
}

func (s *Server) handleGetGateRule(w http.ResponseWriter, r *http.Request) {
	gr, err := s.gateRule(r.PathValue("name"), r.PathValue("rule"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, gr)
}

func (s *Server) handleGetGateResult(w http.ResponseWriter, r *http.Request) {
	res, err := s.Gates.Result(r.Context(), r.PathValue("name"), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.storedGateResultOf(r.Context(), res)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

func (s *Server) handleGetWaiver(w http.ResponseWriter, r *http.Request) {
	wv, err := s.Gates.Waiver(r.Context(), r.PathValue("name"), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, s.waiverJSON(wv))
}

func (s *Server) handleGetWithdrawal(w http.ResponseWriter, r *http.Request) {
	wd, err := s.Gates.Withdrawal(r.Context(), r.PathValue("name"), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, withdrawalJSON(wd))
}

func (s *Server) handleGetGuardReport(w http.ResponseWriter, r *http.Request) {
	rep, err := s.Guards.Report(r.Context(), r.PathValue("name"), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, guardReportJSON(rep))
}

func (s *Server) handleGetComponentReport(w http.ResponseWriter, r *http.Request) {
	rep, err := s.Components.Report(r.Context(), r.PathValue("name"), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, componentReportJSON(rep))
}

func (s *Server) handleGetInvariantResult(w http.ResponseWriter, r *http.Request) {
	res, err := s.Invariants.Result(r.Context(), r.PathValue("id"), r.PathValue("result_id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, resultJSON(res))
}
