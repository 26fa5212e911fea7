package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// DigestVersion names the canonical encoding; it is part of what is
// hashed, so a future encoding can never collide with this one. The
// encoding is documented in docs/evidence-digest.md.
const DigestVersion = "aeso-evidence-v1"

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
		"version": DigestVersion,
		"bundle": map[string]any{
			"id": b.ID, "kind": b.Kind, "subject": b.Subject, "title": b.Title, "labels": labels,
			"correlation_id": b.CorrelationID, "owner": b.Owner,
			"created_at": canonicalTime(b.CreatedAt), "created_by": b.CreatedBy,
			"supersedes": b.Supersedes, "supersede_reason": b.SupersedeReason,
		},
		"items": its,
	}
}

// Canonical encodes v with every object's keys sorted bytewise, no
// insignificant whitespace, numbers as written, and strings escaped as
// encoding/json does with HTML escaping off.
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

// Digest returns "sha256:<hex>" of the canonical document of b and items.
func Digest(b *Bundle, items []*Item) (string, error) {
	d, _, err := Seal(b, items)
	return d, err
}

// Seal returns the digest and the canonical document bytes it covers.
func Seal(b *Bundle, items []*Item) (digest string, doc []byte, err error) {
	doc, err = Canonical(Document(b, items))
	if err != nil {
		return "", nil, fmt.Errorf("canonical encoding: %w", err)
	}
	return digestOf(doc), doc, nil
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
