package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/component"
	"github.com/aeso-dev/aeso/internal/gate"
	"github.com/aeso-dev/aeso/internal/guard"
	"github.com/aeso-dev/aeso/internal/invariant"
	"github.com/aeso-dev/aeso/internal/testdb"
	"github.com/google/uuid"
)

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// TestEveryRowAReasonNamesReadsByID stores one row of each kind a reason
// can name and reads it back by id, in any spelling of the UUID; an id
// that names nothing, or is no UUID, is not found on both databases.
func TestEveryRowAReasonNamesReadsByID(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		db := open(t, tg)
		ctx := context.Background()
		res := gateResult(t, "api@v1", t0)
		if err := db.AddGateResult(ctx, res, event(0)); err != nil {
			t.Fatal(err)
		}
		wv := &gate.Waiver{ID: newID(), Gate: "release", Rule: "guards", Subject: "api@v1", Reason: "fix ships Friday",
			CreatedBy: "ops", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		if err := db.AddGateWaiver(ctx, wv, event(1)); err != nil {
			t.Fatal(err)
		}
		wd := &gate.Withdrawal{ID: newID(), Gate: "release", Subject: "api@v1", ResultID: res.ID, Verdict: gate.VerdictBlock,
			Reason: "abandoned", WithdrawnBy: "ops", WithdrawnAt: t0.Add(time.Minute)}
		if err := db.AddGateWithdrawal(ctx, wd, event(2)); err != nil {
			t.Fatal(err)
		}
		rep := &guard.Report{ID: newID(), Guard: "gosec", Subject: "api@v1", Mode: guard.ModeBlocking,
			Counts: guard.Counts{High: 1}, Findings: []guard.Finding{{RuleID: "G201", Severity: "high", Fingerprint: "f"}},
			ObservedAt: t0, RecordedAt: t0, Source: "ci"}
		if err := db.AddGuardReport(ctx, rep); err != nil {
			t.Fatal(err)
		}
		first := &component.Report{ID: newID(), Component: "api", Status: "down", Detail: "refused", Source: "probe",
			ObservedAt: t0, RecordedAt: t0}
		latest := &component.Report{ID: newID(), Component: "api", Status: "healthy", Source: "probe",
			ObservedAt: t0.Add(time.Minute), RecordedAt: t0.Add(time.Minute)}
		for _, r := range []*component.Report{first, latest} {
			if err := db.AddComponentReport(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		def := &invariant.Stored{Def: invariant.Def{ID: "INV-BILLING-001", Title: "Invoices balance", Owner: "billing",
			Severity: "high"}, FirstSeen: t0}
		if err := db.SaveInvariantDefinitions(ctx, []*invariant.Stored{def}, nil, t0, nil); err != nil {
			t.Fatal(err)
		}
		ir := &invariant.Result{ID: newID(), InvariantID: "INV-BILLING-001", Status: "fail", Environment: "production",
			ObservedAt: t0, RecordedAt: t0, Source: "ci"}
		if err := db.AddInvariantResult(ctx, ir); err != nil {
			t.Fatal(err)
		}

		reads := []struct {
			kind, id, missing string
			read              func(id string) (string, error) // the id read back and a field that shows it is that row
		}{
			{"gate result", res.ID, "gate_result_not_found", func(id string) (string, error) {
				r, err := db.GateResult(ctx, id)
				if err != nil {
					return "", err
				}
				return r.ID + " " + r.Subject, nil
			}},
			{"waiver", wv.ID, "waiver_not_found", func(id string) (string, error) {
				r, err := db.GateWaiver(ctx, id)
				if err != nil {
					return "", err
				}
				return r.ID + " " + r.Reason, nil
			}},
			{"withdrawal", wd.ID, "withdrawal_not_found", func(id string) (string, error) {
				r, err := db.GateWithdrawal(ctx, id)
				if err != nil {
					return "", err
				}
				return r.ID + " " + r.ResultID, nil
			}},
			{"guard report", rep.ID, "guard_report_not_found", func(id string) (string, error) {
				r, err := db.GuardReport(ctx, id)
				if err != nil {
					return "", err
				}
				return r.ID + " " + r.Findings[0].RuleID, nil
			}},
			// A report the latest projection no longer shows is still read.
			{"component report", first.ID, "component_status_not_found", func(id string) (string, error) {
				r, err := db.ComponentReport(ctx, id)
				if err != nil {
					return "", err
				}
				return r.ID + " " + r.Status + " " + r.Detail, nil
			}},
			{"invariant result", ir.ID, "invariant_result_not_found", func(id string) (string, error) {
				r, err := db.InvariantResult(ctx, id)
				if err != nil {
					return "", err
				}
				return r.ID + " " + r.Status, nil
			}},
		}
		want := map[string]string{"gate result": "api@v1", "waiver": "fix ships Friday", "withdrawal": res.ID,
			"guard report": "G201", "component report": "down refused", "invariant result": "fail"}
		for _, c := range reads {
			for _, spelling := range []string{c.id, strings.ToUpper(c.id), "{" + c.id + "}"} {
				got, err := c.read(spelling)
				if err != nil || got != c.id+" "+want[c.kind] {
					t.Errorf("%s by %s: %q %v", c.kind, spelling, got, err)
				}
			}
			for _, id := range []string{newID(), "not-a-uuid", ""} {
				if _, err := c.read(id); aeso.ErrorCode(err) != aeso.ENOTFOUND || aeso.ErrorReason(err) != c.missing {
					t.Errorf("%s by %q: %v, want not found (%s)", c.kind, id, err, c.missing)
				}
			}
		}
	})
}
