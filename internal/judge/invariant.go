package judge

import "github.com/aeso-dev/aeso/internal/invariant"

// InvariantFinding is one state of an invariant that does not pass: failing
// or stale in an environment, or unproven when no environment that counts
// has a result (then State is unproven and Env holds no result).
type InvariantFinding struct {
	State string
	Env   invariant.EnvState
	Level Level
}

// InvariantJudgement is what an invariant's states amount to.
type InvariantJudgement struct {
	// Counted are the states that were judged: in env when one is set,
	// else in every environment the invariant reported in.
	Counted []invariant.EnvState
	// Findings are the states that do not pass, in the order of Counted,
	// and an unproven finding when none of them has a result.
	Findings []InvariantFinding
}

// Level is the heaviest finding's weight.
func (j InvariantJudgement) Level() Level {
	l := Pass
	for _, f := range j.Findings {
		l = Worst(l, f.Level)
	}
	return l
}

// Invariant judges an invariant's states as computed at the time its view
// was read. With an environment only its state counts; without, every
// environment the invariant reported in counts, and it is unproven when
// it reported nowhere.
func Invariant(v *invariant.View, env string, w Weights) InvariantJudgement {
	var j InvariantJudgement
	proven := false
	for _, st := range v.States {
		if env != "" && st.Environment != env || st.Latest == nil {
			continue
		}
		proven = true
		j.Counted = append(j.Counted, st)
		switch st.State {
		case invariant.StateFailing:
			j.Findings = append(j.Findings, InvariantFinding{State: st.State, Env: st, Level: w.Down})
		case invariant.StateStale:
			j.Findings = append(j.Findings, InvariantFinding{State: st.State, Env: st, Level: w.Stale})
		}
	}
	if !proven {
		j.Findings = append(j.Findings, InvariantFinding{State: invariant.StateUnproven,
			Env: invariant.EnvState{Environment: env, State: invariant.StateUnproven}, Level: w.Unproven})
	}
	return j
}
