package gate

import (
	"context"

	"github.com/aeso-dev/aeso"
)

// RowStore reads one gate row by id, so a ref a reason names can be opened.
type RowStore interface {
	// GateResult returns a stored result, or not_found.
	GateResult(ctx context.Context, id string) (*Result, error)
	// GateWaiver returns a waiver, or not_found.
	GateWaiver(ctx context.Context, id string) (*Waiver, error)
	// GateWithdrawal returns a withdrawal, or not_found.
	GateWithdrawal(ctx context.Context, id string) (*Withdrawal, error)
}

// rowOf checks id and, when name is set, that the gate is defined and the
// row belongs to it: /v1/gates/a/results/<id of gate b> is not found.
func rowOf[T any](ctx context.Context, s *Service, name, id string, read func(context.Context, string) (T, error), gateOf func(T) string, missing error) (T, error) {
	var zero T
	if err := aeso.CheckID("id", id); err != nil {
		return zero, err
	}
	if name != "" {
		if _, err := s.Def(name); err != nil {
			return zero, err
		}
	}
	row, err := read(ctx, id)
	if err != nil {
		return zero, err
	}
	if name != "" && gateOf(row) != name {
		return zero, missing
	}
	return row, nil
}

// Result returns one stored result of gate name ("" for any gate).
func (s *Service) Result(ctx context.Context, name, id string) (*Result, error) {
	return rowOf(ctx, s, name, id, s.Store.GateResult, func(r *Result) string { return r.Gate },
		aeso.Reasonf(aeso.ENOTFOUND, "gate_result_not_found", "gate %s has no result with this id", name))
}

// Waiver returns one waiver of gate name ("" for any gate).
func (s *Service) Waiver(ctx context.Context, name, id string) (*Waiver, error) {
	return rowOf(ctx, s, name, id, s.Store.GateWaiver, func(w *Waiver) string { return w.Gate },
		aeso.Reasonf(aeso.ENOTFOUND, "waiver_not_found", "gate %s has no waiver with this id", name))
}

// Withdrawal returns one withdrawal of gate name ("" for any gate).
func (s *Service) Withdrawal(ctx context.Context, name, id string) (*Withdrawal, error) {
	return rowOf(ctx, s, name, id, s.Store.GateWithdrawal, func(w *Withdrawal) string { return w.Gate },
		aeso.Reasonf(aeso.ENOTFOUND, "withdrawal_not_found", "gate %s has no withdrawal with this id", name))
}
