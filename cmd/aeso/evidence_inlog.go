package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aeso-dev/aeso/client"
	"github.com/aeso-dev/aeso/internal/audit"
	"github.com/aeso-dev/aeso/internal/evidence"
	"github.com/aeso-dev/aeso/internal/logverify"
	"golang.org/x/mod/sumdb/tlog"
)

// sealProof is what `aeso evidence verify --checkpoint` found in the log.
type sealProof struct {
	Seq      int64  `json:"seq"`
	TreeSize int64  `json:"tree_size"`
	Origin   string `json:"origin"`
}

// proveSealInLog checks that the verified export res was sealed in the log
// that cpFile's checkpoint signs: it finds the bundle's seal event on the
// server, reads its leaf and its inclusion proof at the checkpoint's tree
// size, and checks them against the signed root. The server is trusted for
// nothing: every answer is checked against the checkpoint. An error
// that is a *logverify.Tampered (a checkpoint not signed by the key, or for
// another log) or wraps evidence.ErrSealNotInLog means the proof failed
// (exit 1); any other is an error (exit 2).
func proveSealInLog(ctx context.Context, c *client.Client, res *evidence.VerifyResult, cpFile, keyArg string) (*sealProof, error) {
	v, err := loadVerifierKey(keyArg)
	if err != nil {
		return nil, err
	}
	cp, err := openCheckpointFile(cpFile, v)
	if err != nil {
		return nil, err
	}
	page, err := c.ListEvents(ctx, client.ListOptions{Action: audit.ActionEvidenceSeal, TargetID: res.BundleID, Limit: 2})
	if err != nil {
		return nil, fmt.Errorf("find the seal of bundle %s: %w", res.BundleID, err)
	}
	switch len(page.Events) {
	case 0:
		return nil, fmt.Errorf("%w: the log has no seal of bundle %s", evidence.ErrSealNotInLog, res.BundleID)
	case 1:
	default:
		return nil, fmt.Errorf("%w: the log has more than one seal of bundle %s", evidence.ErrSealNotInLog, res.BundleID)
	}
	seq := page.Events[0].Seq
	if seq > cp.Size {
		return nil, fmt.Errorf("bundle %s was sealed at seq %d, after this checkpoint (tree size %d): fetch a newer checkpoint", res.BundleID, seq, cp.Size)
	}
	leaf, err := fetchLeaf(ctx, c, seq)
	if err != nil {
		return nil, err
	}
	p, err := c.InclusionProof(ctx, seq, cp.Size)
	if err != nil {
		return nil, fmt.Errorf("inclusion proof of seq %d: %w", seq, err)
	}
	proof := make([]tlog.Hash, len(p.Hashes))
	for i, h := range p.Hashes {
		b, err := base64.StdEncoding.DecodeString(h)
		if err != nil || len(b) != tlog.HashSize {
			return nil, fmt.Errorf("%w: the inclusion proof of seq %d holds a hash that is not %d bytes of base64", evidence.ErrSealNotInLog, seq, tlog.HashSize)
		}
		copy(proof[i][:], b)
	}
	if err := evidence.CheckSealInLog(res, cp, seq, leaf, proof); err != nil {
		return nil, err
	}
	return &sealProof{Seq: seq, TreeSize: cp.Size, Origin: cp.Origin}, nil
}

// fetchLeaf reads the leaf bytes of event seq: the first line of the log's
// export after seq-1.
// leafTimeout bounds the read of one leaf, as the client bounds its other
// answers.
const leafTimeout = time.Minute

func fetchLeaf(ctx context.Context, c *client.Client, seq int64) ([]byte, error) {
	// One line is all it reads: bounded like any other answer, so a server
	// that sends headers and then nothing cannot hold the proof forever.
	ctx, cancel := context.WithTimeout(ctx, leafTimeout)
	defer cancel() // ends the stream after its first line
	body, err := c.ExportLog(ctx, seq-1)
	if err != nil {
		return nil, fmt.Errorf("read the log's leaf %d: %w", seq, err)
	}
	defer body.Close()
	line, err := bufio.NewReader(io.LimitReader(body, 1<<17)).ReadBytes('\n')
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: the log's export has no complete leaf %d", evidence.ErrSealNotInLog, seq)
		}
		return nil, fmt.Errorf("read the log's leaf %d: %w", seq, err)
	}
	return line[:len(line)-1], nil
}

// proofFailed reports whether err is a failed proof rather than an error.
func proofFailed(err error) bool {
	var t *logverify.Tampered
	return errors.As(err, &t) || errors.Is(err, evidence.ErrSealNotInLog)
}
