package store

import (
	"context"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/component"
	"github.com/aeso-dev/aeso/internal/gate"
	"github.com/aeso-dev/aeso/internal/guard"
	"github.com/aeso-dev/aeso/internal/invariant"
)

// Reads of one row by its id, so that every ref a posture or gate reason
// names ("gate_result:<id>") can be opened. An id that is not a UUID finds
// nothing: the services refuse it before asking.

// one returns the single row of rows, or the not-found error.
func one[T any](rows []T, err error, notFound error) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	if len(rows) == 0 {
		return zero, notFound
	}
	return rows[0], nil
}

// GateResult implements gate.Store.
func (db *DB) GateResult(ctx context.Context, id string) (_ *gate.Result, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	missing := aeso.Reasonf(aeso.ENOTFOUND, "gate_result_not_found", "no gate result has this id")
	id, ok := canonicalID(id)
	if !ok {
		return nil, missing
	}
	rows, err := db.queryGateResults(ctx, `SELECT `+gateResultColumns+` FROM platform_release_gate_results WHERE id = $1`, id)
	return one(rows, err, missing)
}

// GateWaiver implements gate.Store.
func (db *DB) GateWaiver(ctx context.Context, id string) (_ *gate.Waiver, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	missing := aeso.Reasonf(aeso.ENOTFOUND, "waiver_not_found", "no waiver has this id")
	id, ok := canonicalID(id)
	if !ok {
		return nil, missing
	}
	rows, err := db.queryWaivers(ctx, `SELECT `+waiverColumns+` FROM platform_gate_waivers WHERE id = $1`, id)
	return one(rows, err, missing)
}

// GateWithdrawal implements gate.Store.
func (db *DB) GateWithdrawal(ctx context.Context, id string) (_ *gate.Withdrawal, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	missing := aeso.Reasonf(aeso.ENOTFOUND, "withdrawal_not_found", "no withdrawal has this id")
	id, ok := canonicalID(id)
	if !ok {
		return nil, missing
	}
	rows, err := db.queryWithdrawals(ctx, `SELECT `+withdrawalColumns+` FROM platform_gate_withdrawals WHERE id = $1`, id)
	return one(rows, err, missing)
}

// GuardReport implements guard.Store.
func (db *DB) GuardReport(ctx context.Context, id string) (_ *guard.Report, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	missing := aeso.Reasonf(aeso.ENOTFOUND, "guard_report_not_found", "no guard report has this id")
	id, ok := canonicalID(id)
	if !ok {
		return nil, missing
	}
	rows, err := db.queryGuardReports(ctx, `SELECT `+guardColumns+` FROM platform_guard_report_summaries WHERE id = $1`, id)
	return one(rows, err, missing)
}

// ComponentReport implements component.Store: one report of a
// component's history, the row a component_status ref names.
func (db *DB) ComponentReport(ctx context.Context, id string) (_ *component.Report, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	missing := aeso.Reasonf(aeso.ENOTFOUND, "component_status_not_found", "no component status report has this id")
	id, ok := canonicalID(id)
	if !ok {
		return nil, missing
	}
	rows, err := db.queryComponentReports(ctx, `SELECT id, component, `+componentColumns+`, observed_at
		FROM platform_status_component_history WHERE id = $1`, id)
	return one(rows, err, missing)
}

// InvariantResult implements invariant.Store.
func (db *DB) InvariantResult(ctx context.Context, id string) (_ *invariant.Result, err error) {
	ctx, end := db.op(ctx, &err)
	defer end()
	missing := aeso.Reasonf(aeso.ENOTFOUND, "invariant_result_not_found", "no invariant result has this id")
	id, ok := canonicalID(id)
	if !ok {
		return nil, missing
	}
	rows, err := db.queryResults(ctx, `SELECT `+resultColumns+` FROM platform_product_invariant_results WHERE id = $1`, id)
	return one(rows, err, missing)
}
