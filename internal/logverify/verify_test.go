package logverify

import (
	"bytes"
	"errors"
	"math/bits"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// TestVerifyExportNamesTheFirstDifference tampers with an export of 600
// events (over two hash tiles) the ways an attacker with the database can,
// and checks the verdict names the seq and the kind, with the log's hashes
// and offline.
func TestVerifyExportNamesTheFirstDifference(t *testing.T) {
	t.Parallel()
	const n = 600
	orig := events(n)
	log := buildLog(t, orig)
	k := newKeys(t, origin)
	cp := k.checkpoint(t, log, n)

	renumber := func(es [][]byte) [][]byte {
		for i := range es {
			if moved, ok := withSeq(es[i], int64(i+1)); ok {
				es[i] = moved
			}
		}
		return es
	}
	tests := []struct {
		name   string
		tamper func(es [][]byte) [][]byte
		kind   Kind // with the log's hashes
		seq    int64
		other  int64
		// offline is the kind without them: the root differs, or the
		// export is short.
		offline Kind
	}{
		{"an event whose action was altered", func(es [][]byte) [][]byte {
			es[299] = event(300, "credentials.api_key.delete")
			return es
		}, Altered, 300, 0, RootMismatch},
		{"an event that claims another seq", func(es [][]byte) [][]byte {
			es[9], _ = withSeq(es[9], 12)
			return es
		}, Altered, 10, 0, RootMismatch},
		{"an event deleted, leaving a gap", func(es [][]byte) [][]byte {
			return slices.Delete(es, 4, 5)
		}, Missing, 5, 5, Missing},
		{"an event deleted and the rest renumbered", func(es [][]byte) [][]byte {
			return renumber(slices.Delete(es, 254, 255))
		}, Missing, 255, 255, Missing},
		{"three events deleted", func(es [][]byte) [][]byte {
			return slices.Delete(es, 99, 102)
		}, Missing, 100, 102, Missing},
		{"the last event deleted", func(es [][]byte) [][]byte {
			return es[:n-1]
		}, Missing, n, n, Missing},
		{"an event inserted and the rest renumbered", func(es [][]byte) [][]byte {
			return renumber(slices.Insert(es, 41, event(42, "audit.forged")))
		}, Extra, 42, 0, RootMismatch},
		{"an event inserted with a seq already taken", func(es [][]byte) [][]byte {
			return slices.Insert(es, 41, event(42, "audit.forged"))
		}, Extra, 42, 0, RootMismatch},
		{"two events swapped by exchanging their seq", func(es [][]byte) [][]byte {
			es[6], es[19] = es[19], es[6]
			return renumber(es)
		}, Reordered, 7, 20, RootMismatch},
		{"two neighbours swapped in the file", func(es [][]byte) [][]byte {
			es[511], es[512] = es[512], es[511]
			return es
		}, Reordered, 512, 513, RootMismatch},
		{"the first event altered", func(es [][]byte) [][]byte {
			es[0] = bytes.Replace(es[0], []byte("rotate"), []byte("rotatE"), 1)
			return es
		}, Altered, 1, 0, RootMismatch},
		{"the last event altered", func(es [][]byte) [][]byte {
			es[n-1] = append(slices.Clone(es[n-1][:len(es[n-1])-1]), ` }`...)
			return es
		}, Altered, n, 0, RootMismatch},
		{"a line that is not JSON", func(es [][]byte) [][]byte {
			es[30] = []byte("not json")
			return es
		}, Altered, 31, 0, RootMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			es := tt.tamper(slices.Clone(orig))
			file := export(es)

			_, err := VerifyExport(bytes.NewReader(file), []Checkpoint{cp}, log)
			var v *Tampered
			if !errors.As(err, &v) {
				t.Fatalf("with the log: err = %v, want a verdict of %s at seq %d", err, tt.kind, tt.seq)
			}
			if v.Kind != tt.kind || v.Seq != tt.seq || (tt.other != 0 && v.OtherSeq != tt.other) {
				t.Errorf("with the log: %s (seq %d, other %d), want %s at seq %d (other %d)", v, v.Seq, v.OtherSeq, tt.kind, tt.seq, tt.other)
			}

			_, err = VerifyExport(bytes.NewReader(file), []Checkpoint{cp}, nil)
			if !errors.As(err, &v) || v.Kind != tt.offline {
				t.Fatalf("offline: err = %v, want a verdict of %s", err, tt.offline)
			}
			if v.Seq != 0 {
				t.Errorf("offline: %v names seq %d, which it cannot know without the log", v, v.Seq)
			}
		})
	}
}

func TestVerifyExportAcceptsTheLog(t *testing.T) {
	t.Parallel()
	orig := events(1000)
	log := buildLog(t, orig)
	k := newKeys(t, origin)
	older, newer := k.checkpoint(t, log, 257), k.checkpoint(t, log, 700)

	for _, withLog := range []bool{false, true} {
		var hr tlog.HashReader
		if withLog {
			hr = log
		}
		res, err := VerifyExport(bytes.NewReader(export(orig)), []Checkpoint{newer, older}, hr)
		if err != nil {
			t.Fatalf("log %v: %v", withLog, err)
		}
		if res.Events != 1000 || res.Beyond != 300 || len(res.Checked) != 2 || res.Checked[0].Size != 257 {
			t.Errorf("log %v: result %+v, want 1000 events, 300 beyond, checked 257 then 700", withLog, res)
		}
		if want := map[bool]int64{false: 0, true: 700}[withLog]; res.Compared != want {
			t.Errorf("log %v: compared %d leaves, want %d", withLog, res.Compared, want)
		}
	}

	t.Run("an empty log and an empty export", func(t *testing.T) {
		empty := &memLog{}
		if _, err := VerifyExport(bytes.NewReader(nil), []Checkpoint{k.checkpoint(t, empty, 0)}, empty); err != nil {
			t.Fatal(err)
		}
	})
}

// TestVerifyExportRefusesRewrittenFiles: line endings a tool changed are an
// error that says so, not a verdict of 600 altered events.
func TestVerifyExportRefusesRewrittenFiles(t *testing.T) {
	t.Parallel()
	orig := events(20)
	log := buildLog(t, orig)
	cp := newKeys(t, origin).checkpoint(t, log, 20)
	file := export(orig)
	tests := []struct {
		name, file, want string
	}{
		{"CR LF line endings", strings.ReplaceAll(string(file), "\n", "\r\n"), "line 1 (seq 1) ends with CR LF"},
		{"a last line without its newline", string(file[:len(file)-1]), "line 20 (seq 20) has no newline"},
		{"a file cut in a line", string(file[:len(file)-30]), "line 20 (seq 20) has no newline"},
		{"a line longer than any leaf", string(file) + strings.Repeat("x", MaxLeafBytes+1) + "\n", "line 21 (seq 21) is longer than 65535 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := VerifyExport(strings.NewReader(tt.file), []Checkpoint{cp}, log)
			var v *Tampered
			if err == nil || errors.As(err, &v) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want an error (not a verdict) saying %q", err, tt.want)
			}
		})
	}
	// Past the checkpoint a line is not hashed against anything, but it
	// must still be the next event: not a line of another kind, not an
	// event copied from earlier.
	for _, tt := range []struct{ name, line, want string }{
		{"a line that is no event", "this is not an audit event", "line 21, past the checkpoint, is not an audit event"},
		{"a copy of the first event", strings.SplitN(string(file), "\n", 2)[0], "line 21, past the checkpoint, holds seq 1 where seq 21 follows"},
	} {
		t.Run(tt.name+" past the checkpoint", func(t *testing.T) {
			for _, log := range []tlog.HashReader{log, nil} {
				_, err := VerifyExport(strings.NewReader(string(file)+tt.line+"\n"), []Checkpoint{cp}, log)
				var v *Tampered
				if err == nil || errors.As(err, &v) || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("err = %v, want an error (not a verdict) saying %q", err, tt.want)
				}
			}
		})
	}
	t.Run("a line of the largest leaf is read", func(t *testing.T) {
		frame := `{"pad":"","seq":21}`
		leaf := strings.Replace(frame, `""`, `"`+strings.Repeat("x", MaxLeafBytes-len(frame))+`"`, 1)
		big := append(export(orig), append([]byte(leaf), '\n')...)
		res, err := VerifyExport(bytes.NewReader(big), []Checkpoint{cp}, log)
		if err != nil || res.Beyond != 1 {
			t.Errorf("result %+v, err %v; want verified with 1 line beyond", res, err)
		}
	})
}

// TestCompactTreeStaysSmall: the root of n leaves needs one hash per set
// bit of n, and the tree keeps no more, so a million events cost a few
// dozen hashes.
func TestCompactTreeStaysSmall(t *testing.T) {
	t.Parallel()
	c := newCompactTree()
	log := &memLog{}
	for i := range 5000 {
		leaf := event(int64(i+1), "a")
		if err := c.add(tlog.RecordHash(leaf)); err != nil {
			t.Fatal(err)
		}
		hs, err := tlog.StoredHashes(int64(i), leaf, log)
		if err != nil {
			t.Fatal(err)
		}
		log.hashes = append(log.hashes, hs...)
		if got, want := len(c.hashes), bits.OnesCount64(uint64(c.n)); got != want {
			t.Fatalf("after %d leaves the tree holds %d hashes, want %d", c.n, got, want)
		}
		if i%97 == 0 {
			if root, err := c.root(); err != nil || root != log.root(t, c.n) {
				t.Fatalf("root of %d leaves = %v (%v), want %v", c.n, root, err, log.root(t, c.n))
			}
		}
	}
}

func TestWithSeqChangesOnlyTheTopLevelSeq(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		seq  int64
		want string
		ok   bool
	}{
		{`{"a":{"seq":1},"b":[{"seq":2}],"seq":3,"z":"seq"}`, 12, `{"a":{"seq":1},"b":[{"seq":2}],"seq":12,"z":"seq"}`, true},
		{`{"seq":1}`, 100, `{"seq":100}`, true},
		{`{"a":"seq","b":1}`, 2, "", false},
		{`{"seq":"3"}`, 2, "", false},
		{`[{"seq":3}]`, 2, "", false},
		{`not json`, 2, "", false},
	}
	for _, tt := range tests {
		got, ok := withSeq([]byte(tt.in), tt.seq)
		if ok != tt.ok || string(got) != tt.want {
			t.Errorf("withSeq(%s, %d) = %s, %v; want %s, %v", tt.in, tt.seq, got, ok, tt.want, tt.ok)
		}
	}
}
