package evidence

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/logverify"
	"github.com/gowebpki/jcs"
	"golang.org/x/mod/sumdb/tlog"
)

// A bundle's seal is an event of the audit log, so a signed checkpoint of
// the log also proves that a bundle was sealed with a digest: its seal event
// is a leaf of the checkpoint's tree and names that digest. What follows
// checks that proof; fetching its parts, and opening the checkpoint
// (logverify.OpenCheckpoint, the one reader of checkpoints), is the
// caller's business.

// ErrSealNotInLog means the log does not prove the bundle's seal.
var ErrSealNotInLog = errors.New("the seal is not proven by the log")

// sealLeaf is what a seal event's leaf must say.
type sealLeaf struct {
	Seq        int64  `json:"seq"`
	Action     string `json:"action"`
	TargetType string `json:"target_type"`
	TargetID   string `json:"target_id"`
	Result     string `json:"result"`
	Metadata   struct {
		Digest        string `json:"digest"`
		DigestVersion string `json:"digest_version"`
	} `json:"metadata"`
}

// CheckSealInLog checks that leaf, the bytes of the event with seq, is
// the seal of the verified export res with its digest, and that proof puts
// it in the tree of cp. Bundles sealed before the digest version was
// recorded have no digest_version in their event; the digest decides.
func CheckSealInLog(res *VerifyResult, cp logverify.Checkpoint, seq int64, leaf []byte, proof []tlog.Hash) error {
	if seq < 1 || seq > cp.Size {
		return fmt.Errorf("the seal (seq %d) is not in the checkpoint's tree of %d events: use a newer checkpoint", seq, cp.Size)
	}
	canonical, err := jcs.Transform(leaf)
	if err != nil || !bytes.Equal(canonical, leaf) {
		return fmt.Errorf("%w: the log's leaf %d is not canonical JSON", ErrSealNotInLog, seq)
	}
	var l sealLeaf
	if err := json.Unmarshal(leaf, &l); err != nil {
		return fmt.Errorf("%w: the log's leaf %d cannot be read: %v", ErrSealNotInLog, seq, err)
	}
	switch {
	case l.Seq != seq:
		return fmt.Errorf("%w: the leaf given for seq %d is seq %d", ErrSealNotInLog, seq, l.Seq)
	case l.Action != audit.ActionEvidenceSeal || l.TargetType != "evidence_bundle" || l.TargetID != res.BundleID || l.Result != audit.ResultSuccess:
		return fmt.Errorf("%w: event %d is %s of %s %s, not the seal of bundle %s", ErrSealNotInLog, seq, l.Action, l.TargetType, l.TargetID, res.BundleID)
	case l.Metadata.Digest != res.Computed:
		return fmt.Errorf("%w: the log sealed bundle %s as %s, the export is %s", ErrSealNotInLog, res.BundleID, l.Metadata.Digest, res.Computed)
	case l.Metadata.DigestVersion != "" && l.Metadata.DigestVersion != res.DigestVersion:
		return fmt.Errorf("%w: the log sealed bundle %s in %s, the export is %s", ErrSealNotInLog, res.BundleID, l.Metadata.DigestVersion, res.DigestVersion)
	}
	if err := tlog.CheckRecord(proof, cp.Size, cp.Root, seq-1, tlog.RecordHash(leaf)); err != nil {
		return fmt.Errorf("%w: the inclusion proof of event %d does not lead to the checkpoint's root: %v", ErrSealNotInLog, seq, err)
	}
	return nil
}
