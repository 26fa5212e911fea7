package judge

import (
	"time"

	"github.com/aeso-dev/aeso/internal/evidence"
)

// What decided an evidence judgement.
const (
	EvidenceMissing  = "missing"   // no bundle answers the rule
	EvidenceUnsealed = "unsealed"  // the bundle has no seal time
	EvidenceTooOld   = "block_age" // sealed longer ago than block_age
	EvidenceFailing  = "failing"   // items failed or errored
	EvidenceOld      = "max_age"   // sealed longer ago than max_age
	EvidenceFresh    = "fresh"
)

// EvidenceRule is what a rule asks of a bundle: two-step staleness (older
// than MaxAge warns, older than BlockAge blocks; zero: no limit) and, unless
// AllowFailing, no failed item.
type EvidenceRule struct {
	MaxAge, BlockAge time.Duration
	AllowFailing     bool
}

// EvidenceJudgement is what a bundle amounts to for a rule.
type EvidenceJudgement struct {
	Cause string
	Level Level
	Age   time.Duration // since the seal
}

// Evidence judges the bundle that answers a rule (nil when none does),
// with the names of its items that failed or errored, at now. A missing or
// unsealed bundle weighs w.Unproven.
func Evidence(b *evidence.Bundle, failing []string, r EvidenceRule, now time.Time, w Weights) EvidenceJudgement {
	switch {
	case b == nil:
		return EvidenceJudgement{Cause: EvidenceMissing, Level: w.Unproven}
	case b.SealedAt == nil:
		return EvidenceJudgement{Cause: EvidenceUnsealed, Level: w.Unproven}
	}
	age := now.Sub(*b.SealedAt)
	switch {
	case r.BlockAge > 0 && age > r.BlockAge:
		return EvidenceJudgement{Cause: EvidenceTooOld, Level: Block, Age: age}
	case len(failing) > 0 && !r.AllowFailing:
		return EvidenceJudgement{Cause: EvidenceFailing, Level: Block, Age: age}
	case r.MaxAge > 0 && age > r.MaxAge:
		return EvidenceJudgement{Cause: EvidenceOld, Level: Warn, Age: age}
	}
	return EvidenceJudgement{Cause: EvidenceFresh, Level: Pass, Age: age}
}
