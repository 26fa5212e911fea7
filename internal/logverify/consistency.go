package logverify

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// CheckConsistency checks that newer extends older: the log only appended
// to the tree older signed. proof is the RFC 6962 consistency proof from
// older.Size to newer.Size (none is needed when the sizes are equal or
// older is empty). A smaller newer tree, a different root at the same size
// or a proof that fails is a *Tampered verdict: the history was rewritten.
func CheckConsistency(older, newer Checkpoint, proof tlog.TreeProof) error {
	if older.Origin != newer.Origin {
		return fmt.Errorf("the checkpoints are of two logs, %q and %q", older.Origin, newer.Origin)
	}
	switch {
	case newer.Size < older.Size:
		return &Tampered{Kind: RolledBack,
			Detail: fmt.Sprintf("the log now shows %d events, but a checkpoint of %d events was seen before", newer.Size, older.Size)}
	case newer.Size == older.Size:
		if newer.Root != older.Root {
			return &Tampered{Kind: Inconsistent,
				Detail: fmt.Sprintf("two checkpoints of %d events have different roots (%s and %s)", older.Size, older.Root, newer.Root)}
		}
		return nil
	case older.Size == 0:
		return nil // the empty tree is a prefix of every tree
	}
	if err := tlog.CheckTree(proof, newer.Size, newer.Root, older.Size, older.Root); err != nil {
		return &Tampered{Kind: Inconsistent,
			Detail: fmt.Sprintf("the tree of %d events does not extend the tree of %d events: %v", newer.Size, older.Size, err)}
	}
	return nil
}

// CutOff is the verdict on a log that no longer holds the tree hashes of
// seq served+1 to signed, which a checkpoint of signed events covers: its
// end was cut off, as restoring an old backup would.
func CutOff(served, signed int64) *Tampered {
	return &Tampered{Kind: Missing, Seq: served + 1, OtherSeq: signed,
		Detail: fmt.Sprintf("the log no longer holds seq %d to %d, which the checkpoint of %d events covers: its end was cut off (an old backup restored?)", served+1, signed, signed)}
}
