package gate

import (
	"context"
	"time"

	"github.com/aeso-dev/aeso/internal/guard"
)

// CountedGuardReport is a guard report that counts for a subject name, or
// a newer one whose subject was withdrawn from the posture, with that
// withdrawal.
type CountedGuardReport struct {
	Report     *guard.Report
	Withdrawal *Withdrawal
}

// StandingStore is what the posture reads of the gates that affect it.
type StandingStore interface {
	// WithdrawalsOf returns the withdrawals of the results named.
	WithdrawalsOf(ctx context.Context, resultIDs []string) ([]*Withdrawal, error)
	// ActiveGateWaivers returns the waivers of the gates named that have
	// not expired at now.
	ActiveGateWaivers(ctx context.Context, gates []string, now time.Time) ([]*Waiver, error)
	// LatestGuardReports returns the newest report of every guard for each
	// subject name whose subject is not withdrawn from the gates named, and
	// the newer reports of withdrawn subjects, with their withdrawal.
	LatestGuardReports(ctx context.Context, gates []string) ([]CountedGuardReport, error)
}

// Standing is what the posture weighs of the gates that affect it: the
// result that counts for each subject name (and the newer, withdrawn ones,
// with their withdrawal), the waivers in force, and the guard reports
// those gates' withdrawals leave counting.
type Standing struct {
	Results     []*Result
	Withdrawals map[string]*Withdrawal // by the id of the result withdrawn
	Waivers     []*Waiver
	Guards      []CountedGuardReport
}

// Standing reads the rows of the posture gates (those whose definition
// affects posture) as they stand at now.
func (s *Service) Standing(ctx context.Context, now time.Time) (*Standing, error) {
	var names []string
	for _, d := range s.Defs {
		if d.AffectsPosture {
			names = append(names, d.Name)
		}
	}
	results, err := s.Store.LatestGateResults(ctx, names)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(results))
	for i, r := range results {
		ids[i] = r.ID
	}
	withdrawals, err := s.Store.WithdrawalsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	st := &Standing{Results: results, Withdrawals: map[string]*Withdrawal{}}
	for _, w := range withdrawals {
		st.Withdrawals[w.ResultID] = w
	}
	if st.Waivers, err = s.Store.ActiveGateWaivers(ctx, names, now); err != nil {
		return nil, err
	}
	st.Waivers = s.ForRules(st.Waivers)
	if st.Guards, err = s.Store.LatestGuardReports(ctx, names); err != nil {
		return nil, err
	}
	return st, nil
}
