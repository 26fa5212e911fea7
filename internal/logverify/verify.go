package logverify

import (
	"errors"
	"fmt"
	"io"
	"sort"

	"golang.org/x/mod/sumdb/tlog"
)

// Window is how far past the first difference verification looks to tell
// a deletion, an insertion or a swap from an alteration: one hash tile of
// the log, and as many export lines.
const Window = 256

// Result is what a verified export proved.
type Result struct {
	// Events is the number of lines in the export.
	Events int64
	// Checked are the checkpoints whose roots the export reproduced,
	// smallest first.
	Checked []Checkpoint
	// Compared is the number of leaves compared one by one with the log's
	// tree hashes (0 when verified offline).
	Compared int64
	// Beyond is the number of export lines after the largest checkpoint's
	// tree size: events newer than the checkpoint, which it cannot vouch for.
	Beyond int64
}

// VerifyExport reads an export from the first event and recomputes the
// root at each checkpoint's tree size; every root must match. Given log,
// the log's leaf hashes already checked against the largest checkpoint
// (tlog.TileHashReader does that), it also compares the export leaf by leaf
// and names the first seq that differs and how. It returns a *Tampered
// verdict when the export differs, another error when it cannot tell.
//
// Memory stays O(log n) in the number of events: the root is built on the
// tree's right edge, the export is read one line at a time, and only at a
// difference are Window lines and hashes held to explain it.
func VerifyExport(export io.Reader, checkpoints []Checkpoint, log tlog.HashReader) (Result, error) {
	if len(checkpoints) == 0 {
		return Result{}, errors.New("no checkpoint to verify against")
	}
	cps := append([]Checkpoint(nil), checkpoints...)
	sort.SliceStable(cps, func(i, j int) bool { return cps[i].Size < cps[j].Size })
	top := cps[len(cps)-1]
	v := &verifier{exp: newExportReader(export, 0), tree: newCompactTree(), log: log, size: top.Size}
	var res Result
	next := 0 // the next checkpoint whose size the tree must reach
	for {
		for next < len(cps) && cps[next].Size == v.tree.n {
			if err := v.checkRoot(cps[next]); err != nil {
				return res, err
			}
			res.Checked = append(res.Checked, cps[next])
			next++
		}
		leaf, h, err := v.exp.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return res, err
		}
		res.Events++
		i := v.tree.n
		if i >= top.Size {
			if err := beyond(leaf, res.Events, res.Events); err != nil {
				return res, err
			}
			res.Beyond++
			continue
		}
		if log != nil {
			if err := v.compare(i, leaf, h); err != nil {
				return res, err
			}
			res.Compared++
		}
		if err := v.tree.add(h); err != nil {
			return res, err
		}
	}
	if next < len(cps) {
		short := cps[next]
		if log == nil {
			// Every line may be the log's, or one in the middle may be
			// gone: only the log's hashes can say which.
			return res, &Tampered{Kind: Missing, OtherSeq: short.Size,
				Detail: fmt.Sprintf("the export holds %d events but the checkpoint covers %d (give the log's URL to name the first one missing)", v.tree.n, short.Size)}
		}
		return res, &Tampered{Kind: Missing, Seq: v.tree.n + 1, OtherSeq: short.Size,
			Detail: fmt.Sprintf("the export ends after %d events but the checkpoint covers %d", v.tree.n, short.Size)}
	}
	return res, nil
}

// verifier is one pass over an export.
type verifier struct {
	exp  *exportReader
	tree *compactTree
	log  tlog.HashReader
	size int64 // the largest checkpoint's tree size

	logFrom int64       // index of logHash[0]
	logHash []tlog.Hash // a tile's worth of the log's leaf hashes
}

func (v *verifier) checkRoot(cp Checkpoint) error {
	root, err := v.tree.root()
	if err != nil {
		return err
	}
	if root == cp.Root {
		return nil
	}
	return &Tampered{Kind: RootMismatch,
		Detail: fmt.Sprintf("the first %d events of the export hash to %s, but the checkpoint says %s (give the log's URL to name the seq)", cp.Size, root, cp.Root)}
}

// logLeaf returns the log's leaf hash at index i, reading Window at a time.
func (v *verifier) logLeaf(i int64) (tlog.Hash, error) {
	if i < v.logFrom || i >= v.logFrom+int64(len(v.logHash)) {
		end := min(i+Window, v.size)
		idx := make([]int64, 0, end-i)
		for k := i; k < end; k++ {
			idx = append(idx, tlog.StoredHashIndex(0, k))
		}
		hashes, err := v.log.ReadHashes(idx)
		if err != nil {
			return tlog.Hash{}, fmt.Errorf("read the log's leaf hashes %d to %d: %w", i+1, end, err)
		}
		if len(hashes) != len(idx) {
			return tlog.Hash{}, fmt.Errorf("the log returned %d leaf hashes for %d", len(hashes), len(idx))
		}
		v.logFrom, v.logHash = i, hashes
	}
	return v.logHash[i-v.logFrom], nil
}

// compare checks export leaf i against the log and, at the first
// difference, reads up to Window lines and hashes ahead on both sides to
// say what happened there.
func (v *verifier) compare(i int64, leaf []byte, h tlog.Hash) error {
	want, err := v.logLeaf(i)
	if err != nil {
		return err
	}
	if h == want {
		return nil
	}
	exp := [][]byte{append([]byte(nil), leaf...)}
	for len(exp) < Window {
		next, _, err := v.exp.next()
		if err != nil {
			// The end of the export, or a line it cannot read: explain
			// the difference with the lines before it.
			break
		}
		exp = append(exp, append([]byte(nil), next...))
	}
	var logs []tlog.Hash
	for k := i; k < min(i+Window, v.size); k++ {
		lh, err := v.logLeaf(k)
		if err != nil {
			return err
		}
		logs = append(logs, lh)
	}
	return classify(i, exp, logs)
}
