package logverify

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"

	"golang.org/x/mod/sumdb/tlog"
)

// ErrPartialNeedsTree is the answer to a partial export offered without
// the log's tree hashes. A signed root covers the tree from its first
// leaf: recomputing it needs the hashes of the events before the export,
// which the export does not carry, so the export alone proves nothing.
var ErrPartialNeedsTree = errors.New("an export that does not start at the first event can only be checked against the log's tree: give the log's URL (its tiles are checked against the signed checkpoint first), or verify an export from the first event")

// VerifyPartialExport checks an export of the events after seq since
// (`aeso audit export --since`) as a transparency-log client checks
// entries: each line against the log's leaf hash at its seq. log is the
// log's tree hashes, already checked against the largest checkpoint
// (LogFromTiles does that), so a line that matches its leaf hash is the
// event that checkpoint signed. The first seq that differs is named as
// VerifyExport names it (altered, missing, reordered, extra); lines past
// the checkpoint's tree size are counted, not judged. A second checkpoint
// is the caller's to check against the first (CheckConsistency with the
// log's proof): the roots cannot be recomputed from part of the tree.
//
// since is the seq the export was asked to start after, not the first
// line's seq: the first line's seq is what an attacker who deleted the
// first events of the range would have changed.
func VerifyPartialExport(export io.Reader, since int64, checkpoints []Checkpoint, log tlog.HashReader) (Result, error) {
	switch {
	case since <= 0:
		return VerifyExport(export, checkpoints, log)
	case len(checkpoints) == 0:
		return Result{}, errors.New("no checkpoint to verify against")
	case log == nil:
		return Result{}, ErrPartialNeedsTree
	}
	cps := append([]Checkpoint(nil), checkpoints...)
	sort.SliceStable(cps, func(i, j int) bool { return cps[i].Size < cps[j].Size })
	top := cps[len(cps)-1]
	if top.Size <= since {
		return Result{}, fmt.Errorf("the checkpoint covers seq 1 to %d, and the export starts after seq %d: it vouches for none of the export's events; use a checkpoint taken after the export", top.Size, since)
	}
	v := &verifier{exp: newExportReader(export, since), log: log, size: top.Size}
	res := Result{Checked: cps}
	i := since // leaf index of the next line
	for {
		leaf, h, err := v.exp.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return res, err
		}
		res.Events++
		if i >= top.Size {
			if err := beyond(leaf, res.Events, since+res.Events); err != nil {
				return res, err
			}
			res.Beyond++
			continue
		}
		if err := v.compare(i, leaf, h); err != nil {
			return res, err
		}
		res.Compared++
		i++
	}
	if i < top.Size {
		return res, &Tampered{Kind: Missing, Seq: i + 1, OtherSeq: top.Size,
			Detail: fmt.Sprintf("the export ends at seq %d but the checkpoint covers seq %d to %d", i, since+1, top.Size)}
	}
	return res, nil
}

// beyond checks export line number line, past what the checkpoints cover:
// no checkpoint vouches for it, but it must still be an event, the one of
// seq, or the file holds what no export does (a line of another kind, an
// event copied from earlier) and is not reported as newer events.
func beyond(leaf []byte, line, seq int64) error {
	got, ok := LeafSeq(leaf)
	switch {
	case !ok:
		return fmt.Errorf("export line %d, past the checkpoint, is not an audit event (a JSON object with its seq): an export holds nothing else", line)
	case got != seq:
		return fmt.Errorf("export line %d, past the checkpoint, holds seq %d where seq %d follows: the file is no export as aeso writes it", line, got, seq)
	}
	return nil
}

// LeafSeq reads the top-level "seq" member of an export line, to tell an
// export that does not start at the first event. ok is false for a line
// that is not a JSON object with an integer seq.
func LeafSeq(line []byte) (seq int64, ok bool) {
	var leaf struct {
		Seq json.RawMessage `json:"seq"`
	}
	if json.Unmarshal(line, &leaf) != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(string(leaf.Seq), 10, 64)
	return n, err == nil
}
