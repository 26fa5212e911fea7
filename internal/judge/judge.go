// Package judge weighs the facts that release gates and the posture both
// count: a component's status, an invariant's state, an evidence bundle's
// age, a guard report and a reconciliation record. Each kind of fact has
// one function here, and gates and the posture both call it, so the two
// can never read one fact two ways. They differ only in the weights they
// give (a gate fails closed on what nothing proves, the posture weighs
// criticality) and in the words they say. Whether a gate's waiver excuses
// a fact, and how a stored gate result counts, are judged by package gate
// itself (ActiveWaiver, GuardWaivers, Rejudge, Verdict), which the posture
// calls in the same way. It imports no database driver and no net/http.
package judge

// Level is how much a fact weighs.
type Level int

// Levels, least to most severe. A gate says pass, warn and block; the
// posture says healthy, degraded and blocked.
const (
	Pass  Level = iota // counts for nothing
	Warn               // a gate warns; the posture is degraded
	Block              // a gate blocks; the posture is blocked
)

// Worst returns the heavier of two levels.
func Worst(a, b Level) Level { return max(a, b) }

// Weights say what a rule makes of a fact that is down or failing, of one
// that nothing proves, and of one that is proven but old.
type Weights struct {
	Down     Level // a component down or dead; an invariant failing
	Unproven Level // a component that never reported; no result; no bundle
	Stale    Level // a report or result older than its definition allows
}
