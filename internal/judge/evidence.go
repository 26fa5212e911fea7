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
	EvidenceErrored  = "errored"   // items errored, under allow_failing
	EvidenceNothing  = "nothing"   // no unexpired item ran to its end
	EvidenceOld      = "max_age"   // sealed longer ago than max_age
	EvidenceFresh    = "fresh"
)

// EvidenceRule is what a rule asks of a bundle: two-step staleness (older
// than MaxAge warns, older than BlockAge blocks; zero: no limit), no item
// that errored, and, unless AllowFailing, no failed item. AllowFailing
// accepts checks that ran and found problems, not checks that did not run
// to their end: an error says nothing was proven either way.
type EvidenceRule struct {
	MaxAge, BlockAge time.Duration
	AllowFailing     bool
}

// EvidenceJudgement is what a bundle amounts to for a rule.
type EvidenceJudgement struct {
	Cause string
	Level Level
	Age   time.Duration // since the seal, or since the oldest proving item was observed when that is earlier
	// FromItem says Age runs from the oldest proving item, not the seal.
	FromItem bool
}

// EvidenceItems is what a bundle's items show: the names of those that
// failed or errored, and how many prove something: ran to their end (pass,
// warn, or fail) and have not expired. An item skipped or errored, or past
// its expires_at, proves nothing.
type EvidenceItems struct {
	Failing []string
	Errored []string // those of Failing that errored
	Proving int
	// Oldest is when the earliest of the proving items was observed.
	Oldest time.Time
}

// ItemsOf reads a bundle's items at now.
func ItemsOf(items []*evidence.Item, now time.Time) EvidenceItems {
	var out EvidenceItems
	for _, it := range items {
		switch it.Result {
		case "fail", "error":
			out.Failing = append(out.Failing, it.Name)
		}
		if it.Result == "error" {
			out.Errored = append(out.Errored, it.Name)
		}
		if it.Proves(now) {
			out.Proving++
			if out.Oldest.IsZero() || it.ObservedAt.Before(out.Oldest) {
				out.Oldest = it.ObservedAt
			}
		}
	}
	return out
}

// Evidence judges the bundle that answers a rule (nil when none does) at
// now. items are its items, nil when the rule asks only for the bundle's
// age. A missing or unsealed bundle, or one whose items prove nothing,
// weighs w.Unproven.
func Evidence(b *evidence.Bundle, items *EvidenceItems, r EvidenceRule, now time.Time, w Weights) EvidenceJudgement {
	switch {
	case b == nil:
		return EvidenceJudgement{Cause: EvidenceMissing, Level: w.Unproven}
	case b.SealedAt == nil:
		return EvidenceJudgement{Cause: EvidenceUnsealed, Level: w.Unproven}
	}
	// A bundle is as old as what it proves: an item observed long before
	// the seal is no fresher for being sealed today. When the oldest
	// proving item's age decides otherwise than the seal's, it decides.
	j := evidenceAt(items, r, now.Sub(*b.SealedAt), w)
	if items != nil && !items.Oldest.IsZero() && items.Oldest.Before(*b.SealedAt) {
		if k := evidenceAt(items, r, now.Sub(items.Oldest), w); k.Cause != j.Cause {
			k.FromItem = true
			return k
		}
	}
	return j
}

// evidenceAt judges a sealed bundle of the given age.
func evidenceAt(items *EvidenceItems, r EvidenceRule, age time.Duration, w Weights) EvidenceJudgement {
	switch {
	case r.BlockAge > 0 && age > r.BlockAge:
		return EvidenceJudgement{Cause: EvidenceTooOld, Level: Block, Age: age}
	case items != nil && len(items.Failing) > 0 && !r.AllowFailing:
		return EvidenceJudgement{Cause: EvidenceFailing, Level: Block, Age: age}
	case items != nil && len(items.Errored) > 0:
		return EvidenceJudgement{Cause: EvidenceErrored, Level: Block, Age: age}
	case items != nil && items.Proving == 0:
		return EvidenceJudgement{Cause: EvidenceNothing, Level: w.Unproven, Age: age}
	case r.MaxAge > 0 && age > r.MaxAge:
		return EvidenceJudgement{Cause: EvidenceOld, Level: Warn, Age: age}
	}
	return EvidenceJudgement{Cause: EvidenceFresh, Level: Pass, Age: age}
}
