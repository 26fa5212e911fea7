package server

import (
	"net/http"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/gate"
)

// One row by its id, for each kind a posture or gate reason can name. Each
// answers the shape its list route answers, under the list route's scope.

// GateRuleJSON is one rule of a gate, the thing a gate_rule ref names.
type GateRuleJSON struct {
	Gate string    `json:"gate"`
	Rule string    `json:"rule"`
	Def  gate.Rule `json:"definition"`
}

func gateJSON(d gate.Def) GateJSON {
	names := make([]string, len(d.Rules))
	for j := range d.Rules {
		names[j] = d.Rules[j].Key()
	}
	return GateJSON{Def: d, Version: d.Version(), RuleNames: names}
}

// gateRule finds rule key of gate name.
func (s *Server) gateRule(name, key string) (*GateRuleJSON, error) {
	d, err := s.Gates.Def(name)
	if err != nil {
		return nil, err
	}
	for i := range d.Rules {
		if d.Rules[i].Key() == key {
			return &GateRuleJSON{Gate: d.Name, Rule: key, Def: d.Rules[i]}, nil
		}
	}
	return nil, aeso.Reasonf(aeso.ENOTFOUND, "unknown_rule", "gate %s has no rule %s", name, key)
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
	s.writeJSON(w, r, http.StatusOK, gateResultJSON(res))
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
