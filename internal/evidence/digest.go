package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aeso-dev/aeso/internal/redact"
	"github.com/gowebpki/jcs"
)

// Digest versions name the canonical encoding of a sealed document. The
// version is the document's "version" member, so it is part of what is
// hashed and two encodings can never give one digest for different
// content. Both are documented in docs/evidence-digest.md.
const (
	// DigestV1 sorts keys bytewise and keeps numbers as written: the
	// encoding of bundles sealed before DigestV2. It is kept to verify them.
	DigestV1 = "aeso-evidence-v1"
	// DigestV2 is RFC 8785 (JCS) canonical JSON, the same form as the
	// audit log's leaves, so any language's JCS library recomputes it.
	DigestV2 = "aeso-evidence-v2"
)

// DigestVersion is the encoding new seals use.
const DigestVersion = DigestV2

// DigestVersions are the encodings a sealed document may have, oldest first.
var DigestVersions = []string{DigestV1, DigestV2}

// timeLayout is the one textual form of every time in the encoding.
const timeLayout = "2006-01-02T15:04:05.000000Z"

func canonicalTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func canonicalTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return canonicalTime(*t)
}

// Document is the exact content a seal covers: the bundle's own fields and
// every item, in position order. Store-side projections that change after
// sealing (state, seal time, promotions, superseded_by) are not part of it.
func Document(b *Bundle, items []*Item) map[string]any {
	return documentAs(DigestVersion, b, items)
}

func documentAs(version string, b *Bundle, items []*Item) map[string]any {
	labels := b.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	its := make([]any, len(items))
	for i, it := range items {
		links := it.Links
		if links == nil {
			links = []Link{}
		}
		paths := it.RedactedPaths
		if paths == nil {
			paths = []string{}
		}
		metadata := it.Metadata
		if len(metadata) == 0 {
			metadata = json.RawMessage("{}")
		}
		its[i] = map[string]any{
			"id": it.ID, "position": it.Position, "type": it.Type, "name": it.Name, "result": it.Result,
			"counts": it.Counts, "summary": it.Summary, "links": links, "source": it.Source,
			"observed_at": canonicalTime(it.ObservedAt), "expires_at": canonicalTimePtr(it.ExpiresAt),
			"correlation_id": it.CorrelationID, "metadata": metadata, "redacted_paths": paths,
			"report": it.Report, "created_at": canonicalTime(it.CreatedAt), "created_by": it.CreatedBy,
		}
	}
	return map[string]any{
		"version": version,
		"bundle": map[string]any{
			"id": b.ID, "kind": b.Kind, "subject": b.Subject, "title": b.Title, "labels": labels,
			"correlation_id": b.CorrelationID, "owner": b.Owner,
			"created_at": canonicalTime(b.CreatedAt), "created_by": b.CreatedBy,
			"supersedes": b.Supersedes, "supersede_reason": b.SupersedeReason,
		},
		"items": its,
	}
}

// Canonical encodes v in the encoding of DigestV1: every object's keys
// sorted bytewise, no insignificant whitespace, numbers as written, and
// strings escaped as encoding/json does with HTML escaping off.
func Canonical(v any) ([]byte, error) {
	// One round through a generic tree turns structs into maps, whose keys
	// encoding/json writes sorted.
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(tree); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// CanonicalJCS encodes v as RFC 8785 (JCS) canonical JSON, the encoding of
// DigestV2. A number JCS would change in value (an integer beyond 2^53, a
// decimal with more digits than a double keeps) is refused rather than
// rounded: a seal must cover what was stored. The error names its path.
func CanonicalJCS(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if path, found := redact.InexactNumber(raw); found {
		return nil, &InexactNumberError{Path: path}
	}
	return jcs.Transform(raw)
}

// Encode returns the canonical bytes of v in the encoding version names.
func Encode(version string, v any) ([]byte, error) {
	switch version {
	case DigestV1:
		return Canonical(v)
	case DigestV2:
		return CanonicalJCS(v)
	}
	return nil, fmt.Errorf("unknown digest version %q (known: %s)", version, strings.Join(DigestVersions, ", "))
}

// Digest returns "sha256:<hex>" of the canonical document of b and items
// in the current encoding.
func Digest(b *Bundle, items []*Item) (string, error) {
	d, _, err := Seal(b, items)
	return d, err
}

// Seal returns the digest and the canonical document bytes it covers, in
// the current encoding.
func Seal(b *Bundle, items []*Item) (digest string, doc []byte, err error) {
	return SealAs(DigestVersion, b, items)
}

// SealAs is Seal in the encoding version names. Only DigestVersion is
// used to seal; the older versions stay for verification and for tests
// that need a bundle as an older aeso sealed it.
func SealAs(version string, b *Bundle, items []*Item) (digest string, doc []byte, err error) {
	if !slices.Contains(DigestVersions, version) {
		return "", nil, fmt.Errorf("unknown digest version %q", version)
	}
	doc, err = Encode(version, documentAs(version, b, items))
	if err != nil {
		return "", nil, fmt.Errorf("canonical encoding: %w", err)
	}
	return digestOf(doc), doc, nil
}

// DocumentVersion returns the digest version a sealed document names, or
// "" when it names none.
func DocumentVersion(doc []byte) string {
	var d struct {
		Version string `json:"version"`
	}
	if json.Unmarshal(doc, &d) != nil {
		return ""
	}
	return d.Version
}

func digestOf(canonical []byte) string {
	sum := sha256.Sum256(canonical)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// ValidDigest reports whether s has the form Digest returns.
func ValidDigest(s string) bool {
	h, ok := strings.CutPrefix(s, "sha256:")
	return ok && sha256Pattern.MatchString(h)
}
