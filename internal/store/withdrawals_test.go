package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/gate"
	"github.com/aeso-dev/aeso/internal/testdb"
	"github.com/google/uuid"
)

func gateResult(t *testing.T, subject string, at time.Time) *gate.Result {
	t.Helper()
	return &gate.Result{ID: uuid.Must(uuid.NewV7()).String(), Gate: "release", Subject: subject, Verdict: gate.VerdictBlock,
		Warnings: []string{}, Reasons: []gate.Reason{}, InputsDigest: "sha256:x", RulesetVersion: "v", Evaluator: "ci", EvaluatedAt: at}
}

func TestAWithdrawalNamesTheLatestResultOnceAndNeverChanges(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, tg testdb.Target) {
		db := open(t, tg)
		ctx := context.Background()
		old := gateResult(t, "shop@v2.0.1", t0)
		if err := db.AddGateResult(ctx, old, event(0)); err != nil {
			t.Fatal(err)
		}
		withdrawal := func(resultID string, i int) error {
			w := &gate.Withdrawal{ID: uuid.Must(uuid.NewV7()).String(), Gate: "release", Subject: "shop@v2.0.1", ResultID: resultID,
				Verdict: gate.VerdictBlock, Reason: "abandoned", WithdrawnBy: "ops", WithdrawnAt: t0.Add(time.Minute)}
			return db.AddGateWithdrawal(ctx, w, event(i))
		}
		if err := withdrawal(old.ID, 1); err != nil {
			t.Fatal(err)
		}
		if err := withdrawal(old.ID, 2); aeso.ErrorReason(err) != "already_withdrawn" {
			t.Errorf("withdrawing one result twice: %v", err)
		}
		newer := gateResult(t, "shop@v2.0.1", t0.Add(time.Hour))
		if err := db.AddGateResult(ctx, newer, event(3)); err != nil {
			t.Fatal(err)
		}
		if err := withdrawal(old.ID, 4); aeso.ErrorReason(err) != "result_superseded" {
			t.Errorf("withdrawing a result a newer one replaced: %v", err)
		}
		got, err := db.WithdrawalsOf(ctx, []string{old.ID, newer.ID})
		if err != nil || len(got) != 1 || got[0].ResultID != old.ID {
			t.Fatalf("withdrawals of both results: %+v %v", got, err)
		}

		statements := []string{
			`UPDATE platform_gate_withdrawals SET reason = 'tampered'`,
			`DELETE FROM platform_gate_withdrawals`,
			`INSERT INTO platform_gate_withdrawals (id, gate, subject, result_id, verdict, reason, withdrawn_by, withdrawn_at)
				SELECT id, gate, subject, result_id, verdict, 'tampered', withdrawn_by, withdrawn_at FROM platform_gate_withdrawals WHERE true
				ON CONFLICT (id) DO UPDATE SET reason = excluded.reason`,
		}
		if tg.Dialect == "sqlite" {
			statements = append(statements,
				`INSERT OR REPLACE INTO platform_gate_withdrawals SELECT id, gate, subject, result_id, verdict, 'tampered', withdrawn_by, withdrawn_at FROM platform_gate_withdrawals`,
				`REPLACE INTO platform_gate_withdrawals SELECT id, gate, subject, result_id, verdict, 'tampered', withdrawn_by, withdrawn_at FROM platform_gate_withdrawals`)
		} else {
			statements = append(statements, `TRUNCATE platform_gate_withdrawals`,
				`BEGIN; SET LOCAL session_replication_role = replica; UPDATE platform_gate_withdrawals SET reason = 'tampered'; COMMIT`)
		}
		for _, q := range statements {
			err := db.Exec(ctx, q)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: err = %v, want the append-only trigger to reject it", q, err)
			}
		}
		got, err = db.GateWithdrawals(ctx, "release", "")
		if err != nil || len(got) != 1 || got[0].Reason != "abandoned" {
			t.Errorf("after the attempts: %+v %v; want the withdrawal unchanged", got, err)
		}
	})
}
