package invariant

import (
	"context"
	"regexp"
	"sort"
	"time"

	"github.com/aeso-dev/aeso"
	"github.com/aeso-dev/aeso/internal/paging"
)

var (
	envPattern  = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$`)
	uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// EnvState is where an invariant stands in one environment, now.
type EnvState struct {
	Environment string
	State       string
	Since       *time.Time // when the latest result was observed
	Latest      *Result
}

// View is an invariant with its state in every known environment.
type View struct {
	Def    *Stored
	States []EnvState
}

// Expired reports whether the item that carried the result has expired
// at now.
func (r *Result) Expired(now time.Time) bool {
	return r.ExpiresAt != nil && !now.Before(*r.ExpiresAt)
}

// StateOf computes the state of an invariant from its latest result at now:
// failing when it failed or errored, stale when it passed longer ago than
// max_age or as an item that has expired, passing otherwise, and unproven
// with no result at all. latest is the newest result that counts
// (Result.Counts).
func StateOf(d Def, latest *Result, now time.Time) string {
	switch {
	case latest == nil:
		return StateUnproven
	case latest.Status != StatusPass:
		return StateFailing
	case now.Sub(latest.ObservedAt) > d.MaxAge.Duration, latest.Expired(now):
		return StateStale
	}
	return StatePassing
}

// Views returns every invariant with its state per environment. The
// environments are every one any invariant reported in, plus env when set,
// so an invariant that never reported where others did shows as unproven.
func (s *Service) Views(ctx context.Context, env string) ([]*View, error) {
	return s.ViewsAt(ctx, env, s.Now())
}

// ViewsAt is Views with states computed at now.
func (s *Service) ViewsAt(ctx context.Context, env string, now time.Time) ([]*View, error) {
	defs, err := s.Definitions(ctx)
	if err != nil {
		return nil, err
	}
	latest, err := s.Store.LatestInvariantResults(ctx)
	if err != nil {
		return nil, err
	}
	return buildViews(defs, latest, env, now), nil
}

// View returns one invariant with its state per environment.
func (s *Service) View(ctx context.Context, id, env string) (*View, error) {
	views, err := s.Views(ctx, env)
	if err != nil {
		return nil, err
	}
	for _, v := range views {
		if v.Def.ID == id {
			return v, nil
		}
	}
	return nil, aeso.Reasonf(aeso.ENOTFOUND, "unknown_invariant", "no invariant has this ID")
}

func buildViews(defs []*Stored, latest []*Result, env string, now time.Time) []*View {
	envs := map[string]bool{}
	if env != "" {
		envs[env] = true
	}
	byKey := map[[2]string]*Result{}
	for _, r := range latest {
		byKey[[2]string{r.InvariantID, r.Environment}] = r
		if env == "" {
			envs[r.Environment] = true
		}
	}
	names := make([]string, 0, len(envs))
	for e := range envs {
		names = append(names, e)
	}
	sort.Strings(names)
	views := make([]*View, 0, len(defs))
	for _, d := range defs {
		v := &View{Def: d, States: []EnvState{}}
		for _, e := range names {
			r := byKey[[2]string{d.ID, e}]
			st := EnvState{Environment: e, State: StateOf(d.Def, r, now), Latest: r}
			if r != nil {
				at := r.ObservedAt
				st.Since = &at
			}
			v.States = append(v.States, st)
		}
		views = append(views, v)
	}
	return views
}

// History lists an invariant's results, newest first.
func (s *Service) History(ctx context.Context, id, env, cursor string, limit int) ([]*Result, string, error) {
	if err := CheckEnvironment(env); err != nil {
		return nil, "", err
	}
	if _, err := s.definition(ctx, id); err != nil {
		return nil, "", err
	}
	return paging.ReadByID(cursor, limit, func(before string, n int) ([]*Result, error) {
		return s.Store.InvariantResults(ctx, id, env, before, n)
	}, func(r *Result) string { return r.ID })
}

// CheckEnvironment refuses, as a read's filter, an environment no result
// could have been recorded in: what a write would refuse is no place a
// reader can ask about (and is not echoed back as "unproven").
func CheckEnvironment(env string) error {
	if env == "" || (len(env) <= 64 && envPattern.MatchString(env)) {
		return nil
	}
	var v aeso.Validation
	v.Add("environment", "pattern", "must be lowercase letters, digits, '.', '_' or '-', at most 64 (e.g. production)")
	return v.Err()
}
