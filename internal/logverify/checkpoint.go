// Package logverify checks aeso's verifiable audit log from the outside: a
// signed checkpoint, an export of the events, the log's own tree hashes and
// consistency proofs. It needs nothing but the published formats (see
// docs/audit-log.md), so what it accepts a third party can check too. It
// reads no database and speaks no HTTP: callers hand it bytes, readers and a
// tlog.HashReader.
package logverify

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Checkpoint is a C2SP tlog-checkpoint whose signature has been checked:
// the log named Origin held Size events and its RFC 6962 root was Root.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
	// Note is the signed note exactly as read, so a witness can keep it.
	Note []byte
}

// Tree is the checkpoint as the tlog package names a tree.
func (c Checkpoint) Tree() tlog.Tree { return tlog.Tree{N: c.Size, Hash: c.Root} }

// String names the checkpoint the way the command line reports it.
func (c Checkpoint) String() string {
	return fmt.Sprintf("%s size %d root %s", c.Origin, c.Size, c.Root)
}

// ParseVerifierKey reads a note verifier key ("<origin>+<hash>+<base64>"),
// as served at /v1/audit/key and printed by `aeso audit key`.
func ParseVerifierKey(key string) (note.Verifier, error) {
	v, err := note.NewVerifier(strings.TrimSpace(key))
	if err != nil {
		return nil, fmt.Errorf("not a verifier key (want <origin>+<hash>+<key>, as `aeso audit key` prints): %w", err)
	}
	return v, nil
}

// OpenCheckpoint checks msg's signature with v and parses its body. A note
// that is not signed by v, or whose signature does not verify, or that
// speaks for another origin than v's name, is a *Tampered verdict: it is
// not an authentic checkpoint of this log. A file that is not a signed note
// or whose body is not exactly a checkpoint is an ordinary error.
func OpenCheckpoint(msg []byte, v note.Verifier) (Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	var unverified *note.UnverifiedNoteError
	var invalid *note.InvalidSignatureError
	switch {
	case errors.As(err, &invalid):
		return Checkpoint{}, &Tampered{Kind: BadSignature,
			Detail: fmt.Sprintf("the signature by %s does not verify: the checkpoint was altered after it was signed", v.Name())}
	case errors.As(err, &unverified):
		return Checkpoint{}, &Tampered{Kind: BadSignature,
			Detail: fmt.Sprintf("the checkpoint carries no signature by the key %s+%08x (%s)", v.Name(), v.KeyHash(), signerNames(unverified.Note))}
	case err != nil:
		hint := ""
		if bytes.Contains(msg, []byte("\r")) {
			hint = " (it has CR LF line endings: use the file as the server sent it)"
		}
		return Checkpoint{}, fmt.Errorf("not a signed checkpoint%s: %w", hint, err)
	}
	cp, err := parseCheckpointBody(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if cp.Origin != v.Name() {
		return Checkpoint{}, &Tampered{Kind: WrongOrigin,
			Detail: fmt.Sprintf("the checkpoint is for the log %q, but the key is %q's", cp.Origin, v.Name())}
	}
	cp.Note = append([]byte(nil), msg...)
	return cp, nil
}

// UnverifiedSize reads the tree size of a signed checkpoint without
// checking its signature. It is for what trusts nothing to it, such as the
// total of a progress bar; anything that judges the log must use
// OpenCheckpoint.
func UnverifiedSize(msg []byte) (int64, error) {
	text, _, ok := strings.Cut(string(msg), "\n\n")
	if !ok {
		return 0, errors.New("not a signed checkpoint: no blank line before the signatures")
	}
	cp, err := parseCheckpointBody(text + "\n")
	if err != nil {
		return 0, err
	}
	return cp.Size, nil
}

// signerNames says who did sign an unverified note, to tell a wrong key
// from a forged checkpoint.
func signerNames(n *note.Note) string {
	if n == nil || len(n.UnverifiedSigs) == 0 {
		return "it has no signature at all"
	}
	var names []string
	for _, s := range n.UnverifiedSigs {
		names = append(names, fmt.Sprintf("%s+%08x", s.Name, s.Hash))
	}
	return "signed by " + strings.Join(names, ", ")
}

// parseCheckpointBody reads "<origin>\n<size>\n<base64 root>\n" and refuses
// anything else: aeso signs no extension lines, so one found is not ours.
func parseCheckpointBody(text string) (Checkpoint, error) {
	lines := strings.Split(text, "\n")
	if len(lines) != 4 || lines[3] != "" {
		return Checkpoint{}, fmt.Errorf("checkpoint body has %d lines, want exactly 3 (origin, tree size, root hash)", len(lines)-1)
	}
	origin, sizeText, rootText := lines[0], lines[1], lines[2]
	if origin == "" {
		return Checkpoint{}, errors.New("checkpoint has an empty origin line")
	}
	size, err := strconv.ParseInt(sizeText, 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != sizeText {
		return Checkpoint{}, fmt.Errorf("checkpoint tree size %q is not a decimal count", sizeText)
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(rootText)
	if err != nil || len(raw) != tlog.HashSize {
		return Checkpoint{}, fmt.Errorf("checkpoint root hash %q is not %d bytes of base64", rootText, tlog.HashSize)
	}
	cp := Checkpoint{Origin: origin, Size: size}
	copy(cp.Root[:], raw)
	return cp, nil
}
