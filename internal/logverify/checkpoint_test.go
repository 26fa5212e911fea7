package logverify

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

func TestOpenCheckpoint(t *testing.T) {
	t.Parallel()
	log := buildLog(t, events(10))
	root := log.root(t, 10)
	k := newKeys(t, origin)
	other := newKeys(t, origin) // same name, another key
	foreign := newKeys(t, "evil.example/log")
	good := k.sign(t, body(origin, 10, root))

	cp, err := OpenCheckpoint(good, k.verifier)
	if err != nil {
		t.Fatal(err)
	}
	if cp.Origin != origin || cp.Size != 10 || cp.Root != root || !bytes.Equal(cp.Note, good) {
		t.Errorf("checkpoint = %+v, want %s size 10 root %s and the note as read", cp, origin, root)
	}

	tests := []struct {
		name    string
		msg     []byte
		verdict Kind   // "" for an error that is not a verdict
		want    string // in the message
	}{
		{"a body changed after signing", bytes.Replace(good, []byte("\n10\n"), []byte("\n11\n"), 1), BadSignature, "does not verify"},
		{"a checkpoint signed by another key of the same name", other.sign(t, body(origin, 10, root)), BadSignature, "no signature by the key " + origin},
		{"a checkpoint of another log, signed by its key", foreign.sign(t, body("evil.example/log", 10, root)), BadSignature, "signed by evil.example/log+"},
		{"a signature by the key over another origin", k.sign(t, body("other.example/audit", 10, root)), WrongOrigin, `for the log "other.example/audit"`},
		{"an extension line", k.sign(t, body(origin, 10, root)+"extra\n"), "", "has 4 lines"},
		{"a tree size with a leading zero", k.sign(t, origin+"\n010\n"+strings.Split(body(origin, 10, root), "\n")[2]+"\n"), "", `tree size "010"`},
		{"a negative tree size", k.sign(t, origin+"\n-1\n"+strings.Split(body(origin, 10, root), "\n")[2]+"\n"), "", `tree size "-1"`},
		{"a short root", k.sign(t, origin+"\n10\nAAAA\n"), "", "root hash"},
		{"a root in URL base64", k.sign(t, strings.NewReplacer("+", "-", "/", "_").Replace(body(origin, 10, tlog.Hash{0: 0xfb, 1: 0xff}))), "", "root hash"},
		{"CR LF line endings", bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n")), "", "CR LF"},
		{"a file that is not a note", []byte("hello\n"), "", "not a signed checkpoint"},
		{"a note with its signature cut off", good[:bytes.Index(good, []byte("\n\n"))+2], "", "not a signed checkpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := OpenCheckpoint(tt.msg, k.verifier)
			var v *Tampered
			isVerdict := errors.As(err, &v)
			switch {
			case err == nil:
				t.Fatalf("accepted:\n%s", tt.msg)
			case tt.verdict != "" && (!isVerdict || v.Kind != tt.verdict):
				t.Errorf("err = %v, want a verdict of %s", err, tt.verdict)
			case tt.verdict == "" && isVerdict:
				t.Errorf("err = %v, want an error, not a verdict", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to say %q", err, tt.want)
			}
		})
	}
}

func TestParseVerifierKey(t *testing.T) {
	t.Parallel()
	k := newKeys(t, origin)
	if v, err := ParseVerifierKey(" " + k.vkey + "\n"); err != nil || v.Name() != origin {
		t.Errorf("ParseVerifierKey(the key with spaces) = %v, %v", v, err)
	}
	for _, bad := range []string{"", "aeso.local/audit", k.vkey[:len(k.vkey)-4]} {
		if _, err := ParseVerifierKey(bad); err == nil {
			t.Errorf("ParseVerifierKey(%q) accepted", bad)
		}
	}
}

func TestCheckConsistency(t *testing.T) {
	t.Parallel()
	leaves := events(300)
	log := buildLog(t, leaves)
	k := newKeys(t, origin)
	// A history rewritten at seq 50: same size, another tree.
	forged := append([][]byte(nil), leaves...)
	forged[49] = event(50, "audit.forged")
	flog := buildLog(t, forged)

	proof := func(l *memLog, from, to int64) tlog.TreeProof {
		p, err := tlog.ProveTree(to, from, l)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	cp := func(l *memLog, n int64) Checkpoint { return k.checkpoint(t, l, n) }
	tests := []struct {
		name         string
		older, newer Checkpoint
		proof        tlog.TreeProof
		verdict      Kind // "" when consistent
	}{
		{"a grown tree", cp(log, 100), cp(log, 300), proof(log, 100, 300), ""},
		{"one event more", cp(log, 256), cp(log, 257), proof(log, 256, 257), ""},
		{"the same tree", cp(log, 300), cp(log, 300), nil, ""},
		{"from the empty tree", cp(log, 0), cp(log, 300), nil, ""},
		{"a rewritten history with its own proof", cp(log, 100), cp(flog, 300), proof(flog, 100, 300), Inconsistent},
		{"a rewritten history with the honest proof", cp(log, 100), cp(flog, 300), proof(log, 100, 300), Inconsistent},
		{"no proof", cp(log, 100), cp(log, 300), nil, Inconsistent},
		{"a smaller tree", cp(log, 300), cp(log, 299), nil, RolledBack},
		{"the same size, another root", cp(log, 300), cp(flog, 300), nil, Inconsistent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckConsistency(tt.older, tt.newer, tt.proof)
			var v *Tampered
			switch {
			case tt.verdict == "" && err != nil:
				t.Errorf("err = %v, want consistent", err)
			case tt.verdict != "" && (!errors.As(err, &v) || v.Kind != tt.verdict):
				t.Errorf("err = %v, want a verdict of %s", err, tt.verdict)
			}
		})
	}
	t.Run("two logs", func(t *testing.T) {
		o := newKeys(t, "other.example/audit")
		other, err := OpenCheckpoint(o.sign(t, body("other.example/audit", 300, log.root(t, 300))), o.verifier)
		if err != nil {
			t.Fatal(err)
		}
		err = CheckConsistency(cp(log, 100), other, proof(log, 100, 300))
		var v *Tampered
		if err == nil || errors.As(err, &v) {
			t.Errorf("err = %v, want an error naming two logs", err)
		}
	})
}

func TestUnverifiedSizeReadsOnlyAWellFormedCheckpoint(t *testing.T) {
	t.Parallel()
	k := newKeys(t, origin)
	var root tlog.Hash
	if n, err := UnverifiedSize(k.sign(t, body(origin, 1234, root))); err != nil || n != 1234 {
		t.Errorf("size %d, %v; want 1234", n, err)
	}
	for name, msg := range map[string][]byte{
		"no signature block": []byte(body(origin, 12, root)),
		"an extension line":  k.sign(t, body(origin, 12, root)+"extension\n"),
		"a size with a plus": k.sign(t, origin+"\n+12\n"+root.String()+"\n"),
	} {
		if n, err := UnverifiedSize(msg); err == nil {
			t.Errorf("%s: size %d accepted", name, n)
		}
	}
}
