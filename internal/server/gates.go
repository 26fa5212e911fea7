package server

import (
	"context"
	"net/http"
	"net/url"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/gate"
	"github.com/aeso-dev/aeso/wire"
)

func gateResultJSON(r *gate.Result) wire.GateResult {
	warnings := r.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	return wire.GateResult{ID: r.ID, Recorded: r.ID != "", Gate: r.Gate, Subject: r.Subject, Verdict: r.Verdict, Warnings: warnings,
		Reasons: each(r.Reasons, func(g gate.Reason) wire.GateReason { return wire.GateReason(g) }), InputsDigest: r.InputsDigest,
		RulesetVersion: r.RulesetVersion, Evaluator: r.Evaluator, EvaluatedAt: r.EvaluatedAt, CorrelationID: r.CorrelationID}
}

// storedGateResultJSON is a stored result as read back: with what it says
// now (gate.Current), so a reader of a pass whose waiver has expired sees
// that it no longer holds.
func storedGateResultJSON(r *gate.Result, cur gate.Current) wire.GateResult {
	out := gateResultJSON(r)
	out.Current = &wire.GateCurrent{Verdict: cur.Verdict, Notes: cur.Notes, At: cur.At}
	return out
}

// storedGateResultOf reads what one stored result says now.
func (s *Server) storedGateResultOf(ctx context.Context, res *gate.Result) (wire.GateResult, error) {
	curs, err := s.Gates.Currents(ctx, res)
	if err != nil {
		return wire.GateResult{}, err
	}
	return storedGateResultJSON(res, curs[0]), nil
}

func (s *Server) waiverJSON(w *gate.Waiver) wire.Waiver {
	changed := s.Gates.RuleChanged(w)
	return wire.Waiver{ID: w.ID, Gate: w.Gate, Rule: w.Rule, Subject: w.Subject, Reason: w.Reason,
		CreatedBy: w.CreatedBy, CreatedAt: w.CreatedAt, ExpiresAt: w.ExpiresAt, Active: w.Active(s.Now()) && !changed,
		RuleVersion: w.RuleVersion, RuleChanged: changed}
}

func (s *Server) handleListGates(w http.ResponseWriter, r *http.Request) {
	out := make([]wire.Gate, len(s.Gates.Defs))
	for i := range s.Gates.Defs {
		out[i] = gateJSON(s.Gates.Defs[i])
	}
	s.writeJSON(w, r, http.StatusOK, wire.GateList{Gates: out})
}

// handleEvaluateGate evaluates a gate and records the result, or with
// ?dry_run=true evaluates it the same way and records nothing. A dry run
// keeps the route's scope, gates:write: it reads what an evaluation reads
// (failing items of any subject's evidence, guard findings), which a
// read-only token sees only through results someone chose to record.
func (s *Server) handleEvaluateGate(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := onlyParams(q, "dry_run"); err != nil {
		s.writeError(w, r, err)
		return
	}
	var v aeso.Validation
	dryRun := boolParam(&v, q, "dry_run")
	if err := v.Err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	var req wire.GateEvaluateRequest
	if !s.decode(w, r, &req, "an evaluation request (subject, and optionally correlation_id)") {
		return
	}
	_, o := s.origin(r)
	evaluate, code := s.Gates.Evaluate, http.StatusCreated
	if dryRun {
		evaluate, code = s.Gates.DryRun, http.StatusOK
	}
	res, err := evaluate(r.Context(), o, r.PathValue("name"), req.Subject, req.CorrelationID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, code, gateResultJSON(res))
}

func (s *Server) handleLatestGateResult(w http.ResponseWriter, r *http.Request) {
	if err := onlyParams(r.URL.Query(), "subject"); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.Gates.Latest(r.Context(), r.PathValue("name"), r.URL.Query().Get("subject"))
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

func (s *Server) handleGateResults(w http.ResponseWriter, r *http.Request) {
	serveHistory(s, w, r, history{filters: []string{"subject"}, def: 50, max: 500},
		func(q url.Values, cursor string, limit int) ([]gate.Stored, string, error) {
			results, next, err := s.Gates.History(r.Context(), r.PathValue("name"), q.Get("subject"), cursor, limit)
			if err != nil {
				return nil, "", err
			}
			stored, err := s.Gates.WithCurrents(r.Context(), results)
			return stored, next, err
		}, func(g gate.Stored) wire.GateResult { return storedGateResultJSON(g.Result, g.Current) }, func(items []wire.GateResult, next *string) wire.GateResultPage {
			return wire.GateResultPage{Results: items, NextCursor: next}
		})
}

func (s *Server) handleCreateWaiver(w http.ResponseWriter, r *http.Request) {
	var req wire.WaiverRequest
	if !s.decode(w, r, &req, "a waiver (rule, subject, reason, expires_at)") {
		return
	}
	_, o := s.origin(r)
	wv, err := s.Gates.Waive(r.Context(), o, r.PathValue("name"), gate.WaiverRequest(req))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, s.waiverJSON(wv))
}

func (s *Server) handleListWaivers(w http.ResponseWriter, r *http.Request) {
	serveHistory(s, w, r, history{filters: []string{"subject"}, def: 100, max: 500},
		func(q url.Values, cursor string, limit int) ([]*gate.Waiver, string, error) {
			return s.Gates.WaiverPage(r.Context(), r.PathValue("name"), q.Get("subject"), cursor, limit)
		}, s.waiverJSON, func(items []wire.Waiver, next *string) wire.WaiverList {
			return wire.WaiverList{Waivers: items, NextCursor: next}
		})
}

func withdrawalJSON(w *gate.Withdrawal) wire.Withdrawal {
	return wire.Withdrawal{ID: w.ID, Gate: w.Gate, Subject: w.Subject, ResultID: w.ResultID, Verdict: w.Verdict,
		Reason: w.Reason, WithdrawnBy: w.WithdrawnBy, WithdrawnAt: w.WithdrawnAt}
}

func (s *Server) handleWithdrawSubject(w http.ResponseWriter, r *http.Request) {
	var req wire.WithdrawalRequest
	if !s.decode(w, r, &req, "a withdrawal (subject, reason)") {
		return
	}
	_, o := s.origin(r)
	wd, err := s.Gates.Withdraw(r.Context(), o, r.PathValue("name"), gate.WithdrawalRequest(req))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, withdrawalJSON(wd))
}

func (s *Server) handleListWithdrawals(w http.ResponseWriter, r *http.Request) {
	serveHistory(s, w, r, history{filters: []string{"subject"}, def: 100, max: 500},
		func(q url.Values, cursor string, limit int) ([]*gate.Withdrawal, string, error) {
			return s.Gates.WithdrawalPage(r.Context(), r.PathValue("name"), q.Get("subject"), cursor, limit)
		}, withdrawalJSON, func(items []wire.Withdrawal, next *string) wire.WithdrawalList {
			return wire.WithdrawalList{Withdrawals: items, NextCursor: next}
		})
}
