package logverify

import (
	"fmt"
	"strings"
)

// Kind says how the evidence differs from what the log signed.
type Kind string

// The kinds of tampering a verification can name.
const (
	// Altered: the event at Seq is not the one the log holds there.
	Altered Kind = "altered"
	// Missing: the log's event at Seq is absent from the export (deleted,
	// or the export ends early).
	Missing Kind = "missing"
	// Reordered: the event at Seq is one the log holds at OtherSeq.
	Reordered Kind = "reordered"
	// Extra: the export holds an event at Seq that the log does not have
	// (inserted within the checkpoint's tree size).
	Extra Kind = "extra"
	// RootMismatch: the export's root differs from the checkpoint's; with
	// no tree hashes to compare, the first differing seq is unknown.
	RootMismatch Kind = "root_mismatch"
	// BadSignature: the checkpoint is not signed by the key.
	BadSignature Kind = "bad_signature"
	// WrongOrigin: the checkpoint is signed but for another log.
	WrongOrigin Kind = "wrong_origin"
	// TreeMismatch: the log's tree hashes do not match the checkpoint.
	TreeMismatch Kind = "tree_mismatch"
	// Inconsistent: a newer checkpoint is not an extension of an older
	// one (the history was rewritten).
	Inconsistent Kind = "inconsistent"
	// RolledBack: the log shows a smaller tree than one already seen.
	RolledBack Kind = "rolled_back"
)

// Tampered is the verdict that the evidence does not match what the log
// signed. It is an error so it cannot be ignored, distinct from a failure
// to check (an unreadable file, an unreachable server).
type Tampered struct {
	Kind Kind
	// Seq is the first seq that differs, 0 when it cannot be named.
	Seq int64
	// OtherSeq is, for Reordered, where the log holds the event found at
	// Seq; for Missing, the last seq of the missing run.
	OtherSeq int64
	Detail   string
}

func (t *Tampered) Error() string {
	var b strings.Builder
	b.WriteString("tampered: ")
	b.WriteString(strings.ReplaceAll(string(t.Kind), "_", " "))
	if t.Seq > 0 {
		fmt.Fprintf(&b, " at seq %d", t.Seq)
	}
	if t.Detail != "" {
		b.WriteString(": ")
		b.WriteString(t.Detail)
	}
	return b.String()
}
