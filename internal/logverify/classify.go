package logverify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"golang.org/x/mod/sumdb/tlog"
)

// classify names the difference at leaf index i, given the export's lines
// and the log's leaf hashes from there on (exp[0] is not logs[0]).
//
// A leaf holds its own seq, so an event moved to another position no
// longer hashes as it did: a deletion closed up by renumbering changes
// every later leaf. To recognise an event wherever it sits, an export line
// is compared with the log's leaf at index j after setting its top-level
// "seq" member to j+1 (see sameEvent). The verdict itself never depends on
// this: the hashes already differ. Only its name does:
//   - the export's event is the log's at j and the log's is the export's
//     at j: the two were swapped (reordered);
//   - the export's event is later in the log and the log's is nowhere in
//     the export: the log's event is missing (deleted);
//   - the log's event is later in the export and the export's is nowhere
//     in the log: the export's is extra (inserted);
//   - the export's event is elsewhere in the log: reordered;
//   - otherwise: altered.
func classify(i int64, exp [][]byte, logs []tlog.Hash) error {
	seq := i + 1
	inLog, inExp := -1, -1
	for j := 1; j < len(logs); j++ {
		if sameEvent(exp[0], i+int64(j), logs[j]) {
			inLog = j
			break
		}
	}
	for k := 1; k < len(exp); k++ {
		if sameEvent(exp[k], i, logs[0]) {
			inExp = k
			break
		}
	}
	switch {
	case inLog > 0 && inLog == inExp:
		other := seq + int64(inLog)
		return &Tampered{Kind: Reordered, Seq: seq, OtherSeq: other,
			Detail: fmt.Sprintf("the events at seq %d and seq %d are swapped", seq, other)}
	case inLog > 0 && inExp < 0:
		last := seq + int64(inLog) - 1
		detail := fmt.Sprintf("the log's event at seq %d is not in the export", seq)
		if last > seq {
			detail = fmt.Sprintf("the log's events at seq %d to %d are not in the export", seq, last)
		}
		return &Tampered{Kind: Missing, Seq: seq, OtherSeq: last, Detail: detail}
	case inExp > 0 && inLog < 0:
		return &Tampered{Kind: Extra, Seq: seq,
			Detail: fmt.Sprintf("the export has an event at seq %d that the log does not hold; the log's event at seq %d comes %d line(s) later", seq, seq, inExp)}
	case inLog > 0:
		other := seq + int64(inLog)
		return &Tampered{Kind: Reordered, Seq: seq, OtherSeq: other,
			Detail: fmt.Sprintf("the export's event at seq %d is the log's event at seq %d", seq, other)}
	}
	return &Tampered{Kind: Altered, Seq: seq, Detail: fmt.Sprintf("the event at seq %d is not the one the log holds", seq)}
}

// sameEvent reports whether line, moved to leaf index j, is the log's leaf
// there: its bytes with the top-level "seq" member set to j+1 hash to want.
func sameEvent(line []byte, j int64, want tlog.Hash) bool {
	if tlog.RecordHash(line) == want {
		return true
	}
	moved, ok := withSeq(line, j+1)
	return ok && tlog.RecordHash(moved) == want
}

// withSeq returns line with its top-level "seq" member's value replaced by
// seq. In canonical JSON an integer is its decimal digits and the member
// order does not depend on values, so the result is the leaf the same event
// would have at that seq. ok is false for a line that is not a JSON object
// with a top-level numeric "seq".
func withSeq(line []byte, seq int64) (out []byte, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	depth, expectKey := 0, false
	for {
		tok, err := dec.Token()
		if err == io.EOF || err != nil {
			return nil, false
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				if depth == 0 && t != '{' {
					return nil, false
				}
				depth++
				expectKey = depth == 1
				continue
			}
			depth--
			if depth == 0 {
				return nil, false // no top-level seq
			}
			expectKey = depth == 1
			continue
		case string:
			if depth == 1 && expectKey {
				if t != "seq" {
					expectKey = false
					continue
				}
				start := dec.InputOffset()
				val, err := dec.Token()
				if _, num := val.(json.Number); err != nil || !num {
					return nil, false
				}
				end := dec.InputOffset()
				// No whitespace in canonical JSON: the value starts right
				// after the colon.
				if int(start) >= len(line) || line[start] != ':' {
					return nil, false
				}
				out = append(out, line[:start+1]...)
				out = strconv.AppendInt(out, seq, 10)
				return append(out, line[end:]...), true
			}
		}
		if depth == 1 {
			expectKey = true
		}
	}
}
