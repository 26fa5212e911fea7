package judge

import (
	"time"

	"github.com/aeso-dev/aeso/internal/reconcile"
)

// SeverityNone as the highest severity let through lets no open record
// through.
const SeverityNone = "none"

// MaxOpenSeverities lists what may be let through, most strict first.
var MaxOpenSeverities = append([]string{SeverityNone}, reconcile.Severities...)

// OpenSeverityRank orders MaxOpenSeverities and record severities alike:
// none below low, critical highest, and one that is neither worse than any,
// so that it blocks.
func OpenSeverityRank(s string) int {
	for i, x := range MaxOpenSeverities {
		if x == s {
			return i
		}
	}
	return len(MaxOpenSeverities)
}

// RecordJudgement is what a reconciliation record amounts to.
type RecordJudgement struct {
	Level Level
	// Accepted is set for a record accepted until a time still ahead: it
	// counts for nothing, and says so. Once the acceptance lapses the
	// record counts again at its severity.
	Accepted bool
}

// Record judges a reconciliation record at now against the highest
// severity an open record may have without blocking: a resolved record
// counts for nothing; an open one blocks when above maxOpen or in state
// blocked, and warns otherwise, unless its acceptance still holds.
func Record(r *reconcile.Record, maxOpen string, now time.Time) RecordJudgement {
	switch {
	case !r.Open():
		return RecordJudgement{}
	case AcceptanceHolds(r, now):
		return RecordJudgement{Accepted: true}
	case r.State == reconcile.StateBlocked || OpenSeverityRank(r.Severity) > OpenSeverityRank(maxOpen):
		return RecordJudgement{Level: Block}
	}
	return RecordJudgement{Level: Warn}
}

// AcceptanceHolds reports whether r is accepted until a time after now.
func AcceptanceHolds(r *reconcile.Record, now time.Time) bool {
	return r.State == reconcile.StateAccepted && r.AcceptedUntil != nil && r.AcceptedUntil.After(now)
}

// AcceptanceLapsed reports whether r is accepted until a time that has
// come: it counts again.
func AcceptanceLapsed(r *reconcile.Record, now time.Time) bool {
	return r.State == reconcile.StateAccepted && r.AcceptedUntil != nil && !r.AcceptedUntil.After(now)
}
