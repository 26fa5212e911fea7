package evidence

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/aeso-dev/aeso"
	"github.com/go-json-experiment/json/jsontext"
)

// ExportFormat names the export document's shape.
const ExportFormat = "aeso-evidence-export/v1"

// Export is a sealed bundle as one self-contained document: the exact
// content its digest covers, the digest, and what happened to it after
// sealing (not covered: promotions and supersession are records of their
// own). Its JSON is a file format of its own, versioned by Format and read
// back by Verify without a server; the API and the console serve it as it
// is.
type Export struct {
	Format string `json:"format"`
	Digest string `json:"digest"`
	// DigestVersion is the encoding the digest covers, the document's own
	// "version"; repeated here so a reader sees it without opening the
	// document. Exports made before DigestV2 do not have it.
	DigestVersion string          `json:"digest_version"`
	Document      json.RawMessage `json:"document"`
	SealedAt      string          `json:"sealed_at"`
	SealedBy      string          `json:"sealed_by"`
	Promotions    []any           `json:"promotions"`
	SupersededBy  string          `json:"superseded_by,omitempty"`
	ExportedAt    string          `json:"exported_at"`
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
		Format: ExportFormat, Digest: b.Digest, DigestVersion: DocumentVersion(b.Document), Document: json.RawMessage(b.Document),
		SealedAt: canonicalTime(*b.SealedAt), SealedBy: b.SealedBy, Promotions: promotions,
		SupersededBy: b.SupersededBy, ExportedAt: canonicalTime(s.Now()),
	}, nil
}

// VerifyResult says what an offline check found.
type VerifyResult struct {
	BundleID      string
	Items         int
	DigestVersion string // the encoding the document names
	Digest        string // as recorded in the export
	Computed      string // recomputed from the document
}

// ErrDigestMismatch means the document is not what was sealed.
var ErrDigestMismatch = errors.New("digest mismatch: the document is not what was sealed")

// Verify recomputes the digest of an exported bundle. It needs no server
// and no database: the export carries the canonical document itself. It
// proves the file is self-consistent; to prove it is the bundle that was
// sealed, compare the digest with one recorded elsewhere (the audit trail's
// aeso.evidence.seal event, or a pipeline log): `aeso evidence verify
// --digest`. The document's "version" chooses the encoding, so an export of
// a bundle sealed in an older encoding keeps verifying.
func Verify(data []byte) (*VerifyResult, error) {
	var exp struct {
		Format        string          `json:"format"`
		Digest        string          `json:"digest"`
		DigestVersion *string         `json:"digest_version"`
		Document      json.RawMessage `json:"document"`
		Promotions    []struct {
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
	version, _ := doc["version"].(string)
	if !slices.Contains(DigestVersions, version) {
		return nil, fmt.Errorf("document version %v is none of %v: made by a newer aeso, or not by aeso", doc["version"], DigestVersions)
	}
	// The version beside the document is a convenience for readers; one
	// that disagrees with the hashed one is not what aeso wrote.
	if exp.DigestVersion != nil && *exp.DigestVersion != version {
		return nil, fmt.Errorf("the export says digest_version %q but its document is %s", *exp.DigestVersion, version)
	}
	res := &VerifyResult{DigestVersion: version, Digest: exp.Digest}
	if b, ok := doc["bundle"].(map[string]any); ok {
		res.BundleID, _ = b["id"].(string)
	}
	if items, ok := doc["items"].([]any); ok {
		res.Items = len(items)
	}
	canonical, err := Encode(version, doc)
	if err == nil {
		if amb := ambiguous(data); amb != nil {
			// encoding/json read the last of two names (or replaced bad
			// bytes), but another reader may take the first: the file says
			// two things, and aeso never writes such a file.
			res.Computed = digestOf(canonical)
			return res, fmt.Errorf("%w: the file reads two ways (%v), which aeso never writes: it was edited", ErrDigestMismatch, amb)
		}
	}
	var inexact *InexactNumberError
	if errors.As(err, &inexact) {
		// aeso never seals such a number in this encoding: it was edited.
		return res, fmt.Errorf("%w: %v", ErrDigestMismatch, err)
	}
	if err != nil {
		return nil, err
	}
	res.Computed = digestOf(canonical)
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

// ambiguous returns why data reads two ways under RFC 7493's rules (a
// member name given twice in an object, or bytes that are not UTF-8), or
// nil.
func ambiguous(data []byte) error {
	if jsontext.Value(data).IsValid() {
		return nil
	}
	d := jsontext.NewDecoder(bytes.NewReader(data))
	if _, err := d.ReadValue(); err != nil {
		return err
	}
	return nil
}
