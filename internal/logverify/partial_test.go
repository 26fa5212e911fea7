package logverify

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestVerifyPartialExportChecksEachLineAtItsSeq: an export of the events
// after seq 200 of a log of 600, intact and tampered within its range,
// against the log's hashes.
func TestVerifyPartialExportChecksEachLineAtItsSeq(t *testing.T) {
	t.Parallel()
	const n, since = 600, 200
	orig := events(n)
	log := buildLog(t, orig)
	k := newKeys(t, origin)
	cp := k.checkpoint(t, log, 520)
	part := orig[since:]

	res, err := VerifyPartialExport(bytes.NewReader(export(part)), since, []Checkpoint{cp}, log)
	if err != nil {
		t.Fatal(err)
	}
	if res.Events != 400 || res.Compared != 320 || res.Beyond != 80 {
		t.Errorf("result %+v, want 400 events, 320 compared, 80 beyond the checkpoint", res)
	}
	// Past the checkpoint each line must still be the next event.
	swapped := append([][]byte(nil), part...)
	swapped[390], swapped[391] = swapped[391], swapped[390]
	_, err = VerifyPartialExport(bytes.NewReader(export(swapped)), since, []Checkpoint{cp}, log)
	if err == nil || !strings.Contains(err.Error(), "line 391, past the checkpoint, holds seq 592 where seq 591 follows") {
		t.Errorf("two events swapped past the checkpoint: %v", err)
	}

	tests := []struct {
		name   string
		tamper func(es [][]byte) [][]byte
		kind   Kind
		seq    int64
	}{
		{"the first line of the range altered", func(es [][]byte) [][]byte {
			es[0] = event(since+1, "audit.forged")
			return es
		}, Altered, since + 1},
		{"an event inside the range altered", func(es [][]byte) [][]byte {
			es[99] = event(since+100, "audit.forged")
			return es
		}, Altered, since + 100},
		{"the first event of the range deleted", func(es [][]byte) [][]byte {
			return es[1:]
		}, Missing, since + 1},
		{"a line deleted inside the range", func(es [][]byte) [][]byte {
			return slices.Delete(es, 50, 52)
		}, Missing, since + 51},
		{"the export cut before the checkpoint's end", func(es [][]byte) [][]byte {
			return es[:300]
		}, Missing, since + 301},
		{"a line inserted", func(es [][]byte) [][]byte {
			return slices.Insert(es, 10, event(since+11, "audit.forged"))
		}, Extra, since + 11},
		{"two lines swapped", func(es [][]byte) [][]byte {
			es[3], es[4] = es[4], es[3]
			return es
		}, Reordered, since + 4},
		{"an export from an earlier seq than claimed", func(es [][]byte) [][]byte {
			return orig[since-5:]
		}, Extra, since + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			file := export(tt.tamper(slices.Clone(part)))
			_, err := VerifyPartialExport(bytes.NewReader(file), since, []Checkpoint{cp}, log)
			var v *Tampered
			if !errors.As(err, &v) || v.Kind != tt.kind || v.Seq != tt.seq {
				t.Errorf("err = %v, want a verdict of %s at seq %d", err, tt.kind, tt.seq)
			}
		})
	}
}

func TestVerifyPartialExportRefusesWhatItCannotCheck(t *testing.T) {
	t.Parallel()
	orig := events(300)
	log := buildLog(t, orig)
	k := newKeys(t, origin)
	file := export(orig[100:])
	tests := []struct {
		name string
		cps  []Checkpoint
		log  *memLog
		want string
	}{
		{"without the log's tree", []Checkpoint{k.checkpoint(t, log, 300)}, nil, "only be checked against the log's tree"},
		{"a checkpoint older than the export", []Checkpoint{k.checkpoint(t, log, 100)}, log, "vouches for none of the export's events"},
		{"no checkpoint", nil, log, "no checkpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hr = tt.log
			var err error
			if hr == nil {
				_, err = VerifyPartialExport(bytes.NewReader(file), 100, tt.cps, nil)
			} else {
				_, err = VerifyPartialExport(bytes.NewReader(file), 100, tt.cps, hr)
			}
			var v *Tampered
			if err == nil || errors.As(err, &v) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want an error (not a verdict) saying %q", err, tt.want)
			}
		})
	}
	t.Run("a line cut short names its seq", func(t *testing.T) {
		_, err := VerifyPartialExport(bytes.NewReader(file[:len(file)-1]), 100, []Checkpoint{k.checkpoint(t, log, 300)}, log)
		if err == nil || !strings.Contains(err.Error(), "line 200 (seq 300) has no newline") {
			t.Errorf("err = %v, want it to name line 200, seq 300", err)
		}
	})
}

func TestLeafSeqReadsTheTopLevelSeq(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{
		string(event(42, "a")):           42,
		`{"metadata":{"seq":3}}`:         0,
		`{"seq":"7"}`:                    0,
		`not json`:                       0,
		`{"seq":12,"z":{"seq":99}}`:      12,
		`{"a":[{"seq":1}],"seq":100000}`: 100000,
	} {
		got, ok := LeafSeq([]byte(in))
		if got != want || ok != (want != 0) {
			t.Errorf("LeafSeq(%s) = %d, %v; want %d", in, got, ok, want)
		}
	}
}
