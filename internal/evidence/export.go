package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aeso-dev/aeso"
)

// ExportFormat names the export document's shape.
const ExportFormat = "aeso-evidence-export/v1"

// Export is a sealed bundle as one self-contained document: the exact
// content its digest covers, the digest, and what happened to it after
// sealing (not covered: promotions and supersession are records of their
// own).
type Export struct {
	Format       string          `json:"format"`
	Digest       string          `json:"digest"`
	Document     json.RawMessage `json:"document"`
	SealedAt     string          `json:"sealed_at"`
	SealedBy     string          `json:"sealed_by"`
	Promotions   []any           `json:"promotions"`
	SupersededBy string          `json:"superseded_by,omitempty"`
	ExportedAt   string          `json:"exported_at"`
}

// Export returns a sealed bundle as an Export.
func (s *Service) Export(ctx context.Context, id string) (*Export, error) {
	v, err := s.Get(ctx, id, 0)
	if err != nil {
		return nil, err
	}
	b := v.Bundle
	if b.State != StateSealed {
		return nil, aeso.Reasonf(aeso.ECONFLICT, "bundle_not_sealed", "bundle %s is open; only a sealed bundle can be exported", b.ID)
	}
	promotions := make([]any, len(v.Promotions))
	for i, p := range v.Promotions {
		promotions[i] = map[string]any{"stage": p.Stage, "reason": p.Reason, "digest": p.Digest,
			"promoted_at": canonicalTime(p.PromotedAt), "promoted_by": p.PromotedBy}
	}
	return &Export{
		Format: ExportFormat, Digest: b.Digest, Document: json.RawMessage(b.Document),
		SealedAt: canonicalTime(*b.SealedAt), SealedBy: b.SealedBy, Promotions: promotions,
		SupersededBy: b.SupersededBy, ExportedAt: canonicalTime(s.Now()),
	}, nil
}

// VerifyResult says what an offline check found.
type VerifyResult struct {
	BundleID string
	Items    int
	Digest   string // as recorded in the export
	Computed string // recomputed from the document
}

// ErrDigestMismatch means the document is not what was sealed.
var ErrDigestMismatch = errors.New("digest mismatch: the document is not what was sealed")

// Verify recomputes the digest of an exported bundle. It needs no server
// and no database: the export carries the canonical document itself. It
// proves the file is self-consistent; to prove it is the bundle that was
// sealed, compare the digest with one recorded elsewhere (the audit trail's
// aeso.evidence.seal event, or a pipeline log): `aeso evidence verify
// --digest`.
func Verify(data []byte) (*VerifyResult, error) {
	var exp struct {
		Format     string          `json:"format"`
		Digest     string          `json:"digest"`
		Document   json.RawMessage `json:"document"`
		Promotions []struct {
			Stage  string `json:"stage"`
			Digest string `json:"digest"`
		} `json:"promotions"`
	}
	if err := json.Unmarshal(data, &exp); err != nil {
		return nil, fmt.Errorf("not an evidence export: %w", err)
	}
	if exp.Format != ExportFormat {
		return nil, fmt.Errorf("not an evidence export: format is %q, want %q", exp.Format, ExportFormat)
	}
	dec := json.NewDecoder(bytes.NewReader(exp.Document))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil || doc == nil {
		return nil, errors.New("the export has no document")
	}
	if doc["version"] != DigestVersion {
		return nil, fmt.Errorf("document version %v is not %s", doc["version"], DigestVersion)
	}
	canonical, err := Canonical(doc)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(canonical)
	res := &VerifyResult{Digest: exp.Digest, Computed: "sha256:" + hex.EncodeToString(sum[:])}
	if b, ok := doc["bundle"].(map[string]any); ok {
		res.BundleID, _ = b["id"].(string)
	}
	if items, ok := doc["items"].([]any); ok {
		res.Items = len(items)
	}
	if res.Computed != res.Digest {
		return res, ErrDigestMismatch
	}
	// A promotion names the digest it promoted; one naming another digest
	// was not made for this document.
	for _, p := range exp.Promotions {
		if p.Digest != res.Digest {
			return res, fmt.Errorf("%w: the promotion to %q names %s", ErrPromotionMismatch, p.Stage, p.Digest)
		}
	}
	return res, nil
}

// ErrPromotionMismatch means a promotion in the export names another digest.
var ErrPromotionMismatch = errors.New("promotion does not match the sealed digest")
